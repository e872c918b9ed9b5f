// The queue across a process restart, with real processes on the same database
// (SQLite file, or PostgreSQL schema when TEST_DATABASE_URL is set): a worker is
// killed in the middle of a job; two new workers drain the rest side by side.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, ChildProcess } from 'node:child_process';
import { Knex } from 'knex';
import { createTestDbHandle, openTestDb, closeTestDb, TestDbHandle } from '../support/db';
import { enqueueTranscription, speechBacklog } from '../../ivr/speech/jobs';
import { encodeWav16 } from '../../ivr/speech/wav';
import { insertRecording, repoRoot } from './support';

const CHILD = path.join(__dirname, 'fixtures', 'worker-process.ts');

function startWorker(handle: TestDbHandle, logFile: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: repoRoot,
    env: { ...process.env, SPEECH_TEST_DB: JSON.stringify(handle), SPEECH_TEST_LOG: logFile, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const exited = (p: ChildProcess) =>
  new Promise<number | null>((resolve) => (p.exitCode !== null ? resolve(p.exitCode) : p.once('exit', (code) => resolve(code))));

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('speech queue across a process restart', function () {
  this.timeout(60_000);
  let db: Knex;
  let handle: TestDbHandle;
  let dir: string;

  before(async () => {
    handle = await createTestDbHandle();
    db = await openTestDb(handle);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'speech-restart-'));
  });
  after(async () => {
    await closeTestDb(db);
    if (!handle.schema) fs.rmSync(path.dirname(handle.url), { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('no job is lost and none is done twice when a worker dies mid-job and two others take over', async () => {
    const ids: number[] = [];
    for (let i = 1; i <= 8; i++) {
      // each recording a different length, so each transcript names its own file
      const f = path.join(dir, `msg-${i}.wav`);
      const samples = new Float32Array(8000 * i).map((_, k) => 0.3 * Math.sin((2 * Math.PI * 300 * k) / 8000));
      fs.writeFileSync(f, encodeWav16({ sampleRate: 8000, channels: [samples] }));
      ids.push(await insertRecording(db, f, { kind: 'message' }));
    }
    for (const id of ids) await enqueueTranscription(db, { recordingId: id });
    const logFile = path.join(dir, 'workers.log');
    fs.writeFileSync(logFile, '');
    const lines = () => fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean);

    const first = startWorker(handle, logFile, { HANG_AT: '3' });
    await waitFor(() => lines().some((l) => l.endsWith(' hang')), 30_000);
    first.kill('SIGKILL');
    await exited(first);
    let b = await speechBacklog(db);
    assert.deepEqual([b.done, b.running, b.queued], [2, 1, 5], 'two finished, one held by the dead worker');

    const second = startWorker(handle, logFile);
    const third = startWorker(handle, logFile);
    assert.deepEqual(await Promise.all([exited(second), exited(third)]), [0, 0]);

    b = await speechBacklog(db);
    assert.deepEqual([b.done, b.running, b.queued, b.failed], [8, 0, 0, 0]);
    const transcripts = await db('speech_transcripts').orderBy('recording_id').select('recording_id', 'text');
    assert.deepEqual(transcripts.map((t) => Number(t.recording_id)), ids, 'one transcript for each recording');
    assert.deepEqual(transcripts.map((t) => t.text), ids.map((_, i) => `录音 ${(i + 1).toFixed(1)} 秒`));
    const done = lines().filter((l) => / done \d+$/.test(l)).map((l) => Number(l.split(' ').pop()));
    assert.deepEqual([...done].sort((x, y) => x - y), ids, 'each transcript announced exactly once');
    const interrupted = await db('speech_jobs').where('attempts', 2).select('recording_id');
    assert.equal(interrupted.length, 1, 'the interrupted job was taken over once');
  });
});
