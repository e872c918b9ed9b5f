// The transcription queue and worker on a real database (SQLite, or PostgreSQL
// when TEST_DATABASE_URL is set), with a fixed clock moved by hand.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { Knex } from 'knex';
import { openTestDb, closeTestDb } from '../support/db';
import {
  Clock, claimJob, completeJob, enqueueTranscription, formatBacklog, requeueFailedTranscriptions, speechBacklog,
  transcriptsOf, SpeechQueueError, requeueUntranscribed,
} from '../../ivr/speech/jobs';
import { createSpeechWorker, startSpeechWorker, EmergencyEvent, TranscriptEvent } from '../../ivr/speech/worker';
import { SpeechError, SpeechProvider, Transcription } from '../../ivr/speech/provider';
import { createEmergencySpotter, EmergencySpotter } from '../../ivr/speech/spotter';
import { createSherpaProvider } from '../../ivr/speech/providers/sherpa';
import { DEFAULT_EMERGENCY_KEYWORDS, parseKeywords } from '../../ivr/speech/keywords';
import { loadRouting } from '../../routing/index';
import { KWS_MODEL_DIR, TEST_WAVS, haveModel, insertRecording, requireModel } from './support';

class ManualClock implements Clock {
  constructor(private t = Date.parse('2026-11-23T08:00:00.000Z')) {}
  now() { return new Date(this.t); }
  advance(ms: number) { this.t += ms; }
}

const RETRY = { maxAttempts: 3, baseDelayMs: 30_000, maxDelayMs: 3_600_000 };

function scripted(...answers: Array<Transcription | Error>): SpeechProvider & { transcribe: sinon.SinonStub } {
  const stub = sinon.stub();
  answers.forEach((a, i) => (a instanceof Error ? stub.onCall(i).rejects(a) : stub.onCall(i).resolves(a)));
  return { name: 'scripted', transcribe: stub };
}
const said = (text: string): Transcription => ({ text, language: 'zh', segments: [{ start: 0.4, end: 2, text }] });

describe('speech jobs: queued in the database, retried, never done twice', function () {
  this.timeout(30_000);
  let db: Knex;
  let dir: string;
  let clock: ManualClock;
  let n = 0;

  /** A copy of a shared recording under a new name (recordings.path is unique). */
  function recordingFile(name = '4.wav'): string {
    const f = path.join(dir, `rec-${++n}.wav`);
    if (haveModel) fs.copyFileSync(path.join(TEST_WAVS, name), f);
    return f;
  }

  before(async function () {
    requireModel(this);
    db = await openTestDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'speech-jobs-'));
  });
  after(async () => {
    if (db) await closeTestDb(db);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    clock = new ManualClock();
    await db('speech_alerts').del();
    await db('speech_transcripts').del();
    await db('speech_jobs').del();
  });

  it('a recording is queued once, however often it is enqueued', async () => {
    const rec = await insertRecording(db, recordingFile());
    const a = await enqueueTranscription(db, { recordingId: rec }, clock);
    const b = await enqueueTranscription(db, { recordingId: rec }, clock);
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(a.jobId, b.jobId);
    assert.equal((await speechBacklog(db, clock)).queued, 1);
  });

  it('enqueueing a recording that does not exist is refused and queues nothing', async () => {
    await assert.rejects(enqueueTranscription(db, { recordingId: 999_999 }, clock), SpeechQueueError);
    await assert.rejects(enqueueTranscription(db, { recordingId: -1 }, clock), /录音编号不合法/);
    await assert.rejects(enqueueTranscription(db, undefined as unknown as { recordingId: number }, clock), SpeechQueueError);
    assert.equal((await speechBacklog(db, clock)).queued, 0);
  });

  it('a failing transcription is retried with growing delays, then failed for good with its reason', async () => {
    const rec = await insertRecording(db, recordingFile());
    await enqueueTranscription(db, { recordingId: rec }, clock);
    const down = () => new SpeechError('转写服务返回 503：Service Unavailable', false);
    const provider = scripted(down(), down(), down());
    const worker = createSpeechWorker({ db, provider, onTranscript: () => {}, onEmergency: () => {}, clock, retry: RETRY, log: () => {} });

    assert.equal(await worker.runOnce(), true);
    let b = await speechBacklog(db, clock);
    assert.deepEqual([b.queued, b.retrying, b.failed], [1, 1, 0]);
    assert.equal(await worker.runOnce(), false, 'not due before the 30 s backoff');
    clock.advance(30_000);
    assert.equal(await worker.runOnce(), true);
    clock.advance(30_000);
    assert.equal(await worker.runOnce(), false, 'the second delay is 60 s');
    clock.advance(30_000);
    assert.equal(await worker.runOnce(), true);
    b = await speechBacklog(db, clock);
    assert.deepEqual([b.queued, b.failed], [0, 1]);
    assert.equal(provider.transcribe.callCount, 3);
    assert.match(b.recentFailures[0].reason, /503/);
    const job = await db('speech_jobs').where({ recording_id: rec }).first();
    assert.equal(job.status, 'failed');
    assert.equal(job.attempts, 3);

    assert.equal(await requeueFailedTranscriptions(db, clock), 1, 'after the outage the failed jobs go back in the queue');
    assert.equal((await speechBacklog(db, clock)).queued, 1);
  });

  it('a file that is not audio fails at once, without retries', async () => {
    const f = path.join(dir, `broken-${++n}.wav`);
    fs.writeFileSync(f, 'not a recording');
    const rec = await insertRecording(db, f);
    await enqueueTranscription(db, { recordingId: rec }, clock);
    const provider = scripted(said('不会用到'));
    const worker = createSpeechWorker({ db, provider, onTranscript: () => {}, onEmergency: () => {}, clock, retry: RETRY, log: () => {} });
    await worker.runOnce();
    const job = await db('speech_jobs').where({ recording_id: rec }).first();
    assert.equal(job.status, 'failed');
    assert.equal(job.attempts, 1);
    assert.match(job.last_error, /无法解码/);
    assert.equal(provider.transcribe.callCount, 0);
  });

  it('a recording file not there yet is retried (the switch may still be moving it)', async () => {
    const rec = await insertRecording(db, path.join(dir, 'not-yet.wav'));
    await enqueueTranscription(db, { recordingId: rec }, clock);
    const worker = createSpeechWorker({ db, provider: scripted(), onTranscript: () => {}, onEmergency: () => {}, clock, retry: RETRY, log: () => {} });
    await worker.runOnce();
    const job = await db('speech_jobs').where({ recording_id: rec }).first();
    assert.equal(job.status, 'queued');
    assert.match(job.last_error, /录音文件不存在/);
  });

  it('a job whose worker died is taken over after its lease, and the late worker cannot store a second transcript', async () => {
    const rec = await insertRecording(db, recordingFile());
    await enqueueTranscription(db, { recordingId: rec }, clock);
    const dead = await claimJob(db, 'worker-that-died', 60_000, clock);
    assert.ok(dead);
    assert.equal(await claimJob(db, 'other', 60_000, clock), null, 'held while the lease runs');
    clock.advance(61_000);
    const events: TranscriptEvent[] = [];
    const worker = createSpeechWorker({ db, provider: scripted(said('路灯坏了')), onTranscript: (e) => { events.push(e); }, onEmergency: () => {}, clock, retry: RETRY, log: () => {} });
    assert.equal(await worker.runOnce(), true);
    assert.equal(events.length, 1);
    const late = await completeJob(db, dead!, { provider: 'x', language: 'zh', text: '迟到的结果', callerText: '迟到的结果', segments: [], audioMs: 1 }, [], clock);
    assert.equal(late, false);
    const rows = await db('speech_transcripts').where({ recording_id: rec });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].text, '路灯坏了');
    assert.equal((await db('speech_jobs').where({ recording_id: rec }).first()).attempts, 2);
  });

  it('an emergency word in the transcript raises the alert for the ticket of the call', async () => {
    const [ticket] = await db('tickets')
      .insert({ number: '202611230001', channel: 'hotline', kind: 'help_request', status: 'accepted', content: '来电求助', urgency: 'general', accepted_at: '2026-11-23T08:01:00.000Z', updated_at: '2026-11-23T08:01:00.000Z' })
      .returning('id');
    const ticketId = Number(typeof ticket === 'object' ? ticket.id : ticket);
    const rec = await insertRecording(db, recordingFile(), { callId: 'call-fire-1', startedAt: '2026-11-23T08:00:00.000Z' });
    await db('calls').where({ id: 'call-fire-1' }).update({ ticket_id: ticketId });
    await enqueueTranscription(db, { recordingId: rec }, clock);
    const alerts: EmergencyEvent[] = [];
    const transcripts: TranscriptEvent[] = [];
    const worker = createSpeechWorker({
      db, provider: scripted(said('喂，我们小区三号楼着火了，快来')), keywords: parseKeywords(['着火了', '煤气泄漏']),
      onTranscript: (e) => { transcripts.push(e); }, onEmergency: (e) => { alerts.push(e); }, clock, log: () => {},
    });
    await worker.runOnce();
    assert.equal(alerts.length, 1);
    assert.deepEqual(
      { keyword: alerts[0].keyword, ticketId: alerts[0].ticketId, callId: alerts[0].callId, source: alerts[0].source, at: alerts[0].at },
      { keyword: '着火了', ticketId, callId: 'call-fire-1', source: 'text', at: '2026-11-23T08:00:00.400Z' },
    );
    assert.equal(transcripts[0].ticketId, ticketId);
    assert.equal(transcripts[0].callerText, '喂，我们小区三号楼着火了，快来');
    const shown = await transcriptsOf(db, { ticketId });
    assert.equal(shown.length, 1, 'the desk finds the transcript through the call');
    assert.equal(shown[0].text, '喂，我们小区三号楼着火了，快来');
  });

  describe('with the routing engine’s emergency triage', () => {
    const routing = loadRouting();
    const triage = (t: string) => routing.triage(t);

    it('a danger in the transcript raises one alert named by the danger and its words; a negated or past one raises none', async () => {
      const rec = await insertRecording(db, recordingFile(), { startedAt: '2026-11-23T08:00:00.000Z' });
      await enqueueTranscription(db, { recordingId: rec }, clock);
      const alerts: EmergencyEvent[] = [];
      const said2 = (...lines: string[]): Transcription => ({ text: lines.join(''), language: 'zh', segments: lines.map((text, i) => ({ start: i * 2 + 0.4, end: i * 2 + 2, text })) });
      const worker = createSpeechWorker({
        db, provider: scripted(said2('喂，你好', '俺家厨房一股子煤气味，可冲了', '俺娘还在屋里')), keywords: parseKeywords(['煤气漏了']), triage,
        onTranscript: () => {}, onEmergency: (e) => { alerts.push(e); }, clock, log: () => {},
      });
      await worker.runOnce();
      assert.deepEqual(alerts.map((a) => [a.keyword, a.source]), [['燃气泄漏：煤气、味', 'text']]);
      assert.equal(alerts[0].at, '2026-11-23T08:00:02.400Z', 'the moment of the segment that said it');

      for (const text of ['楼下没有着火，是邻居在烧纸', '去年俺家着火了，保险一直没赔', '燃气灶打不着火了，找谁修']) {
        const r2 = await insertRecording(db, recordingFile());
        await enqueueTranscription(db, { recordingId: r2 }, clock);
        const quiet: EmergencyEvent[] = [];
        await createSpeechWorker({ db, provider: scripted(said(text)), keywords: parseKeywords([...DEFAULT_EMERGENCY_KEYWORDS]), triage, onTranscript: () => {}, onEmergency: (e) => { quiet.push(e); }, clock, log: () => {} }).runOnce();
        assert.deepEqual(quiet, [], text);
      }
    });

    it('a spotted word is triaged too: heard in the audio and read in the transcript, one alert per danger', async () => {
      const rec = await insertRecording(db, recordingFile());
      await enqueueTranscription(db, { recordingId: rec }, clock);
      const kws: EmergencySpotter = {
        keywords: parseKeywords(['着火了', '煤气漏了']),
        live: () => { throw new Error('not used'); },
        spot: async () => [{ keyword: '着火了', offset: 1.2, speaker: 'caller' }, { keyword: '煤气漏了', offset: 3.5, speaker: 'caller' }],
      };
      const alerts: EmergencyEvent[] = [];
      const worker = createSpeechWorker({ db, provider: scripted(said('快来人 三楼着火了 烟老大了')), kws, triage, onTranscript: () => {}, onEmergency: (e) => { alerts.push(e); }, clock, log: () => {} });
      await worker.runOnce();
      assert.deepEqual(alerts.map((a) => [a.keyword, a.source]).sort(), [['火情：着火', 'audio'], ['燃气泄漏：煤气、漏了', 'audio']]);
    });

    it('the default word list is the danger rules’ spoken forms, each an emergency on its own', () => {
      assert.deepEqual([...DEFAULT_EMERGENCY_KEYWORDS].sort(), routing.spokenDangerWords().sort());
      for (const w of DEFAULT_EMERGENCY_KEYWORDS) assert.equal(triage(w).emergency, true, w);
    });
  });

  it('an alert the server could not take is delivered again, once, and not lost', async () => {
    const rec = await insertRecording(db, recordingFile());
    await enqueueTranscription(db, { recordingId: rec }, clock);
    const onEmergency = sinon.stub().onFirstCall().rejects(new Error('推送服务未就绪')).resolves();
    const opts = { db, provider: scripted(said('救命啊')), keywords: parseKeywords(['救命']), onTranscript: () => {}, onEmergency, clock, log: () => {} };
    await createSpeechWorker(opts).runOnce();
    assert.equal(onEmergency.callCount, 1);
    const restarted = createSpeechWorker(opts);
    assert.equal(await restarted.deliverPendingAlerts(), 1);
    assert.equal(await restarted.deliverPendingAlerts(), 0);
    assert.equal(onEmergency.callCount, 2);
    assert.equal(onEmergency.secondCall.args[0].keyword, '救命');
  });

  it('the backlog shows progress while it drains', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push(await insertRecording(db, recordingFile()));
    for (const id of ids) await enqueueTranscription(db, { recordingId: id }, clock);
    const worker = createSpeechWorker({ db, provider: scripted(said('一'), said('二')), onTranscript: () => {}, onEmergency: () => {}, clock, log: () => {} });
    await worker.runOnce();
    clock.advance(60_000);
    await worker.runOnce();
    const b = await speechBacklog(db, clock);
    assert.deepEqual([b.queued, b.running, b.done, b.failed], [2, 0, 2, 0]);
    assert.equal(b.oldestQueuedAt, '2026-11-23T08:00:00.000Z');
    assert.ok(b.donePerMinute > 0);
    assert.equal(b.etaMinutes, 15, "2 done in the last 15 minutes, 2 to go");
    assert.match(formatBacklog(b), /^语音转写：排队 2（其中等待重试 0），处理中 0，已完成 2，失败 0/);
  });

  it('the running worker picks up a newly queued recording by itself and stops cleanly', async () => {
    const transcripts: TranscriptEvent[] = [];
    const worker = startSpeechWorker({ db, provider: scripted(said('噪音扰民')), onTranscript: (e) => { transcripts.push(e); }, onEmergency: () => {}, pollMs: 50, log: () => {} });
    const rec = await insertRecording(db, recordingFile());
    await enqueueTranscription(db, { recordingId: rec });
    for (let i = 0; i < 100 && !transcripts.length; i++) await new Promise((r) => setTimeout(r, 20));
    await worker.stop();
    assert.deepEqual(transcripts.map((t) => [t.recordingId, t.text]), [[rec, '噪音扰民']]);
  });

  describe('with the real sherpa-onnx provider and spotter', () => {
    let spotter: EmergencySpotter;
    before(function () {
      if (!haveModel) this.skip();
      // the shared recordings hold no emergency words: the model's own test keywords stand in
      spotter = createEmergencySpotter({ modelDir: KWS_MODEL_DIR, keywords: parseKeywords(['女儿', '着火了']) });
    });

    it('a recorded message is transcribed and its keyword raises an alert with the moment it was said', async () => {
      const rec = await insertRecording(db, recordingFile('4.wav'), { kind: 'message', startedAt: '2026-11-23T22:10:00.000Z' });
      await enqueueTranscription(db, { recordingId: rec }, clock);
      const provider = await createSherpaProvider({ modelDir: KWS_MODEL_DIR, numThreads: 1 });
      const alerts: EmergencyEvent[] = [];
      const transcripts: TranscriptEvent[] = [];
      const worker = createSpeechWorker({ db, provider, kws: spotter, onTranscript: (e) => { transcripts.push(e); }, onEmergency: (e) => { alerts.push(e); }, clock, log: () => {} });
      await worker.runOnce();
      assert.equal(transcripts.length, 1);
      assert.equal(transcripts[0].kind, 'message');
      assert.match(transcripts[0].text, /nǚér/);
      assert.equal(alerts.length, 1, 'heard in audio and read in text: one alert');
      assert.equal(alerts[0].keyword, '女儿');
      assert.ok(alerts[0].at > '2026-11-23T22:10:02' && alerts[0].at < '2026-11-23T22:10:05', alerts[0].at);
    });

    it('with transcription off, the recording is still listened to for emergency words', async () => {
      const rec = await insertRecording(db, recordingFile('4.wav'));
      await enqueueTranscription(db, { recordingId: rec }, clock);
      const alerts: EmergencyEvent[] = [];
      const worker = createSpeechWorker({ db, provider: null, kws: spotter, onTranscript: () => assert.fail('no transcript'), onEmergency: (e) => { alerts.push(e); }, clock, log: () => {} });
      await worker.runOnce();
      assert.deepEqual(alerts.map((a) => [a.keyword, a.source]), [['女儿', 'audio']]);
      const job = await db('speech_jobs').where({ recording_id: rec }).first();
      assert.equal(job.status, 'done');
      assert.equal((await db('speech_transcripts').where({ recording_id: rec })).length, 0);

      // a model is installed later: the recording is transcribed, its alert is not raised again
      assert.equal(await requeueUntranscribed(db, clock), 1);
      const provider = await createSherpaProvider({ modelDir: KWS_MODEL_DIR, numThreads: 1 });
      const later = createSpeechWorker({ db, provider, kws: spotter, onTranscript: () => {}, onEmergency: (e) => { alerts.push(e); }, clock, log: () => {} });
      await later.runOnce();
      assert.equal((await db('speech_transcripts').where({ recording_id: rec })).length, 1);
      assert.equal(alerts.length, 1);
    });
  });
});
