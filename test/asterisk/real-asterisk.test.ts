// The hotline against a real Asterisk (asterisk-conf/ installed with `install.sh --test`), run by
// `npm run test:asterisk` after the shared scenario list (test/switch/real-switch.test.ts with
// drivers/asterisk-real.ts). Here: the Asterisk-only checks (queue membership and pause reasons, the
// prompt check, blind transfer to a phone, the Local test citizens, the AstDB hand-over of a survey
// answer given while the app was down), and the earlier timed-sipp versions of call paths the list
// also covers — to be dropped once the list has passed in full on a real Asterisk.
// `npm run test:asterisk` with ASTERISK_AMI=host:port:user:secret, IVR_PROMPTS_DIR and
// IVR_RECORDINGS_DIR as install.sh was given them. Skipped, saying so, without ASTERISK_AMI;
// the calls that need SIP (sipp as citizens and operators' phones) skip without sipp.
// ASTERISK_RECORDINGS_LOCAL: the recordings folder as this host sees it (default IVR_RECORDINGS_DIR),
// to check that the files were written.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { Knex } from 'knex';
import { field } from '../../ivr/asterisk/ami';
import { InMemoryHotline } from '../ivr/fake-services';
import { closeTestDb, openTestDb } from '../support/db';
import { until } from './harness';
import { AGENTS, RealApp, seedOperators } from './real/app';
import { Answering, Step, answeringXml, citizenCallXml, freshPort, killAllSipp, registerXml, runSipp, sippAvailable } from './real/sipp';

const AMI = process.env.ASTERISK_AMI;
const SIP = process.env.ASTERISK_TEST_SIP ?? '127.0.0.1:5160';
const NUMBER = process.env.HOTLINE_NUMBER ?? '12345';
const ASTERISK_CLI = process.env.ASTERISK_CLI ?? 'asterisk';
const recordingsLocal = () => process.env.ASTERISK_RECORDINGS_LOCAL ?? process.env.IVR_RECORDINGS_DIR ?? '/var/spool/asterisk/monitor/hotline';
const localPath = (p: string) => `${recordingsLocal()}/${p.split('/').pop()}`;
const wavBytes = (p: string) => (fs.existsSync(localPath(p)) ? fs.statSync(localPath(p)).size : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Working hours that hold now, or that do not (a one-minute window twelve hours away). */
const IN_HOURS = { IVR_WORKING_HOURS: '00:00-23:59' };
function afterHours(): Record<string, string> {
  const t = new Date(Date.now() + 12 * 3600e3);
  const hm = (d: Date) => d.toLocaleTimeString('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });
  return { IVR_WORKING_HOURS: `${hm(t)}-${hm(new Date(t.getTime() + 60e3))}` };
}

describe('the hotline against a real Asterisk', function () {
  this.timeout(240000);
  let db: Knex;
  let users: Map<string, number>;
  let app: RealApp | null = null;
  const running: RealApp[] = [];

  before(async function () {
    if (!AMI) {
      console.log('    (skipped: set ASTERISK_AMI=host:port:user:secret to run against a real Asterisk; see asterisk-conf/README.md)');
      this.skip();
    }
    hangUpEverything();
    db = await openTestDb();
    users = await seedOperators(db);
    const at = new Date().toISOString();
    for (let id = 700; id < 720; id++) {
      await db('tickets').insert({ id, number: `2026112307${String(id - 700).padStart(2, '0')}`, channel: 'hotline', kind: 'consult', status: 'replied', content: '测试', urgency: 'general', accepted_at: at, updated_at: at });
    }
  });

  /** Whatever an earlier test (or run) left on the test switch is hung up. */
  const hangUpEverything = () => {
    try {
      execFileSync(ASTERISK_CLI, ['-rx', 'channel request hangup all'], { stdio: 'ignore' });
    } catch {
      // no CLI here: the suite then relies on each test's clean-up
    }
  };

  after(async () => {
    await killAllSipp();
    if (db) await closeTestDb(db);
  });

  /** An app with its own services and environment (each test its own survey port and hours). */
  async function startApp(env: Record<string, string> = {}, services = new InMemoryHotline()): Promise<RealApp> {
    services.isWorkingDay = () => true;
    const a = new RealApp(db, services, { ASTERISK_AGI_LISTEN: '127.0.0.1:4573', ...IN_HOURS, ...env });
    running.push(a);
    await a.start();
    return a;
  }

  afterEach(async () => {
    await killAllSipp();
    for (const a of running.splice(0)) await a.stop().catch(() => undefined);
    app = null;
    // Nothing of this test left on the switch for the next one.
    hangUpEverything();
    await sleep(1000);
  });

  const needSipp = function (this: Mocha.Context) {
    if (!sippAvailable()) {
      console.log('    (skipped: sipp and its pcap files are needed for SIP calls; Debian: apt-get install sip-tester)');
      this.skip();
    }
  };

  /** An operator's phone: takes calls as `answering` says (one per `calls`), registered from its own port. */
  async function phone(ext: string, answering: Answering, calls = 1) {
    const uas = runSipp({ scenario: answeringXml(answering), ip: '127.0.0.1', calls });
    const register = (expires: number) => runSipp({
      scenario: registerXml({ ext, password: `test-phone-${ext}`, contact: `127.0.0.1:${uas.port}`, expires }), ip: '127.0.0.1', remote: SIP,
    }).done;
    assert.equal(await register(300), 0, `phone ${ext} registers`);
    return { uas, unregister: async () => assert.equal(await register(0), 0, `phone ${ext} unregisters`) };
  }

  /** A citizen calls the hotline from 127.0.0.2 (the test "carrier"). */
  const citizen = (caller: string, steps: Step[], end: 'bye' | 'wait') =>
    runSipp({ scenario: citizenCallXml({ caller, number: NUMBER, steps, end }), ip: '127.0.0.2', remote: SIP });

  const member = async (a: RealApp, ext: string) => {
    const items = await a.tel.ami.list({ action: 'QueueStatus', queue: 'hotline' });
    return items.find((i) => field(i, 'event') === 'QueueMember' && field(i, 'location') === `PJSIP/${ext}`) ?? null;
  };
  const callRow = async (id: string) => db('calls').where({ id }).first();

  // ——— agents and the queue ———

  it('an operator who gets ready is a member of the queue; a break pauses with the reason; log-out removes', async function () {
    needSipp.call(this);
    app = await startApp();
    await phone('1004', { kind: 'ring' });
    await app.tel.setAgentState('1004', { state: 'ready' });
    assert.equal(field((await member(app, '1004'))!, 'paused'), '0');
    await app.tel.setAgentState('1004', { state: 'on_break', reason: 'lunch' });
    const m = (await member(app, '1004'))!;
    assert.deepEqual([field(m, 'paused'), field(m, 'pausedreason')], ['1', 'lunch']);
    await app.tel.setAgentState('1004', { state: 'logged_out' });
    assert.equal(await member(app, '1004'), null);
  });

  it('the prompts: Asterisk can play every one (asked at connect)', async () => {
    app = await startApp();
    await until(() => app!.tel.status().prompts !== undefined, 15000, 'the prompt check');
    assert.deepEqual(app.tel.status().prompts!.missing, []);
    assert.equal(app.tel.status().prompts!.ok, true, app.tel.status().prompts!.detail);
  });

  it('the prompts: one missing on the switch is named and surveys are refused; put back, the next check finds it', async function () {
    const dir = process.env.IVR_PROMPTS_DIR ?? '/var/lib/asterisk/sounds/hotline';
    const file = `${dir}/survey_question.wav`;
    if (!fs.existsSync(file)) {
      console.log(`    (skipped: the prompts folder ${dir} is not on this machine)`);
      this.skip();
    }
    const aside = `${file}.aside`;
    fs.renameSync(file, aside);
    try {
      app = await startApp();
      await until(() => app!.tel.status().prompts !== undefined, 15000, 'the prompt check');
      assert.deepEqual([app.tel.status().prompts!.ok, app.tel.status().prompts!.missing], [false, ['survey_question']]);
      await assert.rejects(app.tel.placeSurveyCall({ ticketId: 710, ticketNumber: '202611230710', phone: '13900000200', attempt: 1 }), /survey_question/);
    } finally {
      fs.renameSync(aside, file);
    }
    // Checked again at each reconcile (5 s here) while not all there.
    await until(() => app!.tel.status().prompts?.ok === true, 20000, 'the prompt found again');
  });

  it('the prompts: an IVR_PROMPTS_DIR that is not the dialplan\'s folder is reported, and surveys are refused', async () => {
    app = await startApp({ IVR_PROMPTS_DIR: '/nonexistent/hotline' });
    await until(() => app!.tel.status().prompts !== undefined, 15000, 'the prompt check');
    assert.equal(app.tel.status().prompts!.ok, null);
    assert.match(app.tel.status().prompts!.detail, /not the dialplan's prompt folder/);
    await assert.rejects(app.tel.placeSurveyCall({ ticketId: 711, ticketNumber: '202611230711', phone: '13900000200', attempt: 1 }), /提示音检查未完成/);
  });

  // ——— inbound calls ———

  it('in hours: greeting, menu, queue, the registered phone answers; the call row and the whole-call recording', async function () {
    needSipp.call(this);
    app = await startApp();
    const p = await phone('1001', { kind: 'answer', ringMs: 1000, steps: [{ pauseMs: 4000 }], end: 'bye' });
    await app.tel.setAgentState('1001', { state: 'ready' });
    const c = citizen('13900000101', [], 'wait');
    const answered = await app.waitFor('call_answered', (e) => e.agent === '1001');
    const ended = await app.waitFor('call_ended', (e) => e.callId === answered.callId);
    assert.equal(ended.hangupCause, 'NORMAL_CLEARING');
    await c.done;
    await p.uas.done;
    await app.log.flush();
    const row = await callRow(answered.callId);
    assert.equal(row.caller, '13900000101');
    assert.deepEqual([row.direction, row.purpose, row.queue], ['inbound', 'hotline', 'hotline']);
    assert.ok(row.queued_at && row.answered_at && row.ended_at, JSON.stringify(row));
    assert.equal(Number(row.agent_user_id), users.get('1001'));
    assert.ok(Number(row.queue_wait_ms) >= 0 && Number(row.queue_wait_ms) < 15000, `queue wait ${row.queue_wait_ms}`);
    const rec = await db('recordings').where({ call_id: answered.callId, kind: 'call' }).first();
    assert.ok(rec?.ended_at, 'the recording row is closed');
    await until(() => wavBytes(rec.path) > 100000, 10000, `the recording ${rec.path} written`);
    await until(() => app!.tel.getAgentState('1001').state === 'wrap_up', 5000, 'the operator in wrap-up after the call');
  });

  it('menu 2 keyed during the greeting: the greeting stops, the message is recorded and is a draft ticket', async function () {
    needSipp.call(this);
    app = await startApp();
    const c = citizen('13900000102', [{ pauseMs: 2500 }, { keys: '2' }, { pauseMs: 11000 }, { speak: true }], 'bye');
    const left = await app.waitFor('message_left');
    await c.done;
    assert.deepEqual(app.services.drafts.map((d) => [d.reason, d.callerPhone]), [['caller_choice', '13900000102']]);
    // 8 s of speech at 8 kHz, 16 bit: well over 64 kB (a message recorded while the caller was silent would be far less).
    await until(() => wavBytes(left.path) > 64000, 10000, `the message ${left.path} (${wavBytes(left.path)} bytes)`);
    assert.ok(!app.events.some((e) => e.type === 'call_queued' && e.callId === left.callId), 'never queued');
  });

  it('menu 1: the ticket number keyed, its status read back', async function () {
    needSipp.call(this);
    const services = new InMemoryHotline();
    services.tickets.set('202611230042', { status: 'in_progress' });
    app = await startApp({}, services);
    const c = citizen('13900000103', [{ pauseMs: 2500 }, { keys: '1' }, { pauseMs: 2000 }, { keys: '202611230042', gapMs: 300 }], 'wait');
    const q = await app.waitFor('ticket_status_query');
    assert.deepEqual([q.ticketNumber, q.found, q.caller], ['202611230042', true, '13900000103']);
    assert.equal(await c.done, 0, 'the switch ends the call after the status and goodbye');
  });

  it('after hours: the after-hours greeting, then the message is a draft ticket', async function () {
    needSipp.call(this);
    app = await startApp(afterHours());
    const c = citizen('13900000104', [{ pauseMs: 17000 }, { speak: true }], 'bye');
    const left = await app.waitFor('message_left');
    await c.done;
    assert.deepEqual(app.services.drafts.map((d) => [d.reason, d.callerPhone, d.recordingPath]), [['after_hours', '13900000104', left.path]]);
    await until(() => wavBytes(left.path) > 64000, 10000, 'the message written');
  });

  it('a caller who hangs up in the queue is abandoned: the call-back list and the call row say so', async function () {
    needSipp.call(this);
    // Still waiting when hanging up 36 s after dialling, whatever IVR_QUEUE_MAX_WAIT_S the run has.
    app = await startApp({ IVR_QUEUE_MAX_WAIT_S: '120' });
    const c = citizen('13900000105', [{ pauseMs: 36000 }], 'bye');
    const queued = await app.waitFor('call_queued');
    const abandoned = await app.waitFor('call_abandoned', (e) => e.callId === queued.callId);
    await c.done;
    assert.ok(abandoned.queueWaitMs >= 1000, `waited ${abandoned.queueWaitMs} ms`);
    await until(() => app!.services.callbacks.some((x) => x.reason === 'abandoned' && x.callerPhone === '13900000105'), 5000, 'the call-back entry');
    // The caller's BYE ends sipp before Asterisk's Hangup reaches the app: the row is looked at until it is closed.
    let row: Record<string, any> | undefined;
    for (const deadline = Date.now() + 10000; Date.now() < deadline; await sleep(100)) {
      await app.log.flush();
      row = await callRow(queued.callId);
      if (row?.ended_at) break;
    }
    assert.ok(row?.abandoned_at && row.ended_at, JSON.stringify(row));
  });

  it('the longest wait passes: the caller chooses a call back (2), is told so and the call ends', async function () {
    needSipp.call(this);
    app = await startApp({ IVR_QUEUE_MAX_WAIT_S: '10' });
    const c = citizen('13900000106', [{ pauseMs: 38000 }, { keys: '2' }, { pauseMs: 3000 }, { keys: '2' }], 'wait');
    const queued = await app.waitFor('call_queued');
    await until(() => app!.services.callbacks.some((x) => x.reason === 'requested' && x.callId === queued.callId), 60000, 'the requested call back');
    assert.equal(await c.done, 0);
    assert.equal(app.services.drafts.length, 0);
  });

  it('the longest wait passes: the caller leaves a message (1)', async function () {
    needSipp.call(this);
    app = await startApp({ IVR_QUEUE_MAX_WAIT_S: '10' });
    const c = citizen('13900000107', [{ pauseMs: 38000 }, { keys: '1' }, { pauseMs: 3000 }, { keys: '1' }, { pauseMs: 8000 }, { speak: true }], 'bye');
    const left = await app.waitFor('message_left', () => true, 90000);
    await c.done;
    assert.deepEqual(app.services.drafts.map((d) => [d.reason, d.callerPhone]), [['overflow', '13900000107']]);
    await until(() => wavBytes(left.path) > 32000, 10000, 'the message written');
  });

  for (const [what, first] of [['does not answer', { kind: 'ring' }], ['rejects the call', { kind: 'reject' }]] as const) {
    it(`an operator whose phone ${what}: the next operator gets the call; the first is not stuck`, async function () {
      needSipp.call(this);
      app = await startApp();
      await phone('1001', first);
      await app.tel.setAgentState('1001', { state: 'ready' });
      const c = citizen('13900000108', [], 'wait');
      const offered = await app.waitFor('call_offered', (e) => e.agent === '1001');
      // Only now the second operator: the first was certainly offered the call first.
      const p2 = await phone('1002', { kind: 'answer', ringMs: 500, steps: [{ pauseMs: 2000 }], end: 'bye' });
      await app.tel.setAgentState('1002', { state: 'ready' });
      const answered = await app.waitFor('call_answered', (e) => e.callId === offered.callId);
      assert.equal(answered.agent, '1002');
      await p2.uas.done;
      await c.done;
      // An operator away from the phone goes on a break (no_answer) and out of the way of the next
      // callers; one who declined stays ready (as the shared scenarios say).
      if (first.kind === 'ring') {
        await until(() => app!.tel.getAgentState('1001').state === 'on_break', 10000, 'the operator who let it ring out on a break');
        assert.deepEqual(app.tel.getAgentState('1001'), { state: 'on_break', reason: 'no_answer' });
        assert.equal(field((await member(app, '1001'))!, 'paused'), '1');
      } else {
        assert.equal(app.tel.getAgentState('1001').state, 'ready', 'the operator who declined is still ready, not on a call');
        assert.ok(!(await member(app, '1001')) || field((await member(app, '1001'))!, 'paused') === '0');
      }
    });
  }

  it('a phone that unregisters mid-shift: its operator goes on a break "phone_offline"', async function () {
    needSipp.call(this);
    app = await startApp();
    const p = await phone('1003', { kind: 'answer', end: 'bye' });
    await app.tel.setAgentState('1003', { state: 'ready' });
    await p.unregister();
    await until(() => {
      const s = app!.tel.getAgentState('1003');
      return s.state === 'on_break' && s.reason === 'phone_offline';
    }, 40000, 'phone_offline');
    assert.equal(field((await member(app, '1003'))!, 'paused'), '1');
  });

  it('blind transfer from the desk: the caller talking to 1001 is put through to 1002', async function () {
    needSipp.call(this);
    app = await startApp();
    await phone('1001', { kind: 'answer', ringMs: 500, end: 'wait' });
    const p2 = await phone('1002', { kind: 'answer', ringMs: 500, steps: [{ pauseMs: 3000 }], end: 'bye' });
    await app.tel.setAgentState('1001', { state: 'ready' });
    const c = citizen('13900000109', [], 'wait');
    const answered = await app.waitFor('call_answered', (e) => e.agent === '1001');
    await sleep(1500);
    await app.tel.transfer(answered.callId, '1002');
    assert.equal(await p2.uas.done, 0, '1002 answered the transferred call and hung up');
    assert.equal(await c.done, 0);
    await app.waitFor('call_ended', (e) => e.callId === answered.callId);
  });

  // ——— return-visit surveys: a citizen on 127.0.0.2 called through the test carrier ———

  async function survey(callee: Answering, ticketId: number, env: Record<string, string> = {}) {
    const port = freshPort();
    const uas = runSipp({ scenario: answeringXml(callee), ip: '127.0.0.2', port });
    app = await startApp({ SURVEY_DIAL: `PJSIP/carrier/sip:{phone}@127.0.0.2:${port}`, SURVEY_ORIGINATE_TIMEOUT_S: '12', ...env });
    await until(() => app!.tel.status().prompts?.ok === true, 15000, 'the prompt check');
    const placed = await app.tel.placeSurveyCall({ ticketId, ticketNumber: `2026112307${String(ticketId - 700).padStart(2, '0')}`, phone: '13900000200', attempt: 1 });
    return { placed, uas };
  }

  for (const [digit, outcome] of [['1', 'satisfied'], ['2', 'basically_satisfied'], ['3', 'unsatisfied']] as const) {
    it(`survey: the citizen keys ${digit} — "${outcome}", stored at once, the call row answered and ended`, async function () {
      needSipp.call(this);
      // The reason: speech from before the recording starts (after the confirmation, the reason
      // prompt and the tone) to well after, so that the timing of a loaded machine does not matter.
      const speak: Step[] = digit === '3' ? [{ pauseMs: 9000 }, { speak: true }, { speak: true }] : [];
      const { placed, uas } = await survey({ kind: 'answer', ringMs: 300, steps: [{ pauseMs: 2500 }, { keys: digit }, ...speak], end: 'wait' }, 700 + Number(digit));
      assert.equal(placed.accepted, true, placed.detail);
      await until(() => app!.services.answers.some((a) => a.callId === placed.callId), 40000, 'the answer');
      const a = app!.services.answers.find((x) => x.callId === placed.callId)!;
      assert.deepEqual([a.ticketId, a.attempt, a.outcome, a.digit], [700 + Number(digit), 1, outcome, digit]);
      assert.equal(await uas.done, 0, 'the survey thanks and hangs up');
      await app!.waitFor('call_ended', (e) => e.callId === placed.callId);
      if (digit === '3') {
        await until(() => app!.services.answers.some((x) => x.callId === placed.callId && !!x.reasonRecordingPath), 10000, 'the reason');
        const reason = app!.services.answers.find((x) => x.reasonRecordingPath)!.reasonRecordingPath!;
        await until(() => wavBytes(reason) > 32000, 5000, `the reason ${reason} written`);
      }
      await app!.log.flush();
      const row = await callRow(placed.callId!);
      assert.deepEqual([row.direction, row.purpose, Number(row.ticket_id)], ['outbound', 'survey', 700 + Number(digit)]);
      assert.ok(row.ended_at);
    });
  }

  it('survey: a wrong key (9), the question again, then 2 — "basically_satisfied"', async function () {
    needSipp.call(this);
    const { placed } = await survey({ kind: 'answer', ringMs: 300, steps: [{ pauseMs: 2500 }, { keys: '9' }, { pauseMs: 6000 }, { keys: '2' }], end: 'wait' }, 704);
    await until(() => app!.services.answers.some((a) => a.callId === placed.callId), 60000, 'the answer');
    assert.deepEqual(app!.services.answers.map((a) => [a.outcome, a.digit]), [['basically_satisfied', '2']]);
  });

  it('survey: no key at all — "no_input" after the question twice', async function () {
    needSipp.call(this);
    const { placed } = await survey({ kind: 'answer', ringMs: 300, end: 'wait' }, 705);
    await until(() => app!.services.answers.some((a) => a.callId === placed.callId), 90000, 'the answer');
    assert.deepEqual(app!.services.answers.map((a) => [a.outcome, a.digit]), [['no_input', null]]);
  });

  it('survey: busy — "busy" from OriginateResponse, nothing stored as an answer', async function () {
    needSipp.call(this);
    const { placed } = await survey({ kind: 'busy' }, 706);
    assert.deepEqual([placed.accepted, placed.outcome], [false, 'busy']);
    assert.deepEqual(app!.services.answers, []);
  });

  it('survey: no answer within the originate time-out — "no_answer"', async function () {
    needSipp.call(this);
    const { placed } = await survey({ kind: 'ring' }, 707);
    assert.deepEqual([placed.accepted, placed.outcome], [false, 'no_answer']);
  });

  it('survey: a Local test citizen keys 1 (no SIP): "satisfied"', async () => {
    app = await startApp({ SURVEY_DIAL: 'Local/{phone}@hotline-test-callee' });
    await until(() => app!.tel.status().prompts?.ok === true, 15000, 'the prompt check');
    const placed = await app.tel.placeSurveyCall({ ticketId: 708, ticketNumber: '202611230708', phone: '13900000001', attempt: 1 });
    assert.equal(placed.accepted, true, placed.detail);
    await until(() => app!.services.answers.length > 0, 30000, 'the survey answer');
    assert.deepEqual([app.services.answers[0].ticketId, app.services.answers[0].outcome, app.services.answers[0].digit], [708, 'satisfied', '1']);
  });

  it('survey: a busy Local test citizen is "busy"', async () => {
    app = await startApp({ SURVEY_DIAL: 'Local/{phone}@hotline-test-callee' });
    await until(() => app!.tel.status().prompts?.ok === true, 15000, 'the prompt check');
    const placed = await app.tel.placeSurveyCall({ ticketId: 709, ticketNumber: '202611230709', phone: '13900000017', attempt: 1 });
    assert.deepEqual([placed.accepted, placed.outcome], [false, 'busy']);
  });

  it('a Local test caller keys 2 during the greeting and leaves a message: a draft ticket', async () => {
    app = await startApp();
    await app.tel.ami.action({
      action: 'Originate', channel: `Local/${NUMBER}@hotline-inbound`, context: 'hotline-test-caller', exten: 's', priority: '1',
      callerid: '"Test" <13900000099>', async: 'true', timeout: '10000',
    });
    await until(() => app!.services.drafts.length > 0, 40000, 'the draft ticket');
    assert.equal(app.services.drafts[0].reason, 'caller_choice');
    assert.match(app.services.drafts[0].recordingPath, /message_.*\.wav$/);
  });

  // ——— the app or the switch goes away with calls up ———

  it('the app is killed while a caller waits in the queue; restarted, it takes the caller back: after the wait, message or call back', async function () {
    needSipp.call(this);
    app = await startApp({ IVR_QUEUE_MAX_WAIT_S: '20' });
    const c = citizen('13900000111', [{ pauseMs: 52000 }, { keys: '2' }, { pauseMs: 3000 }, { keys: '2' }], 'wait');
    const queued = await app.waitFor('call_queued');
    await sleep(3000);
    await app.crash();
    await sleep(4000);
    const again = await startApp({ IVR_QUEUE_MAX_WAIT_S: '20' });
    app = again;
    // The queue's wait ends; the dialplan hands the call back to the restarted app (no greeting again).
    await until(() => again.services.callbacks.some((x) => x.callId === queued.callId && x.reason === 'requested'), 90000, 'the call back chosen after the restart');
    assert.equal(await c.done, 0);
    await again.log.flush();
    const row = await callRow(queued.callId);
    assert.ok(row.ended_at && row.queued_at, JSON.stringify(row));
  });

  it('the app is killed while the caller talks to an operator; the call goes on, and the restarted app ends it right and frees the operator', async function () {
    needSipp.call(this);
    app = await startApp();
    await phone('1001', { kind: 'answer', ringMs: 500, steps: [{ pauseMs: 15000 }], end: 'bye' });
    await app.tel.setAgentState('1001', { state: 'ready' });
    const c = citizen('13900000112', [], 'wait');
    const answered = await app.waitFor('call_answered', (e) => e.agent === '1001');
    await app.crash();
    await sleep(2000);
    const again = await startApp();
    app = again;
    assert.deepEqual(again.tel.getAgentState('1001'), { state: 'on_call', callId: answered.callId }, 'restored on the call');
    await again.waitFor('call_ended', (e) => e.callId === answered.callId, 60000);
    assert.equal(await c.done, 0);
    await until(() => again.tel.getAgentState('1001').state === 'wrap_up', 10000, 'wrap-up after the call');
    await again.log.flush();
    const row = await callRow(answered.callId);
    assert.ok(row.answered_at && row.ended_at);
    assert.notEqual(row.hangup_cause, 'LOST_WHILE_DISCONNECTED');
  });

  it('the app is killed during a survey; the answer given meanwhile is stored by the restarted app', async function () {
    needSipp.call(this);
    const { placed } = await survey({ kind: 'answer', ringMs: 300, steps: [{ pauseMs: 6000 }, { keys: '1' }], end: 'wait' }, 710);
    assert.equal(placed.accepted, true);
    await app!.crash();
    await sleep(12000);
    const again = await startApp();
    app = again;
    await until(() => again.services.answers.some((a) => a.callId === placed.callId), 40000, 'the answer from AstDB');
    assert.deepEqual(again.services.answers.map((a) => [a.ticketId, a.outcome]), [[710, 'satisfied']]);
  });

  it('the AMI connection drops mid-call: the app reconnects and the call still ends right', async function () {
    needSipp.call(this);
    app = await startApp();
    await phone('1001', { kind: 'answer', ringMs: 500, steps: [{ pauseMs: 8000 }], end: 'bye' });
    await app.tel.setAgentState('1001', { state: 'ready' });
    const c = citizen('13900000113', [], 'wait');
    const answered = await app.waitFor('call_answered', (e) => e.agent === '1001');
    // The TCP connection dies under the app (as a network fault would).
    ((app.tel.ami as unknown as { m: { disconnect(): void } }).m).disconnect();
    await app.waitFor('telephony_down');
    await until(() => app!.tel.status().connected, 20000, 'reconnected');
    await app.waitFor('call_ended', (e) => e.callId === answered.callId, 60000);
    assert.equal(await c.done, 0);
    await until(() => app!.tel.getAgentState('1001').state === 'wrap_up', 10000, 'wrap-up');
  });

  it('`core restart now` with a call up: the app sees the switch go and come back, closes the lost call, and puts the operators back', async function () {
    needSipp.call(this);
    app = await startApp();
    await phone('1001', { kind: 'answer', ringMs: 500, steps: [{ pauseMs: 60000 }], end: 'bye' });
    await app.tel.setAgentState('1001', { state: 'ready' });
    await app.tel.setAgentState('1002', { state: 'on_break', reason: 'meeting' });
    citizen('13900000114', [], 'wait');
    const answered = await app.waitFor('call_answered', (e) => e.agent === '1001');
    execFileSync(ASTERISK_CLI, ['-rx', 'core restart now']);
    await app.waitFor('telephony_down');
    await until(() => app!.tel.status().connected, 90000, 'reconnected after the restart');
    const ended = await app.waitFor('call_ended', (e) => e.callId === answered.callId, 30000);
    assert.ok(ended.hangupCause, ended.hangupCause);
    await until(() => app!.tel.getAgentState('1001').state !== 'on_call', 40000, 'the operator no longer on the lost call');
    // Put back by the reconcile at FullyBooted (app_queue may not be loaded yet when AMI takes the login).
    let m2: Awaited<ReturnType<typeof member>> = null;
    const deadline = Date.now() + 20000;
    while (!(m2 = await member(app, '1002')) && Date.now() < deadline) await sleep(500);
    assert.deepEqual(m2 && [field(m2, 'paused'), field(m2, 'pausedreason')], ['1', 'meeting'], 'the break is put back on the restarted switch');
  });

  it('no agent is left in the queue by these tests', async () => {
    app = await startApp();
    for (const a of AGENTS) await app.tel.setAgentState(a, { state: 'logged_out' });
    for (const a of AGENTS) assert.equal(await member(app, a), null);
  });
});
