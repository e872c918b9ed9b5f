// The whole hotline with its FreeSWITCH adapter against the ESL test server: what the
// switch reports reaches the tickets, the call log, the return visits and /healthz.
import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, call, reviewedTicket, choosePassword } from '../support/hotline';
import { EslTestServer } from '../esl/server';
import { until } from '../support/until';
import { parseIvrConfig } from '../../ivr/config';
import { FreeSwitchTelephony } from '../../ivr/freeswitch/adapter';
import { SwitchFactory } from '../../server/telephony';

const PASSWORD = 'test-secret';
const MONDAY_10 = Date.parse('2026-11-23T02:00:00Z');
const SUNDAY_21 = Date.parse('2026-11-22T13:00:00Z');

function freeswitchAt(fs: EslTestServer, port: number): SwitchFactory {
  return ({ services, agents, now, wrapUpMs }) => {
    const config = parseIvrConfig({
      FREESWITCH_ESL: `127.0.0.1:${port}:${PASSWORD}`, IVR_LISTEN: '127.0.0.1:0', SURVEY_DIAL: 'sofia/external/{phone}@127.0.0.1:5070', SURVEY_PACING_MS: '0',
    });
    const telephony = new FreeSwitchTelephony({ config, services, agents, now, wrapUpMs, backoff: { initialMs: 20, maxMs: 100 } });
    return { telephony, survey: config.survey };
  };
}

describe('start-up wiring: FreeSWITCH through the Event Socket', function () {
  this.timeout(30_000);
  let fs: EslTestServer;
  let h: TestHotline;
  let now = MONDAY_10;

  before(async () => {
    fs = new EslTestServer({ password: PASSWORD, playbackMs: 5, callees: { '13800001111': { kind: 'answer', caller: { inputs: ['1'] } } } });
    const port = await fs.listen();
    h = await startTestHotline({ now: () => new Date(now), env: { SCHEDULER_INTERVAL_MS: '0' }, telephony: freeswitchAt(fs, port) });
    await until('telephony up', async () => (await call(h.base, 'GET', '/healthz')).body.telephony.connected);
  });
  after(async () => {
    await h?.close();
    await fs?.close();
  });

  it('/healthz reports the switch connected', async () => {
    const r = await call(h.base, 'GET', '/healthz');
    assert.deepEqual([r.body.telephony.configured, r.body.telephony.kind, r.body.telephony.connected], [true, 'freeswitch', true]);
  });

  it('a return visit is called through the switch; the citizen presses 1 and the ticket is closed satisfied', async () => {
    now = MONDAY_10;
    const op = await h.as('op01');
    const cgj = await h.as('cgj');
    const id = await reviewedTicket(op, cgj, 'cgj', { citizenPhone: '13800001111' });
    await h.hotline.visits.tick();
    const closed = await until('the ticket closed by the survey', async () => {
      const t = await h.db('tickets').where({ id }).first();
      return t.status === 'closed' ? t : null;
    });
    assert.equal(closed.satisfaction, 'satisfied');
    const visit = await h.db('return_visits').where({ ticket_id: id }).first();
    assert.deepEqual([visit.method, visit.outcome, visit.attempt], ['auto_call', 'satisfied', 1]);
    const survey = await until('the survey call logged', () => h.db('calls').where({ id: visit.call_id }).first());
    assert.equal(survey.purpose, 'survey');
  });

  it('after hours a caller leaves a message: a draft ticket with the recording, for the operators', async () => {
    now = SUNDAY_21;
    const port = (h.hotline.telephony as FreeSwitchTelephony).ivrPort;
    fs.placeCall({ caller: '13912345678', app: { host: '127.0.0.1', port }, script: { inputs: ['2'] } });
    const draft = await until('a draft ticket', () => h.db('tickets').where({ status: 'draft', citizen_phone: '13912345678' }).first());
    assert.equal(draft.channel, 'hotline');
    const rec = await until('the message recording linked', () => h.db('recordings').where({ ticket_id: draft.id }).first());
    assert.equal(rec.kind, 'message');
  });

  it("an operator an administrator adds at the desk takes calls at once: the extension joins the switch's queue without a restart", async () => {
    now = MONDAY_10;
    const admin = await h.as('admin');
    const created = await admin('POST', '/api/admin/users', { username: 'op45', displayName: '接线员45', role: 'operator', unit: 'center', extension: '1045' });
    assert.equal(created.status, 201);
    // The operator signs in with the one-time password and chooses their own first.
    const token = await choosePassword(h.base, 'op45', created.body.password);
    const ready = await call(h.base, 'PUT', '/api/desk/agent', { state: 'ready' }, { authorization: `Bearer ${token}` });
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.equal(ready.body.state.state, 'ready');
    await until('the agent available on the switch', async () => fs.callcenter.agents.get('1045@hotline')?.status === 'Available');

    // Disabled while ready: logged out of the queue at once, so that no call rings there.
    assert.equal((await admin('PATCH', `/api/admin/users/${created.body.user.id}`, { active: false })).status, 200);
    await until('the agent logged out on the switch', async () => fs.callcenter.agents.get('1045@hotline')?.status === 'Logged Out');
    assert.deepEqual(h.hotline.telephony!.getAgentState('1045'), { state: 'logged_out' });
  });

  it('the greeting follows the calendar in force: a holiday a supervisor loads is after hours at once', async () => {
    now = Date.parse('2027-01-04T02:00:00Z'); // Monday 10:00, a working day until the schedule says otherwise
    const sup = await h.as('sup01');
    const put = await sup('PUT', '/api/calendar/schedules/2027', {
      year: 2027, title: '测试用：2027 年安排', holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-04' }],
    });
    assert.equal(put.status, 200);
    const port = (h.hotline.telephony as FreeSwitchTelephony).ivrPort;
    fs.placeCall({ caller: '13912340000', app: { host: '127.0.0.1', port }, script: { inputs: [] } });
    const draft = await until('a draft ticket', () => h.db('tickets').where({ status: 'draft', citizen_phone: '13912340000' }).first());
    assert.equal(draft.title, '非工作时间留言');
  });

  it('/healthz is public: it says whether prompts and whole-call recordings work, never which files or which call', async () => {
    // By now the calls above were recorded and the prompts checked.
    await until('prompts and recording known', async () => {
      const t = (await call(h.base, 'GET', '/healthz')).body.telephony;
      return !!t.prompts && !!t.recording;
    });
    const t = (await call(h.base, 'GET', '/healthz')).body.telephony;
    assert.deepEqual([t.prompts, t.recording], [{ ok: true }, { ok: true }]);
    assert.ok(!/hotline\/|\.wav|call_/.test(JSON.stringify(t)), JSON.stringify(t));
  });
});
