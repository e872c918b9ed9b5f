// The Google Cloud Speech provider with an injected client: the request it builds
// (v1 RecognizeRequest), how it reads results, and which errors it retries.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sinon from 'sinon';
import { decodeWav } from '../../ivr/speech/wav';
import { telephoneBand } from '../../ivr/speech/audio';
import { createGoogleProvider, GoogleRecognizeRequest, GoogleSpeechClient } from '../../ivr/speech/providers/google';
import { RecordingAudio, SpeechError } from '../../ivr/speech/provider';
import { TEST_WAVS, requireModel } from './support';

describe('Google Cloud Speech provider', () => {
  let phone: Float32Array;

  before(function () {
    requireModel(this);
    const w = decodeWav(fs.readFileSync(path.join(TEST_WAVS, '6.wav')));
    phone = telephoneBand(w.channels[0], w.sampleRate);
  });

  it('sends 8 kHz LINEAR16 audio as recorded, zh-CN, the telephony model', async () => {
    const recognize = sinon.stub<[GoogleRecognizeRequest], ReturnType<GoogleSpeechClient['recognize']>>().resolves([
      { results: [{ alternatives: [{ transcript: '朱丽楠在上市见面会上表示', confidence: 0.9 }], resultEndTime: { seconds: '3', nanos: 200_000_000 }, languageCode: 'cmn-hans-cn' }] },
    ]);
    const p = createGoogleProvider({}, { recognize });
    const t = await p.transcribe({ sampleRate: 8000, channels: [phone] });
    sinon.assert.calledOnce(recognize);
    const req = recognize.firstCall.args[0];
    assert.equal(req.config.encoding, 'LINEAR16');
    assert.equal(req.config.sampleRateHertz, 8000);
    assert.equal(req.config.audioChannelCount, 1);
    assert.equal(req.config.languageCode, 'zh-CN');
    assert.equal(req.config.model, 'telephony');
    const bytes = Buffer.from(req.audio.content, 'base64');
    assert.equal(bytes.subarray(0, 4).toString('ascii') === 'RIFF', false, 'raw PCM, no WAV header');
    assert.ok(bytes.length / 2 / 8000 <= 3.6 + 0.7, 'only the speech, trimmed');
    assert.equal(t.text, '朱丽楠在上市见面会上表示');
    assert.equal(t.language, 'zh-CN');
    assert.ok(Math.abs(t.segments[0].end - (t.segments[0].start + 3.2)) < 0.01);
  });

  it('a stereo call is recognised per speaker, and long speech goes in pieces under one minute', async () => {
    const recognize = sinon.stub<[GoogleRecognizeRequest], ReturnType<GoogleSpeechClient['recognize']>>().resolves([{ results: [{ alternatives: [{ transcript: '好的' }] }] }]);
    const p = createGoogleProvider({ maxChunkSeconds: 2 }, { recognize });
    const audio: RecordingAudio = { sampleRate: 8000, channels: [phone, phone], speakers: ['caller', 'agent'] };
    const t = await p.transcribe(audio);
    assert.ok(recognize.callCount >= 4);
    for (const call of recognize.getCalls()) assert.ok(Buffer.from(call.args[0].audio.content, 'base64').length / 2 / 8000 <= 2);
    assert.match(t.text, /^市民：/);
    assert.match(t.text, /坐席：/);
  });

  it('bad credentials (UNAUTHENTICATED) fail for good; UNAVAILABLE is retried later', async () => {
    const denied = createGoogleProvider({}, { recognize: sinon.stub().rejects(Object.assign(new Error('16 UNAUTHENTICATED: Request had invalid authentication credentials.'), { code: 16 })) });
    const down = createGoogleProvider({}, { recognize: sinon.stub().rejects(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 })) });
    const audio = { sampleRate: 8000, channels: [phone] };
    const e1 = await denied.transcribe(audio).then(() => null, (e: unknown) => e);
    const e2 = await down.transcribe(audio).then(() => null, (e: unknown) => e);
    assert.ok(e1 instanceof SpeechError && e1.permanent);
    assert.ok(e2 instanceof SpeechError && !e2.permanent);
  });
});
