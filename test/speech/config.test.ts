import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  parseSpeechConfig, speechStatus, announceSpeechStatus, SpeechConfigError, createSpeechProvider, createConfiguredSpotter, workerSettings,
} from '../../ivr/speech/config';
import { KWS_MODEL_DIR, haveModel } from './support';

describe('speech configuration', () => {
  it('with nothing configured, transcription is off and the server says why and where to look', async () => {
    const c = parseSpeechConfig({});
    const s = speechStatus(c);
    assert.equal(s.transcription, false);
    assert.equal(s.emergencySpotting, false);
    assert.match(s.messages[0], /未安装离线语音模型，录音转写已关闭/);
    assert.match(s.messages[0], /SPEECH_SHERPA_MODEL_DIR/);
    assert.equal(await createSpeechProvider(c), null);
    assert.equal(createConfiguredSpotter(c), null);
    assert.ok(c.keywords.some((k) => k.phrase === '煤气泄漏'), 'the default emergency words');
  });

  it('the start-up notice is printed once, however often it is asked for', () => {
    const printed: string[] = [];
    const c = parseSpeechConfig({});
    announceSpeechStatus(c, (l) => printed.push(l));
    const again = announceSpeechStatus(c, (l) => printed.push(l));
    assert.equal(again.transcription, false);
    assert.equal(printed.filter((l) => l.includes('录音转写已关闭')).length, 1);
  });

  it('every bad variable is named in one clear error', () => {
    assert.throws(
      () => parseSpeechConfig({ SPEECH_PROVIDER: 'azure', SPEECH_SHERPA_THREADS: 'many', SPEECH_STEREO_CHANNELS: 'left,right' }),
      (err: Error) => err instanceof SpeechConfigError && /SPEECH_PROVIDER/.test(err.message) && /SPEECH_SHERPA_THREADS/.test(err.message) && /SPEECH_STEREO_CHANNELS/.test(err.message),
    );
    assert.throws(() => parseSpeechConfig({ SPEECH_EMERGENCY_KEYWORDS: 'fire,着火了' }), /紧急词配置有误/);
  });

  it('the city sets its own emergency words, inline or from a file', () => {
    assert.deepEqual(parseSpeechConfig({ SPEECH_EMERGENCY_KEYWORDS: '着火了、有人被困，救命' }).keywords.map((k) => k.phrase), ['着火了', '有人被困', '救命']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kw-'));
    try {
      const f = path.join(dir, 'keywords.txt');
      fs.writeFileSync(f, '# 本市紧急词\n煤气泄漏\n有人落水:1.5\n');
      assert.deepEqual(parseSpeechConfig({ SPEECH_EMERGENCY_KEYWORDS_FILE: f }).keywords.map((k) => [k.phrase, k.boost]), [['煤气泄漏', undefined], ['有人落水', 1.5]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Whisper defaults to a server on the premises; a remote one is flagged for the confidentiality rules', () => {
    const local = speechStatus(parseSpeechConfig({ SPEECH_PROVIDER: 'openai' }));
    assert.match(local.messages[0], /127\.0\.0\.1:8000\/v1.*本机服务/);
    const remote = speechStatus(parseSpeechConfig({ SPEECH_PROVIDER: 'openai', SPEECH_OPENAI_BASE_URL: 'https://api.openai.com/v1' }));
    assert.match(remote.messages[0], /保密规定/);
  });

  it('worker settings come from the same configuration', () => {
    const w = workerSettings(parseSpeechConfig({ SPEECH_MAX_ATTEMPTS: '7', SPEECH_RETRY_BASE_SECONDS: '10', SPEECH_STEREO_CHANNELS: 'agent,caller' }));
    assert.deepEqual(w.retry, { maxAttempts: 7, baseDelayMs: 10_000, maxDelayMs: 3_600_000 });
    assert.deepEqual(w.stereoSpeakers, ['agent', 'caller']);
  });

  it('with the models installed, both transcription and spotting are on', async function () {
    if (!haveModel) this.skip();
    const c = parseSpeechConfig({ SPEECH_SHERPA_MODEL_DIR: KWS_MODEL_DIR, SPEECH_KWS_MODEL_DIR: KWS_MODEL_DIR });
    const s = speechStatus(c);
    assert.equal(s.transcription, true);
    assert.equal(s.emergencySpotting, true);
    assert.equal((await createSpeechProvider(c))?.name, 'sherpa-onnx');
    assert.ok(createConfiguredSpotter(c));
  });
});
