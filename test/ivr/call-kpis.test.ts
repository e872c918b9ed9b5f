// The supervisors' telephony figures: answer rate and answered within 15 s.
import assert from 'node:assert/strict';
import { callKpis, CallRow, loadCallKpis } from '../../ivr/call-kpis';
import { closeTestDb, openTestDb } from '../support/db';

const row = (o: Partial<CallRow>): CallRow => ({
  direction: 'inbound', purpose: 'hotline', queued_at: '2026-11-23T02:00:00.000Z', answered_at: null, abandoned_at: null, queue_wait_ms: null, ...o,
});

describe('telephony figures for supervisors', () => {
  it('answer rate is answered ÷ calls that asked for an operator; IVR-only calls and survey calls do not count', () => {
    const rows: CallRow[] = [
      ...Array.from({ length: 18 }, () => row({ answered_at: '2026-11-23T02:00:08.000Z', queue_wait_ms: 8000 })),
      row({ answered_at: '2026-11-23T02:00:40.000Z', queue_wait_ms: 40000 }),
      row({ abandoned_at: '2026-11-23T02:00:30.000Z', queue_wait_ms: 30000 }),
      row({ queued_at: null }), // read back a ticket's status, never queued
      row({ direction: 'outbound', purpose: 'survey', queued_at: null }),
    ];
    const k = callKpis(rows);
    assert.equal(k.offered, 20);
    assert.equal(k.answered, 19);
    assert.equal(k.abandoned, 1);
    assert.equal(k.answerRate, 0.95);
    assert.equal(k.answerRateMet, true);
    assert.equal(k.answeredWithin15s, 18);
    assert.equal(k.within15sRate, 0.9);
  });

  it('one more abandoned call puts the answer rate under 95 %', () => {
    const rows = [...Array.from({ length: 18 }, () => row({ answered_at: 'x', queue_wait_ms: 1000 })), row({ abandoned_at: 'y' }), row({ abandoned_at: 'z' })];
    const k = callKpis(rows);
    assert.equal(k.answerRate, 0.9);
    assert.equal(k.answerRateMet, false);
  });

  it('no calls: no rate, rather than 0 % or 100 %', () => {
    assert.deepEqual([callKpis([]).answerRate, callKpis([]).answerRateMet], [null, null]);
  });

  it('reads the figures for a period from the calls table', async () => {
    const db = await openTestDb();
    try {
      const base = { switch: 'freeswitch', direction: 'inbound', purpose: 'hotline', created_at: '2026-11-23T02:00:00.000Z', queued_at: '2026-11-23T02:00:01.000Z' };
      await db('calls').insert([
        { ...base, id: 'a', offered_at: '2026-11-23T02:00:00.000Z', answered_at: '2026-11-23T02:00:05.000Z', queue_wait_ms: 4000 },
        { ...base, id: 'b', offered_at: '2026-11-23T03:00:00.000Z', abandoned_at: '2026-11-23T03:00:20.000Z', queue_wait_ms: 19000 },
        { ...base, id: 'c', offered_at: '2026-11-24T03:00:00.000Z', answered_at: '2026-11-24T03:00:05.000Z', queue_wait_ms: 4000 },
      ]);
      const k = await loadCallKpis(db, '2026-11-23T00:00:00.000Z', '2026-11-24T00:00:00.000Z');
      assert.deepEqual([k.offered, k.answered, k.abandoned, k.answerRate], [2, 1, 1, 0.5]);
    } finally {
      await closeTestDb(db);
    }
  });
});
