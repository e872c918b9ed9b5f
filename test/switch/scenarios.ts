// THE scenario list of the hotline's telephony (issue 15): every call path, run on every switch
// driver — the ESL test server in `npm test` (switch-scenarios.test.ts), a real FreeSWITCH or
// Asterisk in `npm run test:freeswitch` / `test:asterisk` (real-switch.test.ts). One list, so the
// test-server suites and the real-switch suites cannot drift apart. A driver that cannot do
// something a scenario needs says why, and the scenario is skipped saying so.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Knex } from 'knex';
import { closeTestDb, openTestDb } from '../support/db';
import { App, ScenarioHotline, startApp, until } from './app';
import { AgentPhone, Capability, SwitchDriver } from './driver';

export function switchScenarios(makeDriver: () => SwitchDriver, o: { timeoutMs: number }): void {
  const d = makeDriver();
  let db: Knex;
  let app: App | null = null;
  const phones: AgentPhone[] = [];
  /** Long enough for the slowest switch; the test server is done in milliseconds. */
  const T = o.timeoutMs;

  describe(`the hotline's call paths on ${d.name}`, function () {
    this.timeout(T * 4);

    before(async () => {
      await d.setUp();
    });
    after(async () => {
      await d.tearDown();
    });
    beforeEach(async () => {
      db = await openTestDb();
    });
    afterEach(async () => {
      for (const p of phones.splice(0)) await p.close().catch(() => undefined);
      if (app) {
        for (const a of app.tel.listAgents()) await app.tel.setAgentState(a.agent, { state: 'logged_out' }).catch(() => undefined);
        await app.stop().catch(() => undefined);
      }
      app = null;
      await d.reset?.();
      await closeTestDb(db);
    });

    function need(ctx: Mocha.Context, ...caps: Capability[]): void {
      for (const c of caps) {
        const why = d.cannot(c);
        if (why) {
          console.log(`      (skipped on ${d.name}: ${why})`);
          ctx.skip();
        }
      }
    }

    async function ready(a: App, ext: string, talkMs = 1500): Promise<AgentPhone> {
      const p = await d.phone(ext, { kind: 'answer', talkMs });
      phones.push(p);
      await a.tel.setAgentState(ext, { state: 'ready' });
      return p;
    }

    /** The call row once the call log has it complete enough for `cond`. */
    async function rowWhen(a: App, callId: string, cond: (r: Record<string, any>) => boolean, what: string): Promise<Record<string, any>> {
      let row: Record<string, any> | undefined;
      await until(async () => !!(row = await a.row(callId)) && cond(row), T, what);
      return row!;
    }

    /** A ticket the survey is about (calls.ticket_id refers to it). */
    async function ticket(id: number): Promise<void> {
      const at = new Date().toISOString();
      await db('tickets').insert({ id, number: `2026112300${id}`, channel: 'hotline', kind: 'complaint', status: 'replied', content: '回访测试', urgency: 'general', accepted_at: at, updated_at: at });
    }

    function assertRecorded(path: string): void {
      const local = d.recordingFile(path);
      if (local) assert.ok(fs.existsSync(local) && fs.statSync(local).size > 44, `recording ${local} exists and is not empty`);
    }

    // ——— inbound: in hours ———

    it('an in-hours call goes menu → queue → the registered phone that answers; the call row and the recording are complete, and the ticket the operator saves is linked', async function () {
      app = await startApp(d, db, { agents: ['1001'] });
      await ready(app, '1001', 1500);
      const call = await d.call({ caller: '13905360001', keys: [''] });
      const id = await call.callId();
      const answered = await app.waitFor('call_answered', (e) => e.callId === id, T);
      assert.equal(answered.agent, '1001');
      await until(() => app!.tel.getAgentState('1001').state === 'on_call', T, 'operator on the call');
      // The operator saves a ticket for this call while talking (the desk sends the call id).
      await db('tickets').insert({ id: 501, number: '202611230501', channel: 'hotline', kind: 'complaint', status: 'accepted', content: '楼道灯坏了', urgency: 'general', accepted_at: new Date().toISOString(), updated_at: new Date().toISOString(), call_id: id });
      await call.done();
      await app.waitFor('call_ended', (e) => e.callId === id, T);
      const row = await rowWhen(app, id, (r) => !!r.ended_at && r.ticket_id !== null, 'the complete call row');
      assert.equal(row.caller, '13905360001');
      assert.equal(row.direction, 'inbound');
      assert.equal(row.purpose, 'hotline');
      assert.ok(row.queued_at && row.answered_at && row.ended_at, JSON.stringify(row));
      assert.ok(Date.parse(row.queued_at) <= Date.parse(row.answered_at) && Date.parse(row.answered_at) <= Date.parse(row.ended_at));
      assert.ok(row.queue_wait_ms >= 0 && row.queue_wait_ms < T);
      assert.equal(Number(row.ticket_id), 501);
      const recs = await app.recordings(id);
      const whole = recs.find((r) => r.kind === 'call');
      assert.ok(whole, 'the whole call is recorded');
      assertRecorded(whole.path);
      // After the call: wrap-up for the configured time, then ready again.
      await until(() => app!.tel.getAgentState('1001').state === 'wrap_up', T, 'wrap-up after the call');
      await until(() => app!.tel.getAgentState('1001').state === 'ready', T, 'ready after the wrap-up');
    });

    it('menu 1: a caller hears the status of their ticket by its number; an unknown number is said to be unknown', async function () {
      need(this, 'menu');
      app = await startApp(d, db);
      app.services.tickets.set('202611230042', { status: 'dispatched' });
      const known = await d.call({ caller: '13905360003', keys: ['1', '202611230042'] });
      const q = await app.waitFor('ticket_status_query', (e) => e.caller === '13905360003', T);
      assert.deepEqual([q.ticketNumber, q.found], ['202611230042', true]);
      await known.done();
      const unknown = await d.call({ caller: '13905360004', keys: ['1', '202611239999'] });
      const q2 = await app.waitFor('ticket_status_query', (e) => e.caller === '13905360004', T);
      assert.equal(q2.found, false);
      await unknown.done();
      const row = await rowWhen(app, await known.callId(), (r) => !!r.ended_at, 'the ended call');
      assert.equal(row.queued_at, null, 'a status query never enters the queue');
    });

    it('menu 2: a message becomes a draft ticket with its recording, linked from the call row', async function () {
      need(this, 'menu');
      app = await startApp(d, db);
      const call = await d.call({ caller: '13905360005', keys: ['2'] });
      const id = await call.callId();
      const msg = await app.waitFor('message_left', (e) => e.callId === id, T);
      const draft = app.services.drafts.find((x) => x.callId === id)!;
      assert.equal(draft.reason, 'caller_choice');
      assert.equal(draft.recordingPath, msg.path);
      await call.done();
      const row = await rowWhen(app, id, (r) => !!r.ended_at && r.ticket_id !== null, 'the call row linked to the draft');
      assert.equal(Number(row.ticket_id), draft.ticketId);
      const rec = (await app.recordings(id)).find((r) => r.kind === 'message');
      assert.ok(rec, 'the message recording has its row');
      assert.equal(Number(rec.ticket_id), draft.ticketId);
      assertRecorded(rec.path);
    });

    it('after hours: the caller hears so and leaves a message, which becomes a draft ticket', async function () {
      need(this, 'after_hours');
      app = await startApp(d, db, { inHours: false });
      const call = await d.call({ caller: '13905360006', keys: [] });
      const id = await call.callId();
      await app.waitFor('message_left', (e) => e.callId === id, T);
      assert.equal(app.services.drafts.find((x) => x.callId === id)?.reason, 'after_hours');
      await call.done();
      await rowWhen(app, id, (r) => !!r.ended_at && r.ticket_id !== null, 'the call row linked to the draft');
    });

    it('a caller who hangs up in the queue is abandoned and goes on the call-back list, with the time they waited', async function () {
      app = await startApp(d, db, { agents: ['1001'] });
      const call = await d.call({ caller: '13905360007', keys: [''], hangUpInQueue: { afterMs: 1200 } });
      const id = await call.callId();
      const ab = await app.waitFor('call_abandoned', (e) => e.callId === id, T);
      assert.ok(ab.queueWaitMs >= 1000, `waited ${ab.queueWaitMs} ms`);
      await until(() => app!.services.callbacks.some((c) => c.callId === id && c.reason === 'abandoned'), T, 'the call-back entry');
      const row = await rowWhen(app, id, (r) => !!r.ended_at && !!r.abandoned_at, 'the abandoned call row');
      assert.ok(row.queue_wait_ms >= 1000);
      assert.equal(row.answered_at, null);
    });

    for (const [key, what] of [['1', 'leaves a message (a draft ticket)'], ['2', 'asks to be called back']] as const) {
      it(`after the longest wait in the queue, a caller who keys ${key} ${what}`, async function () {
        need(this, 'queue_timeout');
        this.timeout(T * 4 + d.queueMaxWaitS * 1000);
        app = await startApp(d, db, { agents: ['1001'] });
        const call = await d.call({ caller: `1390536001${key}`, keys: ['', key] });
        const id = await call.callId();
        if (key === '1') {
          await app.waitFor('message_left', (e) => e.callId === id, T + d.queueMaxWaitS * 1000);
          assert.equal(app.services.drafts.find((x) => x.callId === id)?.reason, 'overflow');
        } else {
          await until(() => app!.services.callbacks.some((c) => c.callId === id && c.reason === 'requested'), T + d.queueMaxWaitS * 1000, 'the call-back request');
        }
        await call.done();
        const row = await rowWhen(app, id, (r) => !!r.ended_at, 'the ended call');
        assert.equal(row.answered_at, null);
        // A caller whose wait ran out stayed on the line: not abandoned (app_queue says so all the same).
        assert.equal(row.abandoned_at, null);
        assert.ok(!app.services.callbacks.some((c) => c.callId === id && c.reason === 'abandoned'), 'no "abandoned" call-back entry');
        assert.ok(!app.events.some((e) => e.type === 'call_abandoned' && e.callId === id), 'no call_abandoned');
      });
    }

    for (const kind of ['no_answer', 'reject'] as const) {
      it(`an operator whose phone ${kind === 'reject' ? 'rejects' : 'does not answer'} the call: the next operator gets it, the first is not stuck`, async function () {
        need(this, 'phone_behaviour');
        app = await startApp(d, db, { agents: ['1001', '1002'] });
        phones.push(await d.phone('1001', { kind }));
        await app.tel.setAgentState('1001', { state: 'ready' });
        const call = await d.call({ caller: '13905360020', keys: [''] });
        const id = await call.callId();
        await app.waitFor('call_offered', (e) => e.callId === id && e.agent === '1001', T);
        await ready(app, '1002', 800);
        const answered = await app.waitFor('call_answered', (e) => e.callId === id, T);
        assert.equal(answered.agent, '1002');
        // An operator away from the phone is taken out of the queue; one who declined stays ready.
        if (kind === 'no_answer') await until(() => app!.tel.getAgentState('1001').state === 'on_break', T, 'the first operator on a break');
        const s = app.tel.getAgentState('1001');
        assert.deepEqual(s, kind === 'no_answer' ? { state: 'on_break', reason: 'no_answer' } : { state: 'ready' });
        await call.done();
        await until(() => app!.tel.getAgentState('1002').state !== 'on_call', T, 'the second operator off the call');
      });
    }

    it('a phone that unregisters mid-shift puts its operator on a break (phone offline); calls go to the others', async function () {
      need(this, 'unregister');
      app = await startApp(d, db, { agents: ['1001', '1002'] });
      const gone = await ready(app, '1001');
      await ready(app, '1002', 500);
      await gone.unregister();
      await until(() => app!.tel.getAgentState('1001').state === 'on_break', T, 'the operator on a break');
      assert.deepEqual(app.tel.getAgentState('1001'), { state: 'on_break', reason: 'phone_offline' });
      const call = await d.call({ caller: '13905360021', keys: [''] });
      const id = await call.callId();
      assert.equal((await app.waitFor('call_answered', (e) => e.callId === id, T)).agent, '1002');
      await call.done();
    });

    it('hold, unhold and transfer from the desk act on the bridged call', async function () {
      need(this, 'call_control');
      app = await startApp(d, db, { agents: ['1001'] });
      await ready(app, '1001', 60000);
      const call = await d.call({ caller: '13905360022', keys: [''] });
      const id = await call.callId();
      await app.waitFor('call_answered', (e) => e.callId === id, T);
      await app.tel.hold(id);
      await app.tel.unhold(id);
      await app.tel.transfer(id, '12345');
      await assert.rejects(app.tel.hold('00000000-0000-0000-0000-000000000000'), /失败|不存在/);
      await call.hangUp();
      await app.waitFor('call_ended', (e) => e.callId === id, T);
    });

    // ——— return-visit survey ———

    for (const [keys, outcome, digit] of [
      [['1'], 'satisfied', '1'], [['2'], 'basically_satisfied', '2'], [['3'], 'unsatisfied', '3'],
      [['', ''], 'no_input', null], [['9', '2'], 'basically_satisfied', '2'],
    ] as const) {
      it(`a survey callee who keys ${keys.map((k) => k || '(nothing)').join(' then ')} is "${outcome}", answered and stored once`, async function () {
        need(this, 'survey');
        app = await startApp(d, db);
        await ticket(77);
        const phone = await d.callee({ kind: 'answer', keys: [...keys] });
        const placed = await app.tel.placeSurveyCall({ ticketId: 77, ticketNumber: '202611230077', phone, attempt: 1 });
        assert.equal(placed.accepted, true, placed.detail);
        const r = await app.waitFor('survey_result', (e) => e.callId === placed.callId, T);
        assert.deepEqual([r.ticketId, r.attempt, r.outcome, r.digit], [77, 1, outcome, digit]);
        await app.waitFor('call_ended', (e) => e.callId === placed.callId, T);
        const answers = app.services.answers.filter((a) => a.callId === placed.callId);
        assert.deepEqual([...new Set(answers.map((a) => a.outcome))], [outcome]);
        if (outcome === 'unsatisfied') assert.ok(answers.some((a) => a.reasonRecordingPath), 'the reason is recorded');
        const row = await rowWhen(app, placed.callId!, (x) => !!x.ended_at, 'the survey call row');
        assert.equal(row.purpose, 'survey');
        assert.ok(row.answered_at, 'an answered survey call has its answer time');
        assert.equal(Number(row.ticket_id), 77);
      });
    }

    for (const kind of ['busy', 'no_answer'] as const) {
      it(`a ${kind} survey callee is "${kind}"; the call row is closed, nothing is stored as an answer`, async function () {
        need(this, 'survey');
        app = await startApp(d, db);
        await ticket(78);
        const phone = await d.callee({ kind });
        const placed = await app.tel.placeSurveyCall({ ticketId: 78, ticketNumber: '202611230078', phone, attempt: 1 });
        assert.deepEqual([placed.accepted, placed.outcome], [false, kind]);
        const row = await rowWhen(app, placed.callId!, (x) => !!x.ended_at, 'the closed survey row');
        assert.equal(row.answered_at, null);
        assert.equal(app.services.answers.length, 0);
      });
    }

    // ——— faults ———

    it('the app killed while a caller waits in the queue: the restarted app takes the call back, one row with the whole wait', async function () {
      need(this, 'app_crash');
      const services = new ScenarioHotline(true);
      app = await startApp(d, db, { agents: ['1001'], services });
      const call = await d.call({ caller: '13905360030', keys: [''] });
      const id = await call.callId();
      await app.waitFor('call_queued', (e) => e.callId === id, T);
      await d.crash(app.tel);
      await new Promise((r) => setTimeout(r, 1000));
      app = await startApp(d, db, { agents: ['1001'], services });
      await ready(app, '1001', 500);
      const answered = await app.waitFor('call_answered', (e) => e.callId === id, T);
      assert.ok((answered.queueWaitMs ?? 0) >= 1000, `the wait counts from the first queueing: ${answered.queueWaitMs} ms`);
      await call.done();
      const row = await rowWhen(app, id, (r) => !!r.ended_at, 'the ended call');
      assert.ok(row.queue_wait_ms >= 1000, `queue_wait_ms ${row.queue_wait_ms}`);
      assert.equal(row.caller, '13905360030');
      assert.equal(await db('calls').where({ id }).count({ n: '*' }).then((x) => Number(x[0].n)), 1);
    });

    it('the app killed while a caller waits, back before the wait runs out: the restarted app takes the caller back and offers message or call back (no greeting again)', async function () {
      need(this, 'app_crash', 'queue_timeout');
      this.timeout(T * 4 + d.queueMaxWaitS * 1000);
      const services = new ScenarioHotline(true);
      app = await startApp(d, db, { agents: ['1001'], services });
      const call = await d.call({ caller: '13905360034', keys: ['', '2'] });
      const id = await call.callId();
      await app.waitFor('call_queued', (e) => e.callId === id, T);
      await d.crash(app.tel);
      app = await startApp(d, db, { agents: ['1001'], services });
      // Only the app's own flow puts a caller who keys 2 on the call-back list as "requested".
      await until(() => services.callbacks.some((c) => c.callId === id && c.reason === 'requested'), T + d.queueMaxWaitS * 1000, 'the call-back the caller asked for');
      await call.done();
      const row = await rowWhen(app, id, (r) => !!r.ended_at, 'the ended call');
      assert.equal(row.caller, '13905360034');
      assert.equal(row.answered_at, null);
      const greeted = d.appsRun?.(id).filter((a) => a.arg.includes('welcome')).length;
      if (greeted !== undefined) assert.equal(greeted, 1, 'the greeting is heard once');
    });

    it('the app killed while a caller waits, and still away when the wait runs out: the dialplan takes the message, the restarted app files it at once as a draft ticket with its recording', async function () {
      need(this, 'app_crash', 'queue_timeout');
      this.timeout(T * 4 + d.queueMaxWaitS * 1000);
      const services = new ScenarioHotline(true);
      app = await startApp(d, db, { agents: ['1001'], services });
      const call = await d.call({ caller: '13905360035', keys: [''] });
      const id = await call.callId();
      await app.waitFor('call_queued', (e) => e.callId === id, T);
      await d.crash(app.tel);
      await call.done(); // the fallback recorded the message and hung up
      app = await startApp(d, db, { agents: ['1001'], services });
      const msg = await app.waitFor('message_left', (e) => e.callId === id, T);
      const draft = services.drafts.find((x) => x.callId === id);
      assert.ok(draft, 'a draft ticket for the message');
      assert.equal(draft.reason, 'overflow');
      assert.equal(draft.recordingPath, msg.path);
      assert.equal(services.drafts.filter((x) => x.callId === id).length, 1, 'one draft');
      const rec = (await app.recordings(id)).find((r) => r.kind === 'message');
      assert.ok(rec, 'the message recording has its row');
      assert.equal(Number(rec.ticket_id), draft.ticketId);
      assertRecorded(rec.path);
      const row = await rowWhen(app, id, (r) => !!r.ended_at && r.ticket_id !== null, 'the call row linked to the draft');
      assert.equal(row.caller, '13905360035');
    });

    it('the app down when a call comes in: the dialplan greets and queues it, the app started meanwhile follows it to the operator; the row and the fallback recording are there', async function () {
      need(this, 'app_crash');
      const services = new ScenarioHotline(true);
      app = await startApp(d, db, { agents: ['1001'], services });
      await d.crash(app.tel);
      const call = await d.call({ caller: '13905360036', keys: [] });
      const id = await call.callId();
      // The fallback has the call before the app is back (else a quick restart wins the race to the
      // call and runs it itself — a real switch starts the dialplan only after the call is announced).
      if (d.appsRun) await until(() => d.appsRun!(id).some((a) => a.arg.includes('fallback_')), T, 'the fallback recording the call');
      app = await startApp(d, db, { agents: ['1001'], services });
      await until(async () => !!(await app!.row(id))?.queued_at, T, 'the restarted app follows the queued caller');
      await ready(app, '1001', 800);
      const answered = await app.waitFor('call_answered', (e) => e.callId === id, T);
      assert.equal(answered.agent, '1001');
      await call.done();
      const row = await rowWhen(app, id, (r) => !!r.ended_at && !!r.answered_at, 'the answered call row');
      assert.equal(row.caller, '13905360036');
      await until(async () => (await app!.recordings(id)).some((r) => r.kind === 'call'), T, 'the fallback recording row');
      const rec = (await app.recordings(id)).find((r) => r.kind === 'call')!;
      assert.match(rec.path, /fallback_/);
      assertRecorded(rec.path);
    });

    it('the app killed while a caller talks to an operator: the call goes on, the restarted app knows the operator is on it, and closes it', async function () {
      need(this, 'app_crash');
      const services = new ScenarioHotline(true);
      app = await startApp(d, db, { agents: ['1001'], services });
      await ready(app, '1001', 2500);
      const call = await d.call({ caller: '13905360031', keys: [''] });
      const id = await call.callId();
      await app.waitFor('call_answered', (e) => e.callId === id, T);
      await new Promise((r) => setTimeout(r, 300)); // the state "on the call" is saved as it changes
      await d.crash(app.tel);
      app = await startApp(d, db, { agents: ['1001'], services });
      assert.deepEqual(app.tel.getAgentState('1001'), { state: 'on_call', callId: id });
      await call.done();
      await until(() => app!.tel.getAgentState('1001').state !== 'on_call', T, 'the operator off the call');
      const row = await rowWhen(app, id, (r) => !!r.ended_at, 'the ended call');
      assert.notEqual(row.hangup_cause, 'LOST_WHILE_DISCONNECTED');
      assert.ok(row.answered_at);
    });

    it('the app killed during a survey: the call row is closed and no answer is made up', async function () {
      need(this, 'app_crash', 'survey');
      const services = new ScenarioHotline(true);
      app = await startApp(d, db, { services });
      await ticket(79);
      const phone = await d.callee({ kind: 'answer', keys: [''] });
      const placed = await app.tel.placeSurveyCall({ ticketId: 79, ticketNumber: '202611230079', phone, attempt: 1 });
      await d.crash(app.tel);
      app = await startApp(d, db, { services });
      await rowWhen(app, placed.callId!, (r) => !!r.ended_at, 'the survey row closed');
      assert.ok(!services.answers.some((a) => ['satisfied', 'basically_satisfied', 'unsatisfied'].includes(a.outcome)));
    });

    it('the switch restarted with calls up: telephony down then up, the calls closed, the operators back on the queue', async function () {
      need(this, 'switch_restart');
      app = await startApp(d, db, { agents: ['1001', '1002'] });
      await ready(app, '1001', 60000);
      await app.tel.setAgentState('1002', { state: 'on_break', reason: '培训' });
      const call = await d.call({ caller: '13905360032', keys: [''] });
      const id = await call.callId();
      await app.waitFor('call_answered', (e) => e.callId === id, T);
      await d.restartSwitch();
      await app.waitFor('telephony_down', () => true, T);
      await until(() => app!.events.filter((e) => e.type === 'telephony_up').length >= 2, T * 2, 'up again');
      const row = await rowWhen(app, id, (r) => !!r.ended_at, 'the call closed');
      assert.match(row.hangup_cause, /SYSTEM_SHUTDOWN|LOST_WHILE_DISCONNECTED|NORMAL_CLEARING/);
      assert.deepEqual(app.tel.getAgentState('1002'), { state: 'on_break', reason: '培训' });
      await until(() => app!.tel.getAgentState('1001').state !== 'on_call', T, 'the operator off the dead call');
    });

    it('the control connection dropped: reconnected and reconciled; a call alive across the drop is not "lost", its end is recorded', async function () {
      need(this, 'control_drop');
      app = await startApp(d, db, { agents: ['1001'] });
      await ready(app, '1001', 2500);
      const call = await d.call({ caller: '13905360033', keys: [''] });
      const id = await call.callId();
      await app.waitFor('call_answered', (e) => e.callId === id, T);
      await d.dropControl();
      await app.waitFor('telephony_down', () => true, T);
      await until(() => app!.events.filter((e) => e.type === 'telephony_up').length >= 2, T, 'up again');
      await call.done();
      const row = await rowWhen(app, id, (r) => !!r.ended_at, 'the call closed');
      assert.notEqual(row.hangup_cause, 'LOST_WHILE_DISCONNECTED');
      // The reconcile after the reconnect follows the call it already knew: its answer is kept.
      assert.ok(row.answered_at, 'the answer time survives the reconnect');
    });
  });
}
