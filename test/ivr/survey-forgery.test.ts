// Issue 13 item 4: whoever reaches IVR_LISTEN can pose as the switch. A survey answer is
// taken only on a call the dialer placed, carrying its one-time token, and only once.
import assert from 'node:assert/strict';
import { Knex } from 'knex';
import { KnexSurveyLedger } from '../../ivr/survey-ledger';
import { closeTestDb, openTestDb } from '../support/db';
import { Harness, startHarness, until } from './harness';

const PHONE = '0301234567';

describe('forged survey calls (issue 13 item 4)', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  /** A connection to the IVR listener that claims to be a survey leg for `ticketId` and keys 1. */
  function forge(hh: Harness, vars: Record<string, string>, uuid?: string) {
    const ch = hh.fs.placeCall({ caller: '12345', destination: PHONE, app: hh.app, script: { inputs: ['1'] } });
    if (uuid) {
      hh.fs.channels.delete(ch.uuid);
      ch.uuid = uuid;
      hh.fs.channels.set(uuid, ch);
    }
    Object.assign(ch.variables, vars);
    return ch;
  }

  it('a "survey" the dialer never placed is hung up and closes nothing, whatever ticket it names', async () => {
    h = await startHarness();
    const ch = forge(h, { return_visit_ticket_id: '5', return_visit_ticket: '202611230005', return_visit_attempt: '1' });
    await until(() => !ch.up, 3000, 'the forged call hung up');
    assert.equal(ch.variables.hangup_cause, 'CALL_REJECTED');
    assert.deepEqual(h.services.answers, []);
    assert.ok(!h.fs.executed.some((x) => x.uuid === ch.uuid && x.app === 'play_and_get_digits'), 'no survey question was played');
  });

  it('a placed survey call answers once; the same call id and token presented again are refused', async () => {
    h = await startHarness({ server: { callees: { [PHONE]: { kind: 'answer', caller: { inputs: ['2'] } } } } });
    const placed = await h.tel.placeSurveyCall({ ticketId: 42, ticketNumber: '202611230042', phone: PHONE, attempt: 1 });
    assert.equal(placed.accepted, true);
    await h.waitFor('call_ended', (e) => e.callId === placed.callId);
    const line = h.fs.commandLog.find((l) => l.startsWith('bgapi originate'))!;
    const token = /return_visit_token=([0-9a-f]{32})/.exec(line)![1];
    const before = h.services.answers.length;
    // The forger learnt the call's id and token (a log, a packet capture) and replays them with a "1".
    const replay = forge(h, { return_visit_ticket_id: '42', return_visit_attempt: '1', return_visit_token: token }, placed.callId!);
    await until(() => !replay.up, 3000, 'the replay hung up');
    assert.equal(h.services.answers.length, before);
    assert.deepEqual(h.services.answers.map((a) => [a.ticketId, a.outcome]), [[42, 'basically_satisfied']]);
  });

  it('a wrong token on a placed call id is refused, and the ticket the channel names is never used', async () => {
    h = await startHarness({ server: { callees: { [PHONE]: { kind: 'no_answer', afterMs: 300 } } } });
    const placing = h.tel.placeSurveyCall({ ticketId: 43, ticketNumber: '202611230043', phone: PHONE, attempt: 1 });
    await until(() => h!.fs.commandLog.some((l) => l.startsWith('bgapi originate')), 2000, 'the originate');
    const callId = /origination_uuid=([0-9a-f-]{36})/.exec(h.fs.commandLog.find((l) => l.startsWith('bgapi originate'))!)![1];
    const forged = forge(h, { return_visit_ticket_id: '99', return_visit_attempt: '1', return_visit_token: 'f'.repeat(32) }, callId);
    await until(() => !forged.up, 3000, 'the forged call hung up');
    assert.deepEqual(h.services.answers, []);
    assert.equal((await placing).outcome, 'no_answer');
  });
});

describe('the survey ledger in the database', () => {
  let db: Knex;
  beforeEach(async () => { db = await openTestDb(); });
  afterEach(async () => { await closeTestDb(db); });

  it('a call is claimed once, by the right token, even by two servers at the same moment', async () => {
    const a = new KnexSurveyLedger(db);
    const b = new KnexSurveyLedger(db);
    const id = '9182a1c0-a7cb-42c2-8415-c5e000734ce8';
    await a.expect(id, { ticketId: 7, attempt: 2 }, 'a'.repeat(32), '2026-11-23T02:00:00.000Z');
    assert.equal(await a.claim(id, 'b'.repeat(32), '2026-11-23T02:00:01.000Z'), null);
    assert.equal(await a.claim('00000000-0000-0000-0000-000000000000', 'a'.repeat(32), '2026-11-23T02:00:01.000Z'), null);
    const both = await Promise.all([a.claim(id, 'a'.repeat(32), '2026-11-23T02:00:02.000Z'), b.claim(id, 'a'.repeat(32), '2026-11-23T02:00:02.000Z')]);
    assert.deepEqual(both.filter(Boolean), [{ ticketId: 7, attempt: 2 }]);
    assert.equal(await b.claim(id, null, '2026-11-23T02:00:03.000Z'), null, 'claimed is claimed, whoever asks');
  });
});
