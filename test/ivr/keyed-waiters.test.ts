import assert from 'node:assert/strict';
import { KeyedWaiters } from '../../ivr/keyed-waiters';

describe('keyed waiters (a flow waiting for what the event connection says about its call)', () => {
  it('settling a key ends every wait on it with the value, and only those', async () => {
    const w = new KeyedWaiters<string, boolean>();
    const a = w.wait('call-1', 1000);
    const b = w.wait('call-1', 1000);
    const other = w.wait('call-2', 30);
    w.settle('call-1', true);
    assert.deepEqual(await Promise.all([a, b]), [true, true]);
    assert.equal(await other, null);
  });

  it('a wait not settled in time ends with null; a later settle finds no one and a new wait starts afresh', async () => {
    const w = new KeyedWaiters<string, boolean>();
    assert.equal(await w.wait('call-1', 10), null);
    w.settle('call-1', false);
    const again = w.wait('call-1', 1000);
    w.settle('call-1', false);
    assert.equal(await again, false);
  });
});
