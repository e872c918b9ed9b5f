// Real runs of the sherpa-onnx runtime with the shared model on the shared
// Mandarin recordings, as recorded (16 kHz) and as a telephone line carries them (8 kHz G.711).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { decodeWav, pcm16ToFloat } from '../../ivr/speech/wav';
import { telephoneBand } from '../../ivr/speech/audio';
import { createEmergencySpotter, EmergencySpotter } from '../../ivr/speech/spotter';
import { createSherpaProvider } from '../../ivr/speech/providers/sherpa';
import { parseKeywords, DEFAULT_EMERGENCY_KEYWORDS } from '../../ivr/speech/keywords';
import { findSherpaModel, ModelNotFoundError } from '../../ivr/speech/sherpa-model';
import { EXPECTED_HITS, KWS_MODEL_DIR, TEST_WAVS, requireModel, testKeywordLines } from './support';

const load = (name: string) => decodeWav(fs.readFileSync(path.join(TEST_WAVS, name)));
const phone = (name: string) => {
  const w = load(name);
  return { sampleRate: 8000, channels: [telephoneBand(w.channels[0], w.sampleRate)] };
};

describe('sherpa-onnx on the shared Mandarin recordings', function () {
  this.timeout(60_000);
  let spotter: EmergencySpotter;

  before(function () {
    requireModel(this);
    spotter = createEmergencySpotter({
      modelDir: KWS_MODEL_DIR,
      keywords: parseKeywords([...testKeywordLines(), ...DEFAULT_EMERGENCY_KEYWORDS]),
      numThreads: 1,
    });
  });

  it('the spotter hears each keyword spoken in the 16 kHz recordings, and nothing in the others', async () => {
    for (const [name, expected] of Object.entries(EXPECTED_HITS)) {
      const hits = await spotter.spot(load(name));
      assert.deepEqual(hits.map((h) => h.keyword), expected, name);
    }
  });

  it('at 8 kHz over a G.711 line it still hears most of them, with no false alarm', async () => {
    let found = 0;
    let expectedTotal = 0;
    for (const [name, expected] of Object.entries(EXPECTED_HITS)) {
      const hits = (await spotter.spot(phone(name))).map((h) => h.keyword);
      for (const k of hits) assert.ok(expected.includes(k), `${name}: false alarm ${k}`);
      found += hits.length;
      expectedTotal += expected.length;
    }
    // the model's README: 7 of 8 after the telephone-line simulation
    assert.ok(found >= 7, `found ${found} of ${expectedTotal}`);
  });

  it('a hit says when in the recording the word was spoken', async () => {
    const [first, second] = await spotter.spot(load('4.wav'));
    assert.equal(first.keyword, '蒋友伯');
    assert.equal(second.keyword, '女儿');
    assert.ok(first.offset > 0.5 && first.offset < second.offset && second.offset < 4.6);
  });

  it('a live stream fed 20 ms telephone frames (raw 16-bit PCM, as a switch streams it) raises the keyword during the call', () => {
    const audio = phone('6.wav').channels[0];
    const pcm = Buffer.alloc(audio.length * 2);
    audio.forEach((v, i) => pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), i * 2));
    const live = spotter.live('caller');
    const heard: string[] = [];
    for (let i = 0; i < pcm.length; i += 320) heard.push(...live.accept(pcm16ToFloat(pcm.subarray(i, i + 320)), 8000).map((h) => h.keyword));
    heard.push(...live.finish().map((h) => h.keyword));
    assert.deepEqual(heard, ['朱丽楠', '见面会']);
  });

  it('on a stereo call it hears the caller on the caller channel', async () => {
    const w = load('5.wav');
    const hits = await spotter.spot({ sampleRate: w.sampleRate, channels: [w.channels[0], new Float32Array(w.channels[0].length)], speakers: ['caller', 'agent'] });
    assert.deepEqual(hits.map((h) => [h.keyword, h.speaker]), [['周望军', 'caller'], ['落实', 'caller']]);
  });

  it('the streaming model transcribes telephone audio (in pinyin, this model\'s units) with segment times', async () => {
    const provider = await createSherpaProvider({ modelDir: KWS_MODEL_DIR, numThreads: 1 });
    const t = await provider.transcribe(phone('3.wav'));
    assert.equal(provider.name, 'sherpa-onnx');
    assert.equal(t.language, 'zh');
    assert.match(t.text, /fǎguó/);
    assert.match(t.text, /yǎnyuán/);
    assert.ok(t.segments.length >= 1 && t.segments[0].start >= 0 && t.segments[0].end <= 8.1);
  });

  it('a model folder is recognised by its files, and a wrong folder is a clear error', () => {
    assert.equal(findSherpaModel(KWS_MODEL_DIR).type, 'online-transducer');
    assert.match(findSherpaModel(KWS_MODEL_DIR).encoder!, /int8/);
    assert.throws(() => findSherpaModel(TEST_WAVS), ModelNotFoundError);
    assert.throws(() => findSherpaModel('/nonexistent/model'), /找不到语音模型目录/);
  });
});
