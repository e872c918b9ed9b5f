// Every call is a row in `calls`, every recording a row in `recordings` (001_core).
// Rows are written from call events as they come: the recording path is stored the
// moment recording starts, so a crash never orphans a file; at start-up, files in the
// recordings directory without a row are adopted.
//
// The events that came during one turn of the event loop are written in one transaction:
// on SQLite (WAL, synchronous=FULL) every commit waits for an fsync, and better-sqlite3 waits
// in the app's only thread. When every statement committed on its own, a burst of calls
// stalled the whole app (bench:ivr's burst with the call log, load ~7: the event loop stood
// still for up to 0.8–1.0 s). An event's write is done (its promise resolves) only once its
// transaction has committed, as before; events are written in the order they came.
//
// A transaction also ends once its statements have held the event loop for `sliceMs` (10 ms):
// better-sqlite3 runs every statement in the app's only thread, and knex does not yield to the
// event loop between them, so one turn's 500 events (bench:ivr's burst: every call starting at
// once) held it for 130–450 ms, during which no call's next step was sent. The rest of the
// batch follows in the next transaction, after the event loop has had a turn.
//
// The statements are plain SQL, the same text for both databases. On SQLite they run on the
// transaction's own better-sqlite3 connection, as prepared statements (storage/statement-cache
// keeps them): knex's query builder, its compiler and its promise per statement cost the app
// about as much CPU as SQLite itself in bench:ivr's burst with the call log. On PostgreSQL they go
// through the transaction's knex.raw. Transactions, their order and what each event's promise
// means are unchanged: the batch is still one knex transaction, committed before any of its
// events is done.
import fs from 'node:fs';
import path from 'node:path';
import { Knex } from 'knex';
import type BetterSqlite3 from 'better-sqlite3';
import { dbKind } from '../storage/db';
import { CallEvent, SwitchKind, Telephony } from './telephony';

export interface CallLogOptions {
  switchKind: SwitchKind;
  now?: () => Date;
  onError?: (err: Error, e: CallEvent) => void;
  /** How long (ms) one transaction's statements may hold the event loop before it commits and lets other work in (default 10). */
  sliceMs?: number;
  /**
   * The shortest time (ms) from one transaction's start to the next one's, while events keep coming
   * (default 50). After a quiet spell an event's transaction starts after the event loop's turn, as
   * before; under a stream of events they are grouped into at most one commit per `groupMs`.
   */
  groupMs?: number;
}

const SLICE_MS = 10;
const GROUP_MS = 50;

type Row = Record<string, unknown>;

/** Runs the call log's SQL (`?` placeholders) in one transaction. */
interface Statements {
  run(sql: string, args: Knex.RawBinding[]): Promise<void> | void;
  first(sql: string, args: Knex.RawBinding[]): Promise<Row | undefined> | Row | undefined;
}

/** The call events that write rows (record() below). */
const WRITTEN = new Set<CallEvent['type']>([
  'call_started', 'call_queued', 'call_answered', 'call_abandoned', 'call_ended',
  'recording_started', 'recording_ended', 'recording_failed', 'message_left', 'survey_result',
]);

export class CallLog {
  private now: () => Date;
  /** Events waiting for the next transaction, with what to call once it committed. */
  private waiting: { e: CallEvent; done: () => void }[] = [];
  /** The writer at work (it writes until nothing waits), or null. */
  private writing: Promise<void> | null = null;
  /** When (performance.now()) the last transaction began. */
  private lastBegan = -Infinity;

  constructor(private db: Knex, private o: CallLogOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** Subscribes to a telephony's call events; returns the unsubscribe function. */
  attach(t: Telephony): () => void {
    return t.onEvent((e) => void this.enqueue(e));
  }

  /** Queues the event's write behind every earlier one; resolves once it is committed (or failed and reported); never throws. */
  enqueue(e: CallEvent): Promise<void> {
    if (!WRITTEN.has(e.type)) return Promise.resolve(); // nothing to write (no transaction for it)
    return new Promise((done) => {
      this.waiting.push({ e, done });
      // The first event of a turn starts the writer after the turn (and no sooner than groupMs after
      // the last transaction began), so that the events meanwhile join it.
      this.writing ??= this.groupWait().then(() => this.write());
    });
  }

  /** Waits until every queued write is done. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Until the event loop's turn is over, and groupMs has passed since the last transaction began. */
  private groupWait(): Promise<void> {
    const wait = this.lastBegan + (this.o.groupMs ?? GROUP_MS) - performance.now();
    return new Promise<void>((r) => (wait > 0 ? setTimeout(r, wait) : setImmediate(r)));
  }

  /** Writes what waits, one transaction per batch (or slice of one), in order, until nothing waits. */
  private async write(): Promise<void> {
    while (this.waiting.length) {
      const batch = this.waiting;
      this.waiting = [];
      this.lastBegan = performance.now();
      const written = await this.writeBatch(batch.map((b) => b.e));
      for (let i = 0; i < written; i++) batch[i].done();
      if (written < batch.length) {
        // The slice's time was up: the rest goes first in the next transaction, once the event loop has had its turn.
        this.waiting = batch.slice(written).concat(this.waiting);
        await new Promise<void>((r) => setImmediate(r));
      } else if (this.waiting.length) {
        // Events that came while this batch was written: grouped with those still to come for groupMs.
        await this.groupWait();
      }
    }
    this.writing = null;
  }

  /**
   * One transaction for the batch's first events: all of them, or as many as fit in `sliceMs`
   * (at least one). Returns how many were written (committed, or failed and reported). When one
   * of them fails, the transaction is rolled back and each of its events written again in a
   * transaction of its own, so that a bad event costs only its own write. (A savepoint per event
   * would do the same in one pass, but knex's nested transactions cost the burst about 1 s more
   * of app CPU than the rare second pass.)
   */
  private async writeBatch(events: CallEvent[]): Promise<number> {
    let n = events.length;
    if (n > 1) {
      const budget = this.o.sliceMs ?? SLICE_MS;
      let done = 0;
      try {
        await this.db.transaction(async (trx) => {
          const q = await this.statements(trx);
          const t0 = performance.now();
          for (const e of events) {
            if (done > 0 && performance.now() - t0 >= budget) break;
            await this.record(e, q);
            done++;
          }
        });
        return done;
      } catch {
        // rolled back: the events it held (those written and the one that failed) each on its own below
        n = Math.min(done + 1, events.length);
      }
    }
    for (const e of events.slice(0, n)) {
      try {
        await this.db.transaction(async (trx) => this.record(e, await this.statements(trx)));
      } catch (err) {
        try {
          if (this.o.onError) this.o.onError(err as Error, e);
          else console.error(`[ivr] call log: ${e.type}: ${(err as Error).message}`);
        } catch (err2) {
          console.error(`[ivr] call log: reporting a failed ${e.type}: ${(err2 as Error).message}`);
        }
      }
    }
    return n;
  }

  /** The statements of the transaction `trx`: its SQLite connection's prepared statements, or knex.raw. */
  private async statements(trx: Knex.Transaction): Promise<Statements> {
    if (dbKind(this.db) !== 'sqlite') {
      return {
        run: async (sql, args) => void (await trx.raw(sql, args)),
        first: async (sql, args) => ((await trx.raw(sql, args)) as { rows: Row[] }).rows[0],
      };
    }
    // The transaction's own connection (knex hands it out while the transaction is open); prepare() is cached.
    const conn = (await trx.client.acquireConnection()) as BetterSqlite3.Database;
    return {
      run: (sql, args) => void conn.prepare(sql).run(args),
      first: (sql, args) => conn.prepare(sql).get(args) as Row | undefined,
    };
  }

  /** Calls of this switch whose row has no end yet (for the reconciliation after an app restart). */
  async openCallIds(): Promise<string[]> {
    const rows = await this.db('calls').where({ switch: this.o.switchKind }).whereNull('ended_at').select('id');
    return rows.map((r) => String(r.id));
  }

  /** A call's row, made by the first of its events to come (the others' columns are null until their events). */
  private async ensureCall(q: Statements, callId: string, at: string, f: { direction?: string; purpose?: string; caller?: string | null; callee?: string | null; ticketId?: number | null } = {}): Promise<void> {
    await q.run(
      'insert into calls (id, switch, direction, purpose, caller, callee, ticket_id, offered_at, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing',
      [callId, this.o.switchKind, f.direction ?? 'inbound', f.purpose ?? 'hotline', f.caller ?? null, f.callee ?? null, f.ticketId ?? null, at, this.now().toISOString()],
    );
  }

  /** The call's row points at `ticketId` unless it points at a ticket already (the first link stays). */
  private async linkTicket(q: Statements, callId: string, ticketId: number): Promise<void> {
    await q.run('update calls set ticket_id = ? where id = ? and ticket_id is null', [ticketId, callId]);
  }

  /** Writes one event's rows with `q` (the batch's transaction's statements). */
  private async record(e: CallEvent, q: Statements): Promise<void> {
    switch (e.type) {
      case 'call_started':
        await this.ensureCall(q, e.callId, e.at, {
          direction: e.direction, purpose: e.purpose, caller: e.caller || null, callee: e.callee || null, ticketId: e.ticketId,
        });
        // A row made earlier by a later event (events of one call can cross) gets the start's facts;
        // a start learnt again later (an app restart) with less known never blanks what is stored.
        await q.run('update calls set direction = ?, purpose = ?, caller = coalesce(?, caller), callee = coalesce(?, callee) where id = ?', [
          e.direction, e.purpose, e.caller || null, e.callee || null, e.callId,
        ]);
        return;
      case 'call_queued':
        await this.ensureCall(q, e.callId, e.at, { caller: e.caller });
        await q.run('update calls set queued_at = ?, queue = ? where id = ? and queued_at is null', [e.at, e.queue, e.callId]);
        return;
      case 'call_answered': {
        await this.ensureCall(q, e.callId, e.at);
        const agent = await q.first('select id from users where extension = ? limit 1', [e.agent]);
        await q.run('update calls set answered_at = ?, agent_user_id = ?, queue_wait_ms = ? where id = ?', [
          e.at, agent ? Number(agent.id) : null, e.queueWaitMs ?? null, e.callId,
        ]);
        return;
      }
      case 'call_abandoned':
        await this.ensureCall(q, e.callId, e.at, { caller: e.caller });
        await q.run('update calls set abandoned_at = ?, queue_wait_ms = ? where id = ?', [e.at, e.queueWaitMs ?? null, e.callId]);
        return;
      case 'call_ended': {
        await this.ensureCall(q, e.callId, e.at);
        await q.run('update calls set ended_at = ?, hangup_cause = ? where id = ? and ended_at is null', [e.at, e.hangupCause, e.callId]);
        // A ticket an operator saved with this call's id (during the call) is linked from its row.
        const t = await q.first('select id from tickets where call_id = ? order by id limit 1', [e.callId]);
        if (t) await this.linkTicket(q, e.callId, Number(t.id));
        return;
      }
      case 'recording_started':
        await q.run('insert into recordings (call_id, path, kind, started_at, created_at) values (?, ?, ?, ?, ?) on conflict (path) do nothing', [
          e.callId, e.path, e.kind, e.at, this.now().toISOString(),
        ]);
        return;
      case 'recording_ended': {
        const row = await q.first('select started_at from recordings where path = ? limit 1', [e.path]);
        const duration = row ? Date.parse(e.at) - Date.parse(String(row.started_at)) : null;
        await q.run('update recordings set ended_at = ?, duration_ms = ? where path = ? and ended_at is null', [e.at, duration, e.path]);
        return;
      }
      case 'recording_failed':
        // The file was never written: no row may point at it.
        await q.run('delete from recordings where path = ? and ticket_id is null', [e.path]);
        return;
      case 'message_left':
        await q.run('update recordings set ticket_id = ? where path = ?', [e.ticketId, e.path]);
        await this.linkTicket(q, e.callId, e.ticketId);
        return;
      case 'survey_result':
        if (e.callId) await this.linkTicket(q, e.callId, e.ticketId);
        return;
      default:
        return;
    }
  }

  /**
   * Files in `localDir` (the recordings directory as this host sees it) that have no row
   * are adopted: kind and call id come from the file name (`<kind>_<call id>.wav`), the
   * start time from the file. `switchDir` is the same directory as the switch names it.
   */
  async adoptOrphanRecordings(localDir: string, switchDir: string): Promise<number> {
    if (!fs.existsSync(localDir)) return 0;
    const files = fs.readdirSync(localDir).filter((f) => f.endsWith('.wav'));
    let adopted = 0;
    for (const f of files) {
      const p = `${switchDir}/${f}`;
      if (await this.db('recordings').where({ path: p }).first('id')) continue;
      // fallback_<uuid>.wav: the dialplan recorded the call while the app was away.
      // Named by the call id: a FreeSWITCH UUID, or an Asterisk uniqueid (1795459069.12).
      const m = /^(call|message|survey_reason|fallback)_([0-9a-f-]{36}|\d+\.\d+)\.wav$/i.exec(f);
      const st = fs.statSync(path.join(localDir, f));
      await this.db('recordings')
        .insert({
          call_id: m ? m[2] : null, path: p, kind: m && m[1] !== 'fallback' ? m[1] : 'call',
          started_at: st.birthtime.getTime() > 0 ? st.birthtime.toISOString() : st.mtime.toISOString(),
          ended_at: st.mtime.toISOString(), created_at: this.now().toISOString(),
        })
        .onConflict('path')
        .ignore();
      adopted++;
    }
    return adopted;
  }
}
