// The transcription queue in the database: one job per recording, claimed with
// a lease by one worker at a time (also across processes and on PostgreSQL),
// retried with exponential backoff, failed for good with its reason.
// Queries on speech_jobs / speech_transcripts / speech_alerts live here only.
import { Knex } from 'knex';
import { Speaker } from './audio';
import { TranscriptSegment } from './provider';

export interface Clock { now(): Date }
export const systemClock: Clock = { now: () => new Date() };

export class SpeechQueueError extends Error {
  override name = 'SpeechQueueError';
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

const iso = (d: Date) => d.toISOString();

export interface EnqueueResult { jobId: number; created: boolean }

/** Queue the transcription of a recording; queuing it again returns the same job. */
export async function enqueueTranscription(db: Knex, input: { recordingId: number }, clock: Clock = systemClock): Promise<EnqueueResult> {
  const recordingId = input?.recordingId;
  if (!Number.isInteger(recordingId) || recordingId <= 0) throw new SpeechQueueError(`录音编号不合法：${String(recordingId)}`);
  const rec = await db('recordings').where({ id: recordingId }).first('id');
  if (!rec) throw new SpeechQueueError(`录音不存在：${recordingId}`);
  const now = iso(clock.now());
  const inserted = await db('speech_jobs')
    .insert({ recording_id: recordingId, status: 'queued', attempts: 0, next_attempt_at: now, created_at: now, updated_at: now })
    .onConflict('recording_id')
    .ignore()
    .returning('id');
  const job = await db('speech_jobs').where({ recording_id: recordingId }).first('id');
  return { jobId: Number(job.id), created: inserted.length > 0 };
}

/** Put failed jobs back in the queue (after the cause is fixed); returns how many. */
export async function requeueFailedTranscriptions(db: Knex, clock: Clock = systemClock): Promise<number> {
  const now = iso(clock.now());
  return db('speech_jobs')
    .where({ status: 'failed' })
    .update({ status: 'queued', attempts: 0, next_attempt_at: now, last_error: null, finished_at: null, updated_at: now });
}

/**
 * Queue again the recordings that were only listened to for emergency words
 * while transcription was off (after a model is installed); returns how many.
 */
export async function requeueUntranscribed(db: Knex, clock: Clock = systemClock): Promise<number> {
  const now = iso(clock.now());
  return db('speech_jobs')
    .where({ status: 'done' })
    .whereNotIn('id', db('speech_transcripts').select('job_id'))
    .update({ status: 'queued', attempts: 0, next_attempt_at: now, last_error: null, finished_at: null, updated_at: now });
}

export interface ClaimedJob {
  id: number;
  recordingId: number;
  attempts: number;
  workerId: string;
  path: string;
  kind: string;
  callId: string | null;
  ticketId: number | null;
  startedAt: string;
}

/** Jobs a worker may take now: queued and due, or running with a lease that ran out. */
function claimable(q: Knex.QueryBuilder, now: string): Knex.QueryBuilder {
  return q.where((w) =>
    w.where((a) => a.where('status', 'queued').where('next_attempt_at', '<=', now))
      .orWhere((b) => b.where('status', 'running').where('lease_until', '<', now)),
  );
}

/**
 * Take the next due job, or null. A conditional UPDATE decides the race: of two
 * workers (or processes) that pick the same row, only one changes it.
 */
export async function claimJob(db: Knex, workerId: string, leaseMs: number, clock: Clock = systemClock): Promise<ClaimedJob | null> {
  for (let tries = 0; tries < 5; tries++) {
    const now = clock.now();
    const nowIso = iso(now);
    const candidate = await claimable(db('speech_jobs'), nowIso).orderBy([{ column: 'next_attempt_at' }, { column: 'id' }]).first('id');
    if (!candidate) return null;
    const changed = await claimable(db('speech_jobs').where({ id: candidate.id }), nowIso).update({
      status: 'running',
      claimed_by: workerId,
      lease_until: iso(new Date(now.getTime() + leaseMs)),
      attempts: db.raw('attempts + 1'),
      updated_at: nowIso,
    });
    if (changed !== 1) continue; // another worker took it: try the next one
    const row = await db('speech_jobs as j')
      .join('recordings as r', 'r.id', 'j.recording_id')
      .leftJoin('calls as c', 'c.id', 'r.call_id')
      .where('j.id', candidate.id)
      .first('j.id', 'j.recording_id', 'j.attempts', 'r.path', 'r.kind', 'r.call_id', 'r.ticket_id', 'c.ticket_id as call_ticket_id', 'r.started_at');
    return {
      id: Number(row.id),
      recordingId: Number(row.recording_id),
      attempts: Number(row.attempts),
      workerId,
      path: row.path,
      kind: row.kind,
      callId: row.call_id ?? null,
      ticketId: row.ticket_id ?? row.call_ticket_id ?? null,
      startedAt: row.started_at,
    };
  }
  return null;
}

/** Keep a long job's lease; false when another worker has taken it over. */
export async function extendLease(db: Knex, job: ClaimedJob, leaseMs: number, clock: Clock = systemClock): Promise<boolean> {
  const now = clock.now();
  const n = await db('speech_jobs')
    .where({ id: job.id, status: 'running', claimed_by: job.workerId })
    .update({ lease_until: iso(new Date(now.getTime() + leaseMs)), updated_at: iso(now) });
  return n === 1;
}

export interface TranscriptInput {
  provider: string;
  language: string;
  text: string;
  callerText: string;
  segments: TranscriptSegment[];
  audioMs: number;
}

export interface AlertInput {
  keyword: string;
  source: 'audio' | 'text';
  offsetMs: number | null;
  speaker?: Speaker;
}

export interface StoredAlert {
  id: number;
  recordingId: number;
  callId: string | null;
  ticketId: number | null;
  keyword: string;
  source: 'audio' | 'text';
  offsetMs: number | null;
  speaker: Speaker | null;
  startedAt: string;
  createdAt: string;
}

/**
 * Finish a job: the transcript (if any), the emergency words heard and the job's
 * status in one transaction, only while the job is still this worker's.
 * Returns false (and writes nothing) when the lease was lost.
 */
export async function completeJob(
  db: Knex,
  job: ClaimedJob,
  transcript: TranscriptInput | null,
  alerts: AlertInput[],
  clock: Clock = systemClock,
): Promise<boolean> {
  const now = iso(clock.now());
  return db.transaction(async (trx) => {
    const n = await trx('speech_jobs')
      .where({ id: job.id, status: 'running', claimed_by: job.workerId })
      .update({
        status: 'done', lease_until: null, finished_at: now, updated_at: now,
        last_error: transcript ? null : '转写未开启：只检测了紧急词',
      });
    if (n !== 1) return false;
    // the ticket may have been opened while the job ran
    const rec = await trx('recordings as r').leftJoin('calls as c', 'c.id', 'r.call_id').where('r.id', job.recordingId)
      .first('r.ticket_id', 'c.ticket_id as call_ticket_id');
    const ticketId = rec?.ticket_id ?? rec?.call_ticket_id ?? job.ticketId;
    if (transcript) {
      await trx('speech_transcripts').insert({
        job_id: job.id, recording_id: job.recordingId, call_id: job.callId, ticket_id: ticketId,
        provider: transcript.provider, language: transcript.language, text: transcript.text,
        caller_text: transcript.callerText, segments: JSON.stringify(transcript.segments),
        audio_ms: Math.round(transcript.audioMs), created_at: now,
      });
    }
    for (const a of alerts) {
      await trx('speech_alerts')
        .insert({
          recording_id: job.recordingId, call_id: job.callId, ticket_id: ticketId, keyword: a.keyword,
          source: a.source, offset_ms: a.offsetMs, speaker: a.speaker ?? null, created_at: now,
        })
        .onConflict(['recording_id', 'keyword'])
        .ignore();
    }
    return true;
  });
}

export interface RetryPolicy {
  maxAttempts: number;
  /** Delay after the first failed attempt; doubles with each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 30_000, maxDelayMs: 3_600_000 };

export function retryDelayMs(attempts: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * Record a failed attempt: back in the queue after the backoff delay, or failed
 * for good (permanent error, or no attempts left) with its reason.
 */
export async function failJob(
  db: Knex,
  job: ClaimedJob,
  reason: string,
  permanent: boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
  clock: Clock = systemClock,
): Promise<'retry' | 'failed' | 'lost'> {
  const now = clock.now();
  const final = permanent || job.attempts >= policy.maxAttempts;
  const n = await db('speech_jobs')
    .where({ id: job.id, status: 'running', claimed_by: job.workerId })
    .update(
      final
        ? { status: 'failed', last_error: reason, lease_until: null, finished_at: iso(now), updated_at: iso(now) }
        : {
            status: 'queued', last_error: reason, lease_until: null, claimed_by: null, updated_at: iso(now),
            next_attempt_at: iso(new Date(now.getTime() + retryDelayMs(job.attempts, policy))),
          },
    );
  if (n !== 1) return 'lost';
  return final ? 'failed' : 'retry';
}

function toAlert(r: Record<string, unknown>): StoredAlert {
  return {
    id: Number(r.id), recordingId: Number(r.recording_id), callId: (r.call_id as string) ?? null,
    ticketId: r.ticket_id == null ? null : Number(r.ticket_id), keyword: r.keyword as string,
    source: r.source as 'audio' | 'text', offsetMs: r.offset_ms == null ? null : Number(r.offset_ms),
    speaker: (r.speaker as Speaker) ?? null, startedAt: r.started_at as string, createdAt: r.created_at as string,
  };
}

/** Emergency words stored but not yet delivered (e.g. the process stopped in between). */
export async function undeliveredAlerts(db: Knex, recordingId?: number): Promise<StoredAlert[]> {
  const q = db('speech_alerts as a').join('recordings as r', 'r.id', 'a.recording_id').whereNull('a.notified_at');
  if (recordingId !== undefined) q.where('a.recording_id', recordingId);
  const rows = await q.orderBy('a.id').select('a.*', 'r.started_at');
  return rows.map(toAlert);
}

export async function markAlertDelivered(db: Knex, alertId: number, clock: Clock = systemClock): Promise<void> {
  await db('speech_alerts').where({ id: alertId }).update({ notified_at: iso(clock.now()) });
}

export interface StoredTranscript extends TranscriptInput {
  recordingId: number;
  callId: string | null;
  ticketId: number | null;
  kind: string;
  createdAt: string;
}

/**
 * Transcripts of a ticket's recordings (the desk shows them): linked directly,
 * through the recording, or through the call the ticket was opened from.
 */
export async function transcriptsOf(db: Knex, where: { ticketId: number } | { callId: string }): Promise<StoredTranscript[]> {
  const q = db('speech_transcripts as t').join('recordings as r', 'r.id', 't.recording_id');
  if ('ticketId' in where) {
    const id = where.ticketId;
    q.where((w) =>
      w.where('t.ticket_id', id).orWhere('r.ticket_id', id)
        .orWhereIn('t.call_id', db('calls').where({ ticket_id: id }).select('id'))
        .orWhereIn('t.call_id', db('tickets').where({ id }).whereNotNull('call_id').select('call_id')),
    );
  } else {
    q.where('t.call_id', where.callId);
  }
  const rows = await q.orderBy('r.started_at').select('t.*', 'r.kind', 'r.ticket_id as rec_ticket_id');
  return rows.map((r) => ({
    recordingId: Number(r.recording_id), callId: r.call_id ?? null,
    ticketId: r.ticket_id ?? r.rec_ticket_id ?? null, kind: r.kind, provider: r.provider, language: r.language,
    text: r.text, callerText: r.caller_text, segments: JSON.parse(r.segments), audioMs: Number(r.audio_ms), createdAt: r.created_at,
  }));
}

export interface SpeechBacklog {
  queued: number;
  /** Of the queued, those waiting for a retry after a failed attempt. */
  retrying: number;
  running: number;
  done: number;
  failed: number;
  oldestQueuedAt: string | null;
  /** Jobs finished per minute over the last 15 minutes. */
  donePerMinute: number;
  /** Minutes to empty the queue at that pace; null when nothing is moving. */
  etaMinutes: number | null;
  /** The reasons of the latest permanent failures. */
  recentFailures: { recordingId: number; reason: string; at: string }[];
}

/** Counts for the supervisors' board and the CLI. */
export async function speechBacklog(db: Knex, clock: Clock = systemClock): Promise<SpeechBacklog> {
  const rows: { status: JobStatus; n: number | string }[] = await db('speech_jobs').select('status').count({ n: '*' }).groupBy('status');
  const count = (s: JobStatus) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  const retrying = await db('speech_jobs').where({ status: 'queued' }).where('attempts', '>', 0).count({ n: '*' }).first();
  const oldest = await db('speech_jobs').where({ status: 'queued' }).min({ at: 'created_at' }).first();
  const since = iso(new Date(clock.now().getTime() - 15 * 60_000));
  const recent = await db('speech_jobs').where({ status: 'done' }).where('finished_at', '>=', since).count({ n: '*' }).first();
  const failures = await db('speech_jobs').where({ status: 'failed' }).orderBy('finished_at', 'desc').limit(5).select('recording_id', 'last_error', 'finished_at');
  const queued = count('queued');
  const donePerMinute = Number(recent?.n ?? 0) / 15;
  const waiting = queued + count('running');
  return {
    queued,
    retrying: Number(retrying?.n ?? 0),
    running: count('running'),
    done: count('done'),
    failed: count('failed'),
    oldestQueuedAt: oldest?.at ?? null,
    donePerMinute: Math.round(donePerMinute * 10) / 10,
    etaMinutes: waiting === 0 ? 0 : donePerMinute > 0 ? Math.ceil(waiting / donePerMinute) : null,
    recentFailures: failures.map((f) => ({ recordingId: Number(f.recording_id), reason: f.last_error ?? '', at: f.finished_at })),
  };
}

/** One line for the CLI and the board, in Chinese. */
export function formatBacklog(b: SpeechBacklog): string {
  const eta = b.etaMinutes === null ? '暂无进度' : b.etaMinutes === 0 ? '已清空' : `预计 ${b.etaMinutes} 分钟清空`;
  return `语音转写：排队 ${b.queued}（其中等待重试 ${b.retrying}），处理中 ${b.running}，已完成 ${b.done}，失败 ${b.failed}；最近 15 分钟每分钟 ${b.donePerMinute} 条，${eta}`;
}
