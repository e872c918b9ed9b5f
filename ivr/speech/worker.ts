// The speech worker: takes transcription jobs from the database, one at a time,
// off the call's path; transcribes, listens for emergency words, stores the
// result, then tells the server (onTranscript, onEmergency).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { Knex } from 'knex';
import { decodeWav, AudioFormatError } from './wav';
import { Speaker } from './audio';
import { RecordingAudio, SpeechError, SpeechProvider, callerText } from './provider';
import { EmergencySpotter } from './spotter';
import { SpotterKeyword, keywordsInText } from './keywords';
import {
  AlertInput, ClaimedJob, Clock, DEFAULT_RETRY, RetryPolicy, StoredAlert, claimJob, completeJob, extendLease, failJob,
  markAlertDelivered, systemClock, undeliveredAlerts, StoredTranscript,
} from './jobs';

/** A stored transcript as announced to the server: `callerText` is what routing re-suggests from. */
export type TranscriptEvent = Omit<StoredTranscript, 'audioMs' | 'createdAt'>;

export interface EmergencyEvent {
  recordingId: number;
  callId: string | null;
  ticketId: number | null;
  keyword: string;
  /** When it was said: the recording's start plus the offset (ISO 8601 UTC). */
  at: string;
  offsetSeconds: number | null;
  speaker: Speaker | null;
  /** audio: the keyword spotter heard it; text: it is in the transcript. */
  source: 'audio' | 'text';
}

/**
 * The routing engine's emergency triage (`Routing.triage`): the danger rules typed
 * appeals go through, so a transcript and a spotted keyword are judged alike
 * (negation, hypotheticals, past events, look-alikes included).
 */
export type SpeechTriage = (text: string) => { emergency: boolean; findings: Array<{ code: string; name: string; words: string[] }> };

export interface SpeechWorkerOptions {
  db: Knex;
  /** null when transcription is off: the worker then only listens for emergency words. */
  provider: SpeechProvider | null;
  kws?: EmergencySpotter | null;
  /** Keywords looked for in transcript text (default: the spotter's); with `triage`, only their pinyin form (a pinyin-only model). */
  keywords?: SpotterKeyword[];
  /**
   * Emergency triage by meaning. With it, the caller's words in a transcript are triaged
   * as a typed appeal is, each spotted keyword is triaged too, and an alert is raised once
   * per danger per recording, named "险情：the words" (e.g. 燃气泄漏：煤气、漏了). Without it,
   * keywords are matched literally (the city's list).
   */
  triage?: SpeechTriage;
  onTranscript: (e: TranscriptEvent) => void | Promise<void>;
  onEmergency: (e: EmergencyEvent) => void | Promise<void>;
  clock?: Clock;
  /** Speakers of the channels of a stereo recording (default caller, agent). */
  stereoSpeakers?: Speaker[];
  /** Where recordings.path is relative to (default: the process's folder). */
  recordingsDir?: string;
  retry?: RetryPolicy;
  leaseMs?: number;
  pollMs?: number;
  workerId?: string;
  log?: (message: string) => void;
}

export interface SpeechWorker {
  /** Process one due job now; false when none was due. */
  runOnce(): Promise<boolean>;
  /** Deliver emergency alerts stored but not delivered (e.g. before a restart); returns how many. */
  deliverPendingAlerts(): Promise<number>;
  /** Stop taking jobs; resolves when the current one is finished. */
  stop(): Promise<void>;
}

function transient(err: unknown): { reason: string; permanent: boolean } {
  if (err instanceof SpeechError) return { reason: err.message, permanent: err.permanent };
  if (err instanceof AudioFormatError) return { reason: `录音文件无法解码：${err.message}`, permanent: true };
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return { reason: `录音文件不存在：${(err as NodeJS.ErrnoException).path ?? ''}`, permanent: false };
  return { reason: `转写出错：${(err as Error)?.message ?? String(err)}`, permanent: false };
}

/** Create the worker without starting its loop (tests and the benchmark drive runOnce). */
export function createSpeechWorker(opts: SpeechWorkerOptions): SpeechWorker {
  const clock = opts.clock ?? systemClock;
  const retry = opts.retry ?? DEFAULT_RETRY;
  const leaseMs = opts.leaseMs ?? 10 * 60_000;
  const workerId = opts.workerId ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  const log = opts.log ?? ((m: string) => console.error(m));
  const speakers = opts.stereoSpeakers ?? ['caller', 'agent'];
  const keywords = opts.keywords ?? opts.kws?.keywords ?? [];
  let stopping = false;
  let current: Promise<boolean> | null = null;

  /** "燃气泄漏：煤气、漏了" (at most 60 characters, the stored keyword). */
  const dangerName = (f: { name: string; words: string[] }) => `${f.name}：${f.words.join('、')}`.slice(0, 60);
  /** The alert for a spotted phrase: its danger when the triage finds one, else the phrase itself. */
  const alertName = (phrase: string): { keyword: string; key: string } => {
    const f = opts.triage?.(phrase).findings[0];
    return f ? { keyword: dangerName(f), key: f.code } : { keyword: phrase, key: phrase };
  };

  async function deliver(alert: StoredAlert): Promise<void> {
    const started = Date.parse(alert.startedAt);
    const at = Number.isNaN(started) ? alert.createdAt : new Date(started + (alert.offsetMs ?? 0)).toISOString();
    try {
      await opts.onEmergency({
        recordingId: alert.recordingId, callId: alert.callId, ticketId: alert.ticketId, keyword: alert.keyword, at,
        offsetSeconds: alert.offsetMs === null ? null : alert.offsetMs / 1000, speaker: alert.speaker, source: alert.source,
      });
      await markAlertDelivered(opts.db, alert.id, clock);
    } catch (err) {
      log(`紧急词告警「${alert.keyword}」（录音 ${alert.recordingId}）未能送达，稍后重试：${(err as Error).message}`);
    }
  }

  async function handle(job: ClaimedJob): Promise<void> {
    if (job.attempts > retry.maxAttempts) {
      await failJob(opts.db, job, `处理 ${job.attempts - 1} 次都中断了（进程退出或超时）`, true, retry, clock);
      return;
    }
    const heartbeat = setInterval(() => {
      extendLease(opts.db, job, leaseMs, clock).catch((err) => log(`转写任务 ${job.id} 续期失败：${(err as Error).message}`));
    }, Math.max(1000, leaseMs / 3));
    heartbeat.unref();
    try {
      const file = path.resolve(opts.recordingsDir ?? '.', job.path);
      const pcm = decodeWav(await fs.promises.readFile(file));
      const audio: RecordingAudio = { ...pcm, speakers: pcm.channels.length === 2 ? speakers : undefined };
      const audioMs = (pcm.channels[0].length / pcm.sampleRate) * 1000;

      const transcription = opts.provider ? await opts.provider.transcribe(audio) : null;
      const alerts: Array<AlertInput & { key: string }> = [];
      if (opts.kws) {
        for (const h of await opts.kws.spot(audio)) {
          alerts.push({ ...alertName(h.keyword), source: 'audio', offsetMs: Math.round(h.offset * 1000), speaker: h.speaker });
        }
      }
      if (transcription) {
        if (opts.triage) {
          const said = transcription.segments.filter((s) => s.speaker !== 'agent');
          for (const f of opts.triage(callerText(transcription)).findings) {
            const seg = said.find((s) => f.words.some((w) => s.text.includes(w)));
            alerts.push({ keyword: dangerName(f), key: f.code, source: 'text', offsetMs: seg ? Math.round(seg.start * 1000) : null, speaker: seg?.speaker });
          }
        }
        // Characters are read by the triage above; the keyword list still catches a pinyin-only transcript.
        const pinyinOnly = Boolean(opts.triage);
        for (const k of keywordsInText(transcription.text, keywords, { pinyinOnly })) {
          const seg = transcription.segments.find((s) => keywordsInText(s.text, [k], { pinyinOnly }).length);
          alerts.push({ ...alertName(k.phrase), source: 'text', offsetMs: seg ? Math.round(seg.start * 1000) : null, speaker: seg?.speaker });
        }
      }
      const firstPerKeyword = alerts.filter((a, i) => alerts.findIndex((b) => b.key === a.key) === i).map(({ key: _, ...a }) => a);
      const stored = await completeJob(
        opts.db, job,
        transcription && {
          provider: opts.provider!.name, language: transcription.language, text: transcription.text,
          callerText: callerText(transcription), segments: transcription.segments, audioMs,
        },
        firstPerKeyword, clock,
      );
      if (!stored) {
        log(`转写任务 ${job.id} 已被其他进程接手，本次结果丢弃`);
        return;
      }
      for (const alert of await undeliveredAlerts(opts.db, job.recordingId)) await deliver(alert);
      if (transcription) {
        try {
          await opts.onTranscript({
            recordingId: job.recordingId, callId: job.callId, ticketId: job.ticketId, kind: job.kind,
            provider: opts.provider!.name, language: transcription.language, text: transcription.text,
            callerText: callerText(transcription), segments: transcription.segments,
          });
        } catch (err) {
          log(`转写结果已保存，但通知失败（录音 ${job.recordingId}）：${(err as Error).message}`);
        }
      }
    } catch (err) {
      const { reason, permanent } = transient(err);
      const outcome = await failJob(opts.db, job, reason, permanent, retry, clock);
      log(`转写任务 ${job.id}（录音 ${job.recordingId}）第 ${job.attempts} 次失败，${outcome === 'retry' ? '稍后重试' : outcome === 'failed' ? '不再重试' : '已被其他进程接手'}：${reason}`);
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function runOnce(): Promise<boolean> {
    if (stopping) return false;
    const job = await claimJob(opts.db, workerId, leaseMs, clock);
    if (!job) return false;
    await handle(job);
    return true;
  }

  return {
    async deliverPendingAlerts() {
      const pending = await undeliveredAlerts(opts.db);
      for (const alert of pending) await deliver(alert);
      return pending.length;
    },
    runOnce: () => {
      current = runOnce();
      return current;
    },
    async stop() {
      stopping = true;
      await current?.catch(() => false);
    },
  };
}

/**
 * Start the worker loop: first delivers emergency alerts left undelivered by a
 * previous run, then takes due jobs one after another, polling when idle.
 */
export function startSpeechWorker(opts: SpeechWorkerOptions): { stop(): Promise<void> } {
  const worker = createSpeechWorker(opts);
  const log = opts.log ?? ((m: string) => console.error(m));
  const pollMs = opts.pollMs ?? 2000;
  let stopped = false;
  let wake: (() => void) | null = null;

  const loop = (async () => {
    try {
      await worker.deliverPendingAlerts();
    } catch (err) {
      log(`读取未送达的紧急词告警失败：${(err as Error).message}`);
    }
    while (!stopped) {
      let worked = false;
      try {
        worked = await worker.runOnce();
      } catch (err) {
        log(`语音转写队列出错：${(err as Error).message}`);
      }
      if (!worked && !stopped) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          wake = () => { clearTimeout(t); resolve(); };
        });
        wake = null;
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      await worker.stop();
      (wake as (() => void) | null)?.();
      await loop;
    },
  };
}
