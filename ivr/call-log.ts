// Every call is a row in `calls`, every recording a row in `recordings` (001_core).
// Rows are written from call events as they come: the recording path is stored the
// moment recording starts, so a crash never orphans a file; at start-up, files in the
// recordings directory without a row are adopted.
import fs from 'node:fs';
import path from 'node:path';
import { Knex } from 'knex';
import { CallEvent, SwitchKind, Telephony } from './telephony';

export interface CallLogOptions {
  switchKind: SwitchKind;
  now?: () => Date;
  onError?: (err: Error, e: CallEvent) => void;
}

export class CallLog {
  private now: () => Date;
  /** Writes for one call run in order; different calls run side by side. */
  private chains = new Map<string, Promise<void>>();

  constructor(private db: Knex, private o: CallLogOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** Subscribes to a telephony's call events; returns the unsubscribe function. */
  attach(t: Telephony): () => void {
    return t.onEvent((e) => void this.enqueue(e));
  }

  /** Queues the event's write behind earlier writes of the same call; never throws. */
  enqueue(e: CallEvent): Promise<void> {
    const key = 'callId' in e && e.callId ? e.callId : '';
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.record(e)).catch((err: Error) => {
      if (this.o.onError) this.o.onError(err, e);
      else console.error(`[ivr] call log: ${e.type}: ${err.message}`);
    });
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  /** Waits until every queued write is done. */
  async flush(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private async ensureCall(callId: string, at: string, fields: Record<string, unknown> = {}): Promise<void> {
    await this.db('calls')
      .insert({ id: callId, switch: this.o.switchKind, direction: 'inbound', purpose: 'hotline', offered_at: at, created_at: this.now().toISOString(), ...fields })
      .onConflict('id')
      .ignore();
  }

  private async agentUserId(extension: string): Promise<number | null> {
    const row = await this.db('users').where({ extension }).first('id');
    return row ? Number(row.id) : null;
  }

  /** A ticket an operator saved with this call's id (during the call) is linked from its row. */
  private async linkSavedTicket(callId: string): Promise<void> {
    const t = await this.db('tickets').where({ call_id: callId }).orderBy('id').first('id');
    if (t) await this.db('calls').where({ id: callId }).whereNull('ticket_id').update({ ticket_id: t.id });
  }

  /** Calls of this switch whose row has no end yet (for the reconciliation after an app restart). */
  async openCallIds(): Promise<string[]> {
    const rows = await this.db('calls').where({ switch: this.o.switchKind }).whereNull('ended_at').select('id');
    return rows.map((r) => String(r.id));
  }

  async record(e: CallEvent): Promise<void> {
    switch (e.type) {
      case 'call_started':
        await this.ensureCall(e.callId, e.at, {
          direction: e.direction, purpose: e.purpose, caller: e.caller || null, callee: e.callee || null, ticket_id: e.ticketId,
        });
        // A row made earlier by a later event (events of one call can cross) gets the start's facts;
        // a start learnt again later (an app restart) with less known never blanks what is stored.
        await this.db('calls').where({ id: e.callId }).update({
          direction: e.direction, purpose: e.purpose, ...(e.caller ? { caller: e.caller } : {}), ...(e.callee ? { callee: e.callee } : {}),
        });
        return;
      case 'call_queued':
        await this.ensureCall(e.callId, e.at, { caller: e.caller });
        await this.db('calls').where({ id: e.callId }).whereNull('queued_at').update({ queued_at: e.at, queue: e.queue });
        return;
      case 'call_answered':
        await this.ensureCall(e.callId, e.at);
        await this.db('calls').where({ id: e.callId }).update({
          answered_at: e.at, agent_user_id: await this.agentUserId(e.agent), queue_wait_ms: e.queueWaitMs,
        });
        return;
      case 'call_abandoned':
        await this.ensureCall(e.callId, e.at, { caller: e.caller });
        await this.db('calls').where({ id: e.callId }).update({ abandoned_at: e.at, queue_wait_ms: e.queueWaitMs });
        return;
      case 'call_ended':
        await this.ensureCall(e.callId, e.at);
        await this.db('calls').where({ id: e.callId }).whereNull('ended_at').update({ ended_at: e.at, hangup_cause: e.hangupCause });
        await this.linkSavedTicket(e.callId);
        return;
      case 'recording_started':
        await this.db('recordings')
          .insert({ call_id: e.callId, path: e.path, kind: e.kind, started_at: e.at, created_at: this.now().toISOString() })
          .onConflict('path')
          .ignore();
        return;
      case 'recording_ended': {
        const row = await this.db('recordings').where({ path: e.path }).first('started_at');
        const duration = row ? Date.parse(e.at) - Date.parse(row.started_at) : null;
        await this.db('recordings').where({ path: e.path }).whereNull('ended_at').update({ ended_at: e.at, duration_ms: duration });
        return;
      }
      case 'recording_failed':
        // The file was never written: no row may point at it.
        await this.db('recordings').where({ path: e.path }).whereNull('ticket_id').del();
        return;
      case 'message_left':
        await this.db('recordings').where({ path: e.path }).update({ ticket_id: e.ticketId });
        await this.db('calls').where({ id: e.callId }).whereNull('ticket_id').update({ ticket_id: e.ticketId });
        return;
      case 'survey_result':
        if (e.callId) await this.db('calls').where({ id: e.callId }).whereNull('ticket_id').update({ ticket_id: e.ticketId });
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
