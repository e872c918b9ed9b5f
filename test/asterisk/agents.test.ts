// Queue and agents on app_queue over AMI: the app owns agent state; the queue follows
// (QueueAdd/QueueRemove/QueuePause with a reason) and is reconciled to it; queue calls
// become the same call events as on FreeSWITCH.
import assert from 'node:assert/strict';
import { header } from '../ami/frames';
import { Harness, logs, startHarness, until } from './harness';

describe('Asterisk adapter: agents and the hotline queue (app_queue)', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  const member = (iface: string) => h!.ast.members.find((m) => m.iface === iface);

  it('an operator who gets ready joins the queue as a dynamic member, unpaused', async () => {
    h = await startHarness();
    await h.tel.setAgentState('1001', { state: 'ready' });
    const add = h.ast.actions.find((a) => header(a, 'Action') === 'QueueAdd')!;
    assert.equal(header(add, 'Queue'), 'hotline');
    assert.equal(header(add, 'Interface'), 'PJSIP/1001');
    assert.equal(header(add, 'Membername'), '1001');
    assert.deepEqual({ paused: member('PJSIP/1001')?.paused }, { paused: false });
  });

  it('an agent added while running joins the queue under its own interface when ready', async () => {
    h = await startHarness();
    h.tel.addAgent('1077');
    await h.tel.setAgentState('1077', { state: 'ready' });
    assert.deepEqual({ paused: member('PJSIP/1077')?.paused, name: member('PJSIP/1077')?.name }, { paused: false, name: '1077' });
  });

  it('a break is a pause with its reason; back to ready unpauses; logging out leaves the queue', async () => {
    h = await startHarness();
    await h.tel.setAgentState('1001', { state: 'ready' });
    await h.tel.setAgentState('1001', { state: 'on_break', reason: '午休' });
    assert.deepEqual({ p: member('PJSIP/1001')?.paused, r: member('PJSIP/1001')?.reason }, { p: true, r: '午休' });
    await h.tel.setAgentState('1001', { state: 'on_break', reason: '培训' });
    assert.equal(member('PJSIP/1001')?.reason, '培训', 'a new reason is pushed');
    await h.tel.setAgentState('1001', { state: 'ready' });
    assert.equal(member('PJSIP/1001')?.paused, false);
    await h.tel.setAgentState('1001', { state: 'logged_out' });
    assert.equal(member('PJSIP/1001'), undefined);
  });

  it('a break without a reason, or an unknown agent, is refused and changes nothing', async () => {
    h = await startHarness();
    await assert.rejects(h.tel.setAgentState('1001', { state: 'on_break', reason: ' ' }), /小休必须填写原因/);
    await assert.rejects(h.tel.setAgentState('9999', { state: 'ready' }), /未知的坐席/);
    assert.deepEqual(h.tel.getAgentState('1001'), { state: 'logged_out' });
    assert.equal(h.ast.members.length, 0);
  });

  it('a member removed or unpaused behind the app\'s back is put back as the app holds it', async () => {
    h = await startHarness();
    await h.tel.setAgentState('1001', { state: 'on_break', reason: '会议' });
    h.ast.members.splice(0); // e.g. "queue remove member" on the CLI
    await h.tel.reconcile();
    assert.deepEqual({ p: member('PJSIP/1001')?.paused, r: member('PJSIP/1001')?.reason }, { p: true, r: '会议' });
  });

  it('an operator on a break unpaused from the CLI is paused again at once, with the app\'s reason', async () => {
    h = await startHarness();
    await h.tel.setAgentState('1001', { state: 'on_break', reason: '会议' });
    const before = h.ast.actions.length;
    h.ast.pauseMember('PJSIP/1001', false);
    await until(() => member('PJSIP/1001')?.paused === true, 2000, 'paused again');
    assert.equal(member('PJSIP/1001')?.reason, '会议');
    assert.ok(h.ast.actions.slice(before).some((a) => header(a, 'Action') === 'QueuePause'));
  });

  it('a phone that goes unavailable puts its ready operator on break (phone offline)', async () => {
    h = await startHarness();
    await h.tel.setAgentState('1002', { state: 'ready' });
    h.ast.setDeviceState('PJSIP/1002', 5);
    const changed = await h.waitFor('agent_state_changed', (e) => e.agent === '1002' && e.source === 'reconcile');
    assert.deepEqual(changed.state, { state: 'on_break', reason: 'phone_offline' });
    await until(() => member('PJSIP/1002')?.paused === true, 2000, 'the member paused');
    assert.equal(member('PJSIP/1002')?.reason, 'phone_offline');
  });

  it('a queue call: queued, offered to the ready operator (screen pop), answered, ended; then wrap-up holds the operator', async () => {
    h = await startHarness();
    await h.tel.setAgentState('1001', { state: 'ready' });
    const c = h.ast.callerJoins({ caller: '13912345678', queue: 'hotline' });
    const queued = await h.waitFor('call_queued');
    assert.deepEqual({ id: queued.callId, caller: queued.caller, q: queued.queue }, { id: c.uniqueid, caller: '13912345678', q: 'hotline' });
    const offered = await h.waitFor('call_offered');
    assert.deepEqual({ agent: offered.agent, caller: offered.caller, id: offered.callId }, { agent: '1001', caller: '13912345678', id: c.uniqueid });
    h.ast.agentAnswers(c.uniqueid);
    const answered = await h.waitFor('call_answered');
    assert.equal(answered.agent, '1001');
    assert.equal(typeof answered.queueWaitMs, 'number');
    assert.deepEqual(h.tel.getAgentState('1001'), { state: 'on_call', callId: c.uniqueid });
    h.ast.hangup(c.uniqueid);
    const ended = await h.waitFor('call_ended');
    assert.equal(ended.hangupCause, 'NORMAL_CLEARING');
    await until(() => h!.tel.getAgentState('1001').state === 'wrap_up', 2000, 'wrap-up');
    await until(() => member('PJSIP/1001')?.paused === true, 2000, 'paused for wrap-up');
    assert.equal(member('PJSIP/1001')?.reason, 'wrap_up');
  });

  it('a caller who hangs up in the queue is abandoned and goes on the call-back list', async () => {
    h = await startHarness();
    const c = h.ast.callerJoins({ caller: '13700001111', queue: 'hotline' });
    await h.waitFor('call_queued');
    h.ast.hangup(c.uniqueid);
    const ab = await h.waitFor('call_abandoned');
    assert.equal(ab.caller, '13700001111');
    await until(() => h!.services.callbacks.length === 1, 2000, 'call-back list');
    assert.deepEqual({ p: h.services.callbacks[0].callerPhone, r: h.services.callbacks[0].reason }, { p: '13700001111', r: 'abandoned' });
  });

  it('an operator "on a call" whose call vanished while the app was away goes to wrap-up at the reconcile', async () => {
    h = await startHarness({ adapter: { wrapUpMaxMs: 60_000 } });
    await h.tel.setAgentState('1001', { state: 'on_call', callId: '1795459000.99' });
    await h.tel.reconcile();
    assert.deepEqual(h.tel.getAgentState('1001'), { state: 'wrap_up' });
    assert.equal(member('PJSIP/1001')?.paused, true);
  });

  it('a refusal from Asterisk reaches the caller as a TelephonyError with Asterisk\'s own words', async () => {
    h = await startHarness();
    const c = h.ast.callerJoins({ caller: '13912345678', queue: 'hotline' });
    await h.waitFor('call_queued');
    h.ast.channels.delete(c.name); // gone on the switch, and nobody said so
    await assert.rejects(h.tel.hangup(c.uniqueid), (err: Error & { detail?: string }) => err.name === 'TelephonyError' && err.detail === 'No such channel');
  });

  it('adding a member that is already there (added meanwhile by someone else) is not an error', async () => {
    h = await startHarness();
    await h.tel.setAgentState('1001', { state: 'ready' });
    h.ast.hiddenFromStatus.add('PJSIP/1001');
    await h.tel.reconcile();
    const adds = h.ast.actions.filter((a) => header(a, 'Action') === 'QueueAdd');
    assert.equal(adds.length, 2, 'the app tried to add it again');
    assert.equal(h.ast.members.length, 1);
    assert.ok(!logs.some((l) => l.includes('Already there')), 'and did not log it as a failure');
  });

  it('transfer redirects the caller\'s channel to the transfer context; bad input is refused', async () => {
    h = await startHarness();
    const c = h.ast.callerJoins({ caller: '13912345678', queue: 'hotline' });
    await h.waitFor('call_queued');
    await h.tel.transfer(c.uniqueid, '8001');
    const r = h.ast.actions.find((a) => header(a, 'Action') === 'Redirect')!;
    assert.deepEqual([header(r, 'Channel'), header(r, 'Context'), header(r, 'Exten')], [c.name, 'hotline-transfer', '8001']);
    await assert.rejects(h.tel.transfer(c.uniqueid, '8001;x'), /转接号码不合法/);
    await assert.rejects(h.tel.hangup('no such call!'), /通话编号不合法/);
    await assert.rejects(h.tel.hangup('1795459000.404'), /通话不存在/);
    await h.tel.hangup(c.uniqueid);
    await h.waitFor('call_ended');
  });

  for (const [how, after] of [['rings_out', { state: 'on_break', reason: 'no_answer' }], ['rejects', { state: 'ready' }], ['busy', { state: 'ready' }]] as const) {
    it(`an operator whose phone ${how.replace('_', ' ')}: the next operator gets the call; the first is ${after.state === 'ready' ? 'still ready' : 'on a break "no_answer"'}`, async () => {
      h = await startHarness();
      await h.tel.setAgentState('1001', { state: 'ready' });
      const c = h.ast.callerJoins({ caller: '13912345678', queue: 'hotline' });
      await h.waitFor('call_offered', (e) => e.agent === '1001');
      await h.tel.setAgentState('1002', { state: 'ready' });
      h.ast.agentMisses(c.uniqueid, how);
      await h.waitFor('call_offered', (e) => e.agent === '1002');
      h.ast.agentAnswers(c.uniqueid);
      assert.equal((await h.waitFor('call_answered')).agent, '1002');
      await until(() => h!.tel.getAgentState('1001').state === after.state, 2000, `1001 ${after.state}`);
      assert.deepEqual(h.tel.getAgentState('1001'), after);
      if (after.state === 'on_break') await until(() => member('PJSIP/1001')?.paused === true && member('PJSIP/1001')?.reason === 'no_answer', 2000, 'paused no_answer');
      else assert.equal(member('PJSIP/1001')?.paused, false);
    });
  }

  it('hold and unhold from the desk mute the caller\'s audio both ways and lift it; an unknown call is refused', async () => {
    h = await startHarness();
    await h.tel.setAgentState('1001', { state: 'ready' });
    const c = h.ast.callerJoins({ caller: '13912345678', queue: 'hotline' });
    await h.waitFor('call_offered');
    h.ast.agentAnswers(c.uniqueid);
    await h.waitFor('call_answered');
    await h.tel.hold(c.uniqueid);
    assert.equal(c.vars.__muted, 'all');
    await h.tel.unhold(c.uniqueid);
    assert.equal(c.vars.__muted, '');
    const mutes = h.ast.actions.filter((a) => header(a, 'Action') === 'MuteAudio').map((a) => [header(a, 'Channel'), header(a, 'Direction'), header(a, 'State')]);
    assert.deepEqual(mutes, [[c.name, 'all', 'on'], [c.name, 'all', 'off']]);
    await assert.rejects(h.tel.hold('1795459000.404'), /通话不存在/);
    await assert.rejects(h.tel.unhold('x y'), /通话编号不合法/);
  });
});
