// Calls and recordings are rows (real SQLite, or PostgreSQL with TEST_DATABASE_URL).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Knex } from 'knex';
import sinon from 'sinon';
import { CallLog } from '../../ivr/call-log';
import { CallEvent } from '../../ivr/telephony';
import { closeTestDb, openTestDb } from '../support/db';
import { Harness, startHarness, until } from './harness';

async function seed(db: Knex): Promise<number> {
  await db('units').insert({ code: 'SG-CENTER', name: '寿光市社会治理服务中心', kind: 'center' });
  const [row] = await db('users')
    .insert({ username: 'op1001', display_name: '话务员一', role: 'operator', unit_code: 'SG-CENTER', password_hash: 'x', extension: '1001', created_at: new Date().toISOString() })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

async function seedTicket(db: Knex, id: number, number: string): Promise<void> {
  const at = '2026-11-23T02:00:00.000Z';
  await db('tickets').insert({ id, number, channel: 'hotline', kind: 'consult', status: 'draft', content: '语音留言', urgency: 'general', accepted_at: at, updated_at: at });
}

describe('call log', () => {
  let db: Knex;
  let h: Harness | null = null;
  beforeEach(async () => { db = await openTestDb(); });
  afterEach(async () => {
    await h?.close();
    h = null;
    await closeTestDb(db);
  });

  it('an answered call is one row with its times, queue wait, agent and hang-up cause; its recording is stored when it starts', async () => {
    const userId = await seed(db);
    h = await startHarness();
    const log = new CallLog(db, { switchKind: 'freeswitch' });
    log.attach(h.tel);
    await h.tel.setAgentState('1001', { state: 'ready' });
    const call = h.fs.placeCall({ caller: '0309990001', app: h.app, script: { talkMs: 40 } });
    const rec = await h.waitFor('recording_started', (e) => e.callId === call.uuid);
    await log.flush();
    const early = await db('recordings').where({ path: rec.path }).first();
    assert.equal(early.call_id, call.uuid, 'the path is in the database while the call is still going');
    assert.equal(early.kind, 'call');
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    await until(() => h!.events.some((e) => e.type === 'recording_ended' && e.callId === call.uuid), 2000, 'recording end');
    await log.flush();
    const row = await db('calls').where({ id: call.uuid }).first();
    assert.equal(row.direction, 'inbound');
    assert.equal(row.purpose, 'hotline');
    assert.equal(row.caller, '0309990001');
    assert.equal(row.queue, 'hotline');
    assert.equal(Number(row.agent_user_id), userId);
    assert.ok(row.offered_at && row.queued_at && row.answered_at && row.ended_at);
    assert.equal(row.abandoned_at, null);
    assert.equal(typeof Number(row.queue_wait_ms), 'number');
    assert.equal(row.hangup_cause, 'NORMAL_CLEARING');
    const done = await db('recordings').where({ path: rec.path }).first();
    assert.ok(done.ended_at);
  });

  it('an abandoned call keeps its abandon time; a message is linked to its draft ticket', async () => {
    await seedTicket(db, 1, '202611230001');
    h = await startHarness();
    const log = new CallLog(db, { switchKind: 'freeswitch' });
    log.attach(h.tel);
    const gaveUp = h.fs.placeCall({ caller: '0309990003', app: h.app });
    await h.waitFor('call_queued', (e) => e.callId === gaveUp.uuid);
    gaveUp.hangup('NORMAL_CLEARING');
    await h.waitFor('call_ended', (e) => e.callId === gaveUp.uuid);
    const msg = h.fs.placeCall({ caller: '0305550123', app: h.app, script: { inputs: ['2'] } });
    await h.waitFor('call_ended', (e) => e.callId === msg.uuid);
    await log.flush();
    const ab = await db('calls').where({ id: gaveUp.uuid }).first();
    assert.ok(ab.abandoned_at);
    assert.equal(ab.answered_at, null);
    const m = await db('calls').where({ id: msg.uuid }).first();
    assert.equal(Number(m.ticket_id), 1);
    const r = await db('recordings').where({ call_id: msg.uuid, kind: 'message' }).first();
    assert.equal(Number(r.ticket_id), 1);
  });

  it('events of one call that cross (end before start) still make a correct row', async () => {
    const log = new CallLog(db, { switchKind: 'freeswitch' });
    const id = '5f0d1c2e-1111-4222-8333-944455566677';
    await log.enqueue({ type: 'call_ended', at: '2026-11-23T02:01:00.000Z', callId: id, hangupCause: 'USER_BUSY' });
    await log.enqueue({ type: 'call_started', at: '2026-11-23T02:00:50.000Z', callId: id, direction: 'outbound', purpose: 'survey', caller: '12345', callee: '13800001111', ticketId: null });
    const row = await db('calls').where({ id }).first();
    assert.deepEqual([row.direction, row.purpose, row.callee, row.hangup_cause], ['outbound', 'survey', '13800001111', 'USER_BUSY']);
  });

  it('the events of one turn are written in one transaction, in the order they came; each is done once it is committed', async () => {
    // (No time limit on the transaction here: see the next test.)
    const log = new CallLog(db, { switchKind: 'freeswitch', sliceMs: Infinity });
    const tx = sinon.spy(db, 'transaction');
    try {
      const ids = Array.from({ length: 20 }, (_, i) => `5f0d1c2e-1111-4222-8333-9444555666${String(i).padStart(2, '0')}`);
      const writes: Promise<void>[] = [];
      for (const id of ids) {
        // The end before the start, as events of one call can cross: the row still comes out right.
        writes.push(log.enqueue({ type: 'call_ended', at: '2026-11-23T02:01:00.000Z', callId: id, hangupCause: 'NORMAL_CLEARING' }));
        writes.push(log.enqueue({ type: 'call_started', at: '2026-11-23T02:00:50.000Z', callId: id, direction: 'inbound', purpose: 'hotline', caller: '0301', callee: '12345', ticketId: null }));
        writes.push(log.enqueue({ type: 'recording_started', at: '2026-11-23T02:00:51.000Z', callId: id, path: `/rec/call_${id}.wav`, kind: 'call' }));
      }
      await writes[0];
      // Resolved only after the commit: the rows of the whole batch are there.
      assert.equal(Number((await db('calls').count({ n: '*' }))[0].n), 20);
      await Promise.all(writes);
      assert.equal(tx.callCount, 1);
      const rows = await db('calls').orderBy('id').select('direction', 'callee', 'hangup_cause');
      assert.ok(rows.every((r) => r.direction === 'inbound' && r.callee === '12345' && r.hangup_cause === 'NORMAL_CLEARING'));
      assert.equal(Number((await db('recordings').count({ n: '*' }))[0].n), 20);
      // A later turn is a transaction of its own.
      await log.enqueue({ type: 'call_ended', at: '2026-11-23T02:02:00.000Z', callId: 'another', hangupCause: 'USER_BUSY' });
      assert.equal(tx.callCount, 2);
      await log.flush();
    } finally {
      tx.restore();
    }
  });

  it('a turn whose writes would hold the event loop past sliceMs is cut into transactions, in order, with the event loop getting its turn between them; each event is done once its own transaction committed', async () => {
    const log = new CallLog(db, { switchKind: 'freeswitch', sliceMs: 0 }); // 0: one event per transaction
    const tx = sinon.spy(db, 'transaction');
    try {
      const id = '5f0d1c2e-1111-4222-8333-944455566677';
      const done: string[] = [];
      const events: CallEvent[] = [
        { type: 'call_ended', at: '2026-11-23T02:01:00.000Z', callId: id, hangupCause: 'NORMAL_CLEARING' },
        { type: 'call_started', at: '2026-11-23T02:00:50.000Z', callId: id, direction: 'inbound', purpose: 'hotline', caller: '0301', callee: '12345', ticketId: null },
        { type: 'recording_started', at: '2026-11-23T02:00:51.000Z', callId: id, path: `/rec/call_${id}.wav`, kind: 'call' },
        { type: 'recording_ended', at: '2026-11-23T02:01:00.000Z', callId: id, path: `/rec/call_${id}.wav` },
      ];
      const writes = events.map((e) => log.enqueue(e).then(() => done.push(e.type)));
      let doneAtNextTurn = -1;
      setImmediate(() => setImmediate(() => { doneAtNextTurn = done.length; }));
      await writes[2];
      // Done only once committed: its rows are there (read outside the writer's transaction).
      assert.equal(Number((await db('recordings').count({ n: '*' }))[0].n), 1);
      await Promise.all(writes);
      assert.deepEqual(done, events.map((e) => e.type));
      assert.equal(tx.callCount, 4);
      assert.ok(doneAtNextTurn >= 0 && doneAtNextTurn < 4, `the event loop had a turn between the transactions (${doneAtNextTurn} done then)`);
      const row = await db('calls').where({ id }).first();
      assert.equal(row.callee, '12345');
      assert.equal(row.hangup_cause, 'NORMAL_CLEARING');
      assert.equal((await db('recordings').where({ call_id: id }).first()).duration_ms, 9000);
      await log.flush();
    } finally {
      tx.restore();
    }
  });

  it('a stream of events is grouped into at most one transaction per groupMs, in order, each event done once committed; after a quiet spell an event is written at once', async () => {
    // (sliceMs long: a slow commit under load may cut a batch into slices, each its own transaction right after the last —
    // the event loop's share, not grouping, which is what this checks.)
    const log = new CallLog(db, { switchKind: 'freeswitch', groupMs: 40, sliceMs: 10_000 });
    const starts: number[] = [];
    const transaction = db.transaction.bind(db);
    const tx = sinon.stub(db, 'transaction').callsFake(((cb: never) => {
      starts.push(performance.now());
      return transaction(cb);
    }) as never);
    try {
      const done: number[] = [];
      const writes: Promise<void>[] = [];
      const t0 = performance.now();
      // An event every 4 ms for 200 ms (50 events, 50 turns): one transaction per turn before, about 5 now.
      for (let i = 0; i < 50; i++) {
        const id = `5f0d1c2e-2222-4222-8333-9444555666${String(i).padStart(2, '0')}`;
        writes.push(log.enqueue({ type: 'call_ended', at: '2026-11-23T02:01:00.000Z', callId: id, hangupCause: 'NORMAL_CLEARING' }).then(async () => {
          done.push(i);
          // Done only once committed: its row is there, read outside the writer's transaction.
          assert.ok(await db('calls').where({ id }).first(), `row ${i} committed when done`);
        }));
        await new Promise((r) => setTimeout(r, 4));
      }
      await Promise.all(writes);
      assert.deepEqual(done, Array.from({ length: 50 }, (_, i) => i));
      // Each transaction began at least groupMs after the one before, less the millisecond a timer's delay is truncated
      // to (a loaded machine only spreads them further): 50
      // events, one per turn before grouping, in a few transactions.
      const gaps = starts.slice(1).map((t, i) => t - starts[i]);
      assert.ok(Math.min(...gaps) >= 38, `transactions began ${gaps.map((g) => g.toFixed(0)).join(', ')} ms apart`);
      assert.ok(tx.callCount >= 2 && tx.callCount <= 25, `${tx.callCount} transactions in ${(performance.now() - t0).toFixed(0)} ms`);
      // The first event, and one after a quiet spell longer than groupMs, do not wait for a group.
      const quiet = new CallLog(db, { switchKind: 'freeswitch', groupMs: 300 });
      for (const id of ['first', 'after-quiet']) {
        const t1 = performance.now();
        await quiet.enqueue({ type: 'call_ended', at: '2026-11-23T02:02:00.000Z', callId: id, hangupCause: 'NORMAL_CLEARING' });
        assert.ok(performance.now() - t1 < 150, `${id}: written ${(performance.now() - t1).toFixed(0)} ms after it came`);
        await new Promise((r) => setTimeout(r, 320));
      }
      await log.flush();
    } finally {
      tx.restore();
    }
  });

  it('an event whose write fails costs only its own write: the others of its turn are written, the failure reported once', async () => {
    const failed: string[] = [];
    const log = new CallLog(db, { switchKind: 'freeswitch', onError: (err, e) => failed.push(`${e.type}`) });
    const id = '5f0d1c2e-1111-4222-8333-944455566699';
    const writes = [
      log.enqueue({ type: 'call_started', at: '2026-11-23T02:00:50.000Z', callId: id, direction: 'inbound', purpose: 'hotline', caller: '0301', callee: '12345', ticketId: null }),
      // kind is NOT NULL: this insert fails
      log.enqueue({ type: 'recording_started', at: '2026-11-23T02:00:51.000Z', callId: id, path: '/rec/bad.wav', kind: null } as unknown as CallEvent),
      log.enqueue({ type: 'recording_started', at: '2026-11-23T02:00:51.000Z', callId: id, path: `/rec/call_${id}.wav`, kind: 'call' }),
      log.enqueue({ type: 'call_ended', at: '2026-11-23T02:01:00.000Z', callId: id, hangupCause: 'NORMAL_CLEARING' }),
    ];
    await Promise.all(writes);
    assert.deepEqual(failed, ['recording_started']);
    const row = await db('calls').where({ id }).first();
    assert.deepEqual([row.callee, row.hangup_cause], ['12345', 'NORMAL_CLEARING']);
    assert.deepEqual((await db('recordings').select('path')).map((r) => r.path), [`/rec/call_${id}.wav`]);
  });

  it('at start-up, recording files without a row are adopted, once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recs-'));
    const id = '0b5e7a4c-2f6e-4d3a-9a41-3c2f1e0d9b87';
    fs.writeFileSync(path.join(dir, `call_${id}.wav`), 'RIFF');
    fs.writeFileSync(path.join(dir, 'known.wav'), 'RIFF');
    await db('recordings').insert({ path: '/rec/known.wav', kind: 'call', started_at: '2026-11-23T02:00:00.000Z', created_at: '2026-11-23T02:00:00.000Z' });
    const log = new CallLog(db, { switchKind: 'freeswitch' });
    assert.equal(await log.adoptOrphanRecordings(dir, '/rec'), 1);
    assert.equal(await log.adoptOrphanRecordings(dir, '/rec'), 0);
    const r = await db('recordings').where({ path: `/rec/call_${id}.wav` }).first();
    assert.equal(r.call_id, id);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a recording that could not be made leaves no row pointing at a file that does not exist', async () => {
    const log = new CallLog(db, { switchKind: 'asterisk' });
    const id = '1795459100.21';
    const p = '/var/spool/asterisk/monitor/hotline/message_1795459100.21.wav';
    await log.enqueue({ type: 'call_started', at: '2026-11-23T02:00:00.000Z', callId: id, direction: 'inbound', purpose: 'hotline', caller: '13600003333', callee: '12345', ticketId: null });
    await log.enqueue({ type: 'recording_started', at: '2026-11-23T02:00:10.000Z', callId: id, path: p, kind: 'message' });
    assert.ok(await db('recordings').where({ path: p }).first());
    await log.enqueue({ type: 'recording_failed', at: '2026-11-23T02:00:10.100Z', callId: id, path: p, detail: 'RECORD FILE: 200 result=-1 (writefile)' });
    assert.equal(await db('recordings').where({ path: p }).first(), undefined);
  });

  it('recordings named by an Asterisk uniqueid are adopted with their call id', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recs-'));
    fs.writeFileSync(path.join(dir, 'fallback_1795459069.12.wav'), 'RIFF');
    fs.writeFileSync(path.join(dir, 'message_1795459069.12.wav'), 'RIFF');
    const log = new CallLog(db, { switchKind: 'asterisk' });
    assert.equal(await log.adoptOrphanRecordings(dir, '/rec'), 2);
    const rows = await db('recordings').orderBy('path').select('call_id', 'kind', 'path');
    assert.deepEqual(rows.map((r) => [r.call_id, r.kind]), [['1795459069.12', 'call'], ['1795459069.12', 'message']]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
