// One suite, two switches: the behaviours the rest of the system relies on, run against
// the FreeSWITCH adapter (ESL test server) and the Asterisk adapter (AMI test server)
// through the Telephony interface only. A city picks its switch; nothing else changes.
import assert from 'node:assert/strict';
import { CallEvent, Telephony } from '../../ivr/telephony';
import { InMemoryHotline } from '../ivr/fake-services';
import { EslTestServer } from '../esl/server';
import { ESL_PASSWORD, startHarness as startFreeSwitch } from '../ivr/harness';
import { startHarness as startAsterisk } from './harness';

type Callee = 'keys_1' | 'busy' | 'no_answer';

interface Running {
  tel: Telephony;
  events: CallEvent[];
  services: InMemoryHotline;
  /** What the callee does once the call is up (the ESL test server scripts it in advance). */
  answered(callId: string): void;
  restartSwitch(): Promise<void>;
  close(): Promise<void>;
}

const PHONE = '0301234567';

const SWITCHES: { name: string; start: (callee: Callee) => Promise<Running> }[] = [
  {
    name: 'FreeSWITCH',
    start: async (callee) => {
      const behaviour = callee === 'keys_1' ? { kind: 'answer' as const, caller: { inputs: ['1'] } } : { kind: callee };
      const h = await startFreeSwitch({ server: { callees: { [PHONE]: behaviour } } });
      let restarted: EslTestServer | null = null;
      return {
        tel: h.tel, events: h.events, services: h.services, answered: () => undefined,
        // FreeSWITCH goes away (SHUTDOWN, the socket closes) and comes back on the same port.
        restartSwitch: async () => {
          const port = h.fs.port;
          await h.fs.shutdown();
          restarted = new EslTestServer({ password: ESL_PASSWORD });
          await restarted.listen(port);
        },
        close: async () => {
          await h.close();
          await restarted?.close();
        },
      };
    },
  },
  {
    name: 'Asterisk',
    start: async (callee) => {
      const h = await startAsterisk({ server: { dial: () => (callee === 'keys_1' ? { kind: 'answer' } : { kind: callee, afterMs: 20 }) } });
      return {
        tel: h.tel, events: h.events, services: h.services,
        answered: (callId) => h.ast.surveyDigit(callId, '1'),
        restartSwitch: async () => h.ast.restart(),
        close: () => h.close(),
      };
    },
  },
];

async function waitFor(r: Running, pred: (e: CallEvent) => boolean, what: string, ms = 5000): Promise<CallEvent> {
  const deadline = Date.now() + ms;
  for (;;) {
    const e = r.events.find(pred);
    if (e) return e;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; got ${r.events.map((x) => x.type).join(', ')}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

for (const sw of SWITCHES) {
  describe(`the same telephony behaviours on ${sw.name}`, () => {
    let r: Running | null = null;
    afterEach(async () => {
      await r?.close();
      r = null;
    });

    it('a return-visit callee who keys 1 is stored as satisfied for the ticket and attempt', async () => {
      r = await sw.start('keys_1');
      const placed = await r.tel.placeSurveyCall({ ticketId: 9, ticketNumber: '202611230009', phone: PHONE, attempt: 1 });
      assert.equal(placed.accepted, true);
      r.answered(placed.callId!);
      const res = await waitFor(r, (e) => e.type === 'survey_result', 'survey_result');
      assert.deepEqual(res.type === 'survey_result' && [res.ticketId, res.attempt, res.outcome, res.digit], [9, 1, 'satisfied', '1']);
      assert.deepEqual(r.services.answers.map((a) => [a.ticketId, a.outcome]), [[9, 'satisfied']]);
      const started = r.events.find((e) => e.type === 'call_started');
      assert.deepEqual(started?.type === 'call_started' && [started.direction, started.purpose, started.ticketId], ['outbound', 'survey', 9]);
    });

    for (const callee of ['busy', 'no_answer'] as const) {
      it(`a ${callee} callee is "${callee}", the call record is closed, and no answer is stored`, async () => {
        r = await sw.start(callee);
        const placed = await r.tel.placeSurveyCall({ ticketId: 9, ticketNumber: '202611230009', phone: PHONE, attempt: 1 });
        assert.deepEqual([placed.accepted, placed.outcome], [false, callee]);
        await waitFor(r, (e) => e.type === 'call_ended' && e.callId === placed.callId, 'call_ended');
        assert.equal(r.services.answers.length, 0);
      });
    }

    it('agent state belongs to the app: a break needs a reason, an unknown agent is refused', async () => {
      r = await sw.start('busy');
      await r.tel.setAgentState('1001', { state: 'ready' });
      assert.deepEqual(r.tel.getAgentState('1001'), { state: 'ready' });
      await assert.rejects(r.tel.setAgentState('1001', { state: 'on_break', reason: '' }), /小休必须填写原因/);
      await assert.rejects(r.tel.setAgentState('7777', { state: 'ready' }), /未知的坐席/);
      assert.deepEqual(r.tel.listAgents().map((a) => a.agent).sort(), ['1001', '1002']);
    });

    it('an agent added while running starts logged out and can get ready; adding a known one changes nothing', async () => {
      r = await sw.start('busy');
      await r.tel.setAgentState('1001', { state: 'ready' });
      r.tel.addAgent('7777');
      r.tel.addAgent('1001');
      assert.deepEqual(r.tel.getAgentState('7777'), { state: 'logged_out' });
      assert.deepEqual(r.tel.getAgentState('1001'), { state: 'ready' });
      await r.tel.setAgentState('7777', { state: 'ready' });
      assert.deepEqual(r.tel.getAgentState('7777'), { state: 'ready' });
      assert.deepEqual(r.tel.listAgents().map((a) => a.agent).sort(), ['1001', '1002', '7777']);
    });

    it('a switch restart is reported down then up, and the operators keep their state', async () => {
      r = await sw.start('busy');
      await r.tel.setAgentState('1002', { state: 'on_break', reason: '培训' });
      await r.restartSwitch();
      await waitFor(r, (e) => e.type === 'telephony_down', 'telephony_down');
      await waitFor(r, (e) => e.type === 'telephony_up' && r!.events.filter((x) => x.type === 'telephony_up').length === 2, 'a second telephony_up');
      assert.deepEqual(r.tel.getAgentState('1002'), { state: 'on_break', reason: '培训' });
      assert.equal(r.tel.status().connected, true);
    });
  });
}
