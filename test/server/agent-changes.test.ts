import assert from 'node:assert/strict';
import { agentChanges } from '../../server/telephony';
import type { User } from '../../storage/directory';

describe('what a user change means for the switch queue', () => {
  const op: User = { id: 1, username: 'op01', displayName: '接线员01', role: 'operator', unit: 'center', extension: '1001', active: true, initialPassword: false };

  it('a new operator or supervisor with an extension is added; others are not', () => {
    assert.deepEqual(agentChanges(op, null), { add: '1001', logOut: null });
    assert.deepEqual(agentChanges({ ...op, role: 'supervisor' }, null), { add: '1001', logOut: null });
    assert.deepEqual(agentChanges({ ...op, extension: null }, null), { add: null, logOut: null });
    assert.deepEqual(agentChanges({ ...op, role: 'unit_handler', unit: 'cgj' }, null), { add: null, logOut: null });
  });

  it('a disabled agent, one moved out of the center, or one given another extension leaves the queue under the old one', () => {
    assert.deepEqual(agentChanges({ ...op, active: false }, op), { add: null, logOut: '1001' });
    assert.deepEqual(agentChanges({ ...op, role: 'leader', unit: 'leaders' }, op), { add: null, logOut: '1001' });
    assert.deepEqual(agentChanges({ ...op, extension: '1009' }, op), { add: '1009', logOut: '1001' });
    assert.deepEqual(agentChanges({ ...op, extension: null }, op), { add: null, logOut: '1001' });
  });

  it('a change that keeps the agent where it is changes nothing on the switch', () => {
    assert.deepEqual(agentChanges({ ...op, displayName: '新名字' }, op), { add: '1001', logOut: null });
    assert.deepEqual(agentChanges({ ...op, active: true }, { ...op, active: false }), { add: '1001', logOut: null });
  });
});
