import assert from 'node:assert/strict';
import { startTestHotline, TestHotline } from '../support/hotline';

describe('start-up wiring: speech', function () {
  let h: TestHotline;
  before(async () => {
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
  });
  after(async () => h.close());

  it('every recording the switch finishes is queued for transcription', async () => {
    const at = new Date().toISOString();
    const [{ id }] = await h.db('recordings').insert({ call_id: 'call-1', path: '/var/lib/hotline/recordings/call-1.wav', kind: 'call', started_at: at, created_at: at }).returning('id');
    h.hotline.bus.emit('call', { type: 'recording_ended', at, callId: 'call-1', path: '/var/lib/hotline/recordings/call-1.wav' });
    let job;
    for (let i = 0; i < 50 && !job; i++) {
      job = await h.db('speech_jobs').where({ recording_id: Number(id) }).first();
      if (!job) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(job, 'a transcription job for the recording');
  });
});
