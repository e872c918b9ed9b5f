// The Whisper provider against a local server that answers POST /v1/audio/transcriptions
// as the OpenAI API documents it: a multipart upload with file, model, language and
// response_format; verbose_json back; error bodies {error: {message, type, code}}.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import { decodeWav } from '../../ivr/speech/wav';
import { telephoneBand } from '../../ivr/speech/audio';
import { createOpenAiProvider } from '../../ivr/speech/providers/openai';
import { SpeechError, RecordingAudio } from '../../ivr/speech/provider';
import { TEST_WAVS, requireModel } from './support';

interface Received { path: string; auth: string | undefined; form: FormData }
type Reply = { status: number; headers?: Record<string, string>; body: unknown };

async function startServer(replies: Reply[]) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', async () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const form = await new Request('http://local/', { method: 'POST', headers, body: Buffer.concat(parts) }).formData();
      received.push({ path: req.url ?? '', auth: req.headers.authorization, form });
      const reply = replies[Math.min(received.length - 1, replies.length - 1)];
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { received, baseURL: `http://127.0.0.1:${port}/v1`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const verbose = {
  task: 'transcribe',
  language: 'chinese',
  duration: 4.6,
  text: '蒋友伯被拍到带着女儿出游。谢谢观看',
  segments: [
    { id: 0, seek: 0, start: 0.0, end: 3.9, text: '蒋友伯被拍到带着女儿出游。', tokens: [], temperature: 0, avg_logprob: -0.3, compression_ratio: 1.1, no_speech_prob: 0.02 },
    // what Whisper makes up on trailing silence: dropped by Whisper's own no-speech rule
    { id: 1, seek: 0, start: 3.9, end: 4.6, text: '谢谢观看', tokens: [], temperature: 0, avg_logprob: -1.4, compression_ratio: 0.8, no_speech_prob: 0.85 },
  ],
};

const errorBody = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } });

describe('Whisper provider (OpenAI-compatible transcription API)', function () {
  this.timeout(20_000);
  let audio: RecordingAudio;

  before(function () {
    requireModel(this);
    const w = decodeWav(fs.readFileSync(path.join(TEST_WAVS, '4.wav')));
    audio = { sampleRate: 8000, channels: [telephoneBand(w.channels[0], w.sampleRate)] };
  });

  it('uploads the telephone recording as 16 kHz WAV with model, language and verbose_json, and keeps real segments only', async () => {
    const srv = await startServer([{ status: 200, body: verbose }]);
    try {
      const p = createOpenAiProvider({ baseURL: srv.baseURL, apiKey: 'sk-test', model: 'whisper-large-v3', language: 'zh' });
      const t = await p.transcribe(audio);
      assert.equal(srv.received.length, 1);
      const r = srv.received[0];
      assert.equal(r.path, '/v1/audio/transcriptions');
      assert.equal(r.auth, 'Bearer sk-test');
      assert.equal(r.form.get('model'), 'whisper-large-v3');
      assert.equal(r.form.get('language'), 'zh');
      assert.equal(r.form.get('response_format'), 'verbose_json');
      const file = r.form.get('file') as File;
      assert.match(file.name, /\.wav$/);
      const wav = decodeWav(Buffer.from(await file.arrayBuffer()));
      assert.equal(wav.sampleRate, 16000);
      assert.equal(wav.channels.length, 1);
      assert.ok(wav.channels[0].length / 16000 < 4.6 + 0.7, 'silence trimmed, not longer than the speech');
      assert.equal(t.text, '蒋友伯被拍到带着女儿出游。');
      assert.equal(t.language, 'zh');
      assert.equal(t.segments.length, 1);
    } finally {
      await srv.close();
    }
  });

  it('a wrong API key (401) is a permanent failure, not retried', async () => {
    const srv = await startServer([{ status: 401, body: errorBody('Incorrect API key provided: sk-bad.', 'invalid_request_error', 'invalid_api_key') }]);
    try {
      const p = createOpenAiProvider({ baseURL: srv.baseURL, apiKey: 'sk-bad', model: 'whisper-1', maxRetries: 2 });
      const err = await p.transcribe(audio).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof SpeechError);
      assert.equal(err.permanent, true);
      assert.match(err.message, /认证失败/);
      assert.equal(srv.received.length, 1);
    } finally {
      await srv.close();
    }
  });

  it('rate limited (429 with Retry-After), the request is sent again and succeeds', async () => {
    const srv = await startServer([
      { status: 429, headers: { 'retry-after-ms': '20' }, body: errorBody('Rate limit reached for requests', 'requests', 'rate_limit_exceeded') },
      { status: 200, body: verbose },
    ]);
    try {
      const p = createOpenAiProvider({ baseURL: srv.baseURL, apiKey: 'k', model: 'whisper-1', maxRetries: 2 });
      const t = await p.transcribe(audio);
      assert.equal(srv.received.length, 2);
      assert.equal(t.segments[0].text, '蒋友伯被拍到带着女儿出游。');
    } finally {
      await srv.close();
    }
  });

  it('a server error (500) that persists is a temporary failure the queue retries later', async () => {
    const srv = await startServer([{ status: 500, headers: { 'retry-after-ms': '10' }, body: errorBody('The server had an error while processing your request.', 'server_error', null) }]);
    try {
      const p = createOpenAiProvider({ baseURL: srv.baseURL, apiKey: 'k', model: 'whisper-1', maxRetries: 1 });
      const err = await p.transcribe(audio).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof SpeechError);
      assert.equal(err.permanent, false);
      assert.match(err.message, /500/);
      assert.equal(srv.received.length, 2, 'one try and one retry by the client');
    } finally {
      await srv.close();
    }
  });

  it('a silent recording sends nothing and gives an empty transcript', async () => {
    const srv = await startServer([{ status: 200, body: verbose }]);
    try {
      const p = createOpenAiProvider({ baseURL: srv.baseURL, apiKey: 'k', model: 'whisper-1' });
      const t = await p.transcribe({ sampleRate: 8000, channels: [new Float32Array(8000 * 10)] });
      assert.equal(srv.received.length, 0);
      assert.equal(t.text, '');
    } finally {
      await srv.close();
    }
  });
});
