// The return-visit dialer and the survey flow, against the ESL test server.
import assert from 'node:assert/strict';
import { DialerSettings, ReturnVisitDialer, shouldRetry, surveyCapacity } from '../../ivr/dialer';
import { mapOriginateResult, originateArgs } from '../../ivr/freeswitch/originate';
import { HOLD_MUSIC_FILE, PROMPTS, PromptKey, promptFile } from '../../ivr/prompts';
import { TelephonyError } from '../../ivr/telephony';
import { Harness, startHarness, until } from './harness';

const settings: DialerSettings = {
  maxConcurrent: 2, trunkLines: 0, inboundReserve: 0, pacingMs: 0, callingHours: '09:00-20:00', timeZone: 'Asia/Shanghai',
  maxAttempts: 3, retryAfterMs: 2 * 3600 * 1000,
};

describe('return-visit dialer', () => {
  describe('originate results, as FreeSWITCH words them', () => {
    it('maps every recorded failure to its own outcome, and configuration errors to an error', () => {
      assert.deepEqual(mapOriginateResult('+OK 9182a1c0-a7cb-42c2-8415-c5e000734ce8\n'), { kind: 'answered', callId: '9182a1c0-a7cb-42c2-8415-c5e000734ce8' });
      assert.equal((mapOriginateResult('-ERR USER_BUSY\n') as { outcome: string }).outcome, 'busy');
      assert.equal((mapOriginateResult('-ERR NO_ANSWER\n') as { outcome: string }).outcome, 'no_answer');
      assert.equal((mapOriginateResult('-ERR NORMAL_TEMPORARY_FAILURE\n') as { outcome: string }).outcome, 'unreachable');
      assert.equal((mapOriginateResult('-ERR CALL_REJECTED\n') as { outcome: string }).outcome, 'rejected');
      assert.equal(mapOriginateResult('-ERR INVALID_PROFILE\n').kind, 'error');
      assert.equal(mapOriginateResult('-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>]\n').kind, 'error');
    });

    const TOKEN = '0123456789abcdef0123456789abcdef';
    it('quotes the socket application, carries the ticket in channel variables and refuses a phone that could change the dial string', () => {
      const s = { dial: 'sofia/gateway/carrier/{phone}', callerId: '12345', originateTimeoutS: 30, socketAddress: '127.0.0.1:8084' };
      assert.equal(
        originateArgs({ ticketId: 7, ticketNumber: '202611230007', phone: '13800001111', attempt: 2 }, s, TOKEN),
        `{origination_caller_id_number=12345,ignore_early_media=true,originate_timeout=30,return_visit_ticket_id=7,return_visit_ticket=202611230007,return_visit_attempt=2,return_visit_token=${TOKEN}}sofia/gateway/carrier/13800001111 '&socket(127.0.0.1:8084 async full)'`,
      );
      assert.throws(() => originateArgs({ ticketId: 7, ticketNumber: 'x', phone: '138,absolute_codec_string=PCMU', attempt: 1 }, s, TOKEN), TelephonyError);
      assert.throws(() => originateArgs({ ticketId: 7, ticketNumber: '202611230007', phone: '13800001111', attempt: 1 }, s, 'x,foo=bar'), TelephonyError);
    });

    it('retries unanswered attempts up to the limit, never a given answer', () => {
      assert.equal(shouldRetry('busy', 1, 3), true);
      assert.equal(shouldRetry('no_answer', 3, 3), false);
      assert.equal(shouldRetry('satisfied', 1, 3), false);
      assert.equal(shouldRetry('unsatisfied', 1, 3), false);
    });

    it('leaves the lines inbound callers need', () => {
      const s = { ...settings, maxConcurrent: 10, trunkLines: 30, inboundReserve: 8 };
      assert.equal(surveyCapacity(s, 0, 0), 10);
      assert.equal(surveyCapacity(s, 15, 0), 7);
      assert.equal(surveyCapacity(s, 22, 0), 0);
      assert.equal(surveyCapacity(s, 15, 7), 0);
    });
  });

  describe('survey calls through the switch', () => {
    let h: Harness;
    afterEach(async () => { await h?.close(); });

    it('a callee who presses 1 is satisfied, stored the moment the digit arrives, then hears the answer confirmed and thanks', async () => {
      h = await startHarness({ server: { callees: { '0301234567': { kind: 'answer', caller: { inputs: ['1'] } } } } });
      const seenAtStore: string[][] = [];
      const orig = h.services.recordSurveyAnswer.bind(h.services);
      h.services.recordSurveyAnswer = async (a) => {
        seenAtStore.push(h.fs.executed.map((x) => `${x.app} ${x.arg.split('/').pop()}`));
        return orig(a);
      };
      const placed = await h.tel.placeSurveyCall({ ticketId: 42, ticketNumber: '202611230042', phone: '0301234567', attempt: 1 });
      assert.equal(placed.accepted, true);
      const result = await h.waitFor('survey_result', (e) => e.ticketId === 42);
      assert.equal(result.outcome, 'satisfied');
      assert.equal(result.digit, '1');
      assert.equal(h.services.answers[0].outcome, 'satisfied');
      assert.equal(h.services.answers[0].callId, placed.callId);
      // at the moment the answer was stored, nothing after the question had run yet
      assert.deepEqual(seenAtStore[0].map((x) => x.split(' ')[0]), ['answer', 'play_and_get_digits']);
      await h.waitFor('call_ended', (e) => e.callId === placed.callId);
      assert.ok(h.fs.commandLog.includes(`api uuid_setvar ${placed.callId} return_visit_result satisfied`), 'return_visit_result set on the channel');
      const played = h.fs.executed.filter((x) => x.app === 'playback').map((x) => x.arg.split('/').pop());
      assert.deepEqual(played, ['survey_confirm_satisfied.wav', 'survey_thanks.wav']);
    });

    it('a callee who presses nothing is "no input", and 3 is unsatisfied with a recorded reason', async () => {
      h = await startHarness({
        server: {
          callees: {
            '0301234567': { kind: 'answer', caller: { inputs: [] } },
            '0307654321': { kind: 'answer', caller: { inputs: ['3'] } },
          },
        },
      });
      await h.tel.placeSurveyCall({ ticketId: 1, ticketNumber: '202611230001', phone: '0301234567', attempt: 1 });
      assert.equal((await h.waitFor('survey_result', (e) => e.ticketId === 1)).outcome, 'no_input');
      const p = await h.tel.placeSurveyCall({ ticketId: 2, ticketNumber: '202611230002', phone: '0307654321', attempt: 1 });
      assert.equal((await h.waitFor('survey_result', (e) => e.ticketId === 2)).outcome, 'unsatisfied');
      await h.waitFor('call_ended', (e) => e.callId === p.callId);
      const withReason = h.services.answers.find((a) => a.ticketId === 2 && a.reasonRecordingPath);
      assert.equal(withReason?.reasonRecordingPath, `/var/lib/freeswitch/recordings/hotline/survey_reason_${p.callId}.wav`);
    });

    it('a callee who hangs up before answering the question is "hung up"', async () => {
      h = await startHarness({ server: { callees: { '0301234567': { kind: 'answer', caller: { hangUpAt: { app: 'play_and_get_digits' } } } } } });
      await h.tel.placeSurveyCall({ ticketId: 5, ticketNumber: '202611230005', phone: '0301234567', attempt: 1 });
      assert.equal((await h.waitFor('survey_result', (e) => e.ticketId === 5)).outcome, 'hung_up');
    });

    it('busy, no answer and unreachable are distinct outcomes', async () => {
      h = await startHarness({
        server: { callees: { '0300000001': { kind: 'busy' }, '0300000002': { kind: 'no_answer' }, '0300000003': { kind: 'unreachable' } } },
      });
      const outcomes = [];
      for (const phone of ['0300000001', '0300000002', '0300000003']) {
        const r = await h.tel.placeSurveyCall({ ticketId: 9, ticketNumber: '202611230009', phone, attempt: 1 });
        assert.equal(r.accepted, false);
        outcomes.push(r.outcome);
      }
      assert.deepEqual(outcomes, ['busy', 'no_answer', 'unreachable']);
    });

    it('prompts the switch cannot find are checked at start and on each reconnect: surveys wait, the status says which (issue 15 fault 4)', async () => {
      h = await startHarness({ server: { callees: { '0301234567': { kind: 'answer', caller: { inputs: ['1'] } } } } });
      await until(() => h.tel.status().prompts?.ok === true, 3000, 'prompts checked at start');
      h.fs.missingFiles = ['/usr/share/freeswitch/sounds/hotline/survey_question.wav'];
      h.fs.injectRaw('Content-Type: text/bogus\n\n'); // the connection drops and comes back: checked again
      await until(() => h.tel.status().prompts?.ok === false, 3000, 'the missing prompt noticed on reconnect');
      assert.deepEqual(h.tel.status().prompts?.missing, ['/usr/share/freeswitch/sounds/hotline/survey_question.wav']);
      await assert.rejects(h.tel.placeSurveyCall({ ticketId: 3, ticketNumber: '202611230003', phone: '0301234567', attempt: 1 }), /缺少提示音/);
      assert.ok(!h.fs.commandLog.some((l) => l.startsWith('bgapi originate')), 'no call placed');
      h.fs.missingFiles = [];
      h.fs.injectRaw('Content-Type: text/bogus\n\n');
      await until(() => h.tel.status().prompts?.ok === true, 3000, 'prompts back');
      const placed = await h.tel.placeSurveyCall({ ticketId: 3, ticketNumber: '202611230003', phone: '0301234567', attempt: 1 });
      assert.equal(placed.accepted, true);
    });

    it('prompts missing at connect are asked again at each reconcile, one check at a time: surveys resume within a reconcile once the files are there', async () => {
      const dir = '/usr/share/freeswitch/sounds/hotline';
      let missing = [`${dir}/survey_question.wav`];
      h = await startHarness({
        server: {
          callees: { '0301234567': { kind: 'answer', caller: { inputs: ['1'] } } },
          api: { file_exists: (args) => (missing.some((m) => args.trim() === m) ? 'false' : 'true') },
        },
      });
      await until(() => h.tel.status().prompts?.ok === false, 3000, 'the missing prompt noticed at connect');
      const req = { ticketId: 3, ticketNumber: '202611230003', phone: '0301234567', attempt: 1 };
      await assert.rejects(h.tel.placeSurveyCall(req), /缺少提示音/);
      // A reconcile with the prompt still missing asks again, and still refuses.
      const asked = () => h.fs.commandLog.filter((l) => l.startsWith('api file_exists ')).length;
      const before = asked();
      await h.tel.reconcile();
      await until(() => asked() === 2 * before, 3000, 'asked again at the reconcile');
      await new Promise((r) => setTimeout(r, 100)); // the last answer read: the check is over
      assert.equal(h.tel.status().prompts?.ok, false);
      await assert.rejects(h.tel.placeSurveyCall(req), /缺少提示音/);
      // The operator puts the file there: two reconciles while the check runs make one check, not two at once.
      missing = [];
      await Promise.all([h.tel.reconcile(), h.tel.reconcile()]);
      await until(() => h.tel.status().prompts?.ok === true, 3000, 'prompts back after a reconcile, without a reconnect');
      const files = [...Object.keys(PROMPTS).map((k) => `${dir}/${promptFile(k as PromptKey)}`), `${dir}/${HOLD_MUSIC_FILE}`];
      const log = h.fs.commandLog.filter((l) => l.startsWith('api file_exists ')).map((l) => l.slice('api file_exists '.length).trim());
      assert.equal(log.length, 3 * files.length, 'three whole checks: at connect and at two of the three reconciles');
      assert.deepEqual(log, [...files, ...files, ...files], 'each check asked every file in turn, none interleaved with another');
      const placed = await h.tel.placeSurveyCall(req);
      assert.equal(placed.accepted, true);
      assert.equal((await h.waitFor('survey_result', (e) => e.ticketId === 3)).outcome, 'satisfied');
    });

    it('a misspelled profile is a configuration error, not a citizen who did not answer', async () => {
      h = await startHarness({ env: { SURVEY_DIAL: 'sofia/extrenal/{phone}@127.0.0.1:5070' } });
      await assert.rejects(
        h.tel.placeSurveyCall({ ticketId: 9, ticketNumber: '202611230009', phone: '0300000001', attempt: 1 }),
        (e: Error) => e instanceof TelephonyError && e.message.includes('INVALID_PROFILE'),
      );
    });

    it('the dialer never runs more survey calls than its cap, stores busy at once and calls again later', async () => {
      const callees: Record<string, { kind: 'answer'; caller: { inputs: string[] } } | { kind: 'busy' }> = { '0300000009': { kind: 'busy' } };
      for (let i = 0; i < 5; i++) callees[`031000000${i}`] = { kind: 'answer', caller: { inputs: ['2'] } };
      h = await startHarness({ server: { callees, playbackMs: 30 } });
      const clock = new Date('2026-11-23T02:00:00Z');
      const dialer = new ReturnVisitDialer(h.tel, h.services, settings, () => clock);
      dialer.start(5);
      dialer.enqueue({ ticketId: 100, ticketNumber: '202611230100', phone: '0300000009', attempt: 1 });
      for (let i = 0; i < 5; i++) dialer.enqueue({ ticketId: i + 1, ticketNumber: `20261123000${i + 1}`, phone: `031000000${i}`, attempt: 1 });
      let maxLive = 0;
      const sample = setInterval(() => { maxLive = Math.max(maxLive, h.fs.channels.size); }, 2);
      await until(() => h.services.answers.filter((a) => a.outcome === 'basically_satisfied').length === 5, 8000, 'five answers');
      clearInterval(sample);
      dialer.stop();
      assert.ok(maxLive <= settings.maxConcurrent, `at most ${settings.maxConcurrent} calls at once, saw ${maxLive}`);
      assert.deepEqual(h.services.answers.filter((a) => a.ticketId === 100).map((a) => [a.outcome, a.attempt]), [['busy', 1]]);
      assert.equal(dialer.pending, 1); // the second attempt waits for its time
    });

    it('no survey call goes out at night', async () => {
      h = await startHarness({ server: { callees: { '0310000000': { kind: 'answer', caller: { inputs: ['1'] } } } } });
      const night = new Date('2026-11-23T14:00:00Z'); // 22:00 in Shouguang
      const dialer = new ReturnVisitDialer(h.tel, h.services, settings, () => night);
      dialer.enqueue({ ticketId: 1, ticketNumber: '202611230001', phone: '0310000000', attempt: 1 });
      await dialer.tick();
      assert.equal(dialer.pending, 1);
      assert.equal(h.fs.commandLog.filter((l) => l.startsWith('bgapi originate')).length, 0);
    });
  });
});
