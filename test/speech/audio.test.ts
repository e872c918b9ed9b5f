import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AudioFormatError, decodeWav, encodeWav16, muLawDecode, muLawEncode, aLawDecode } from '../../ivr/speech/wav';
import { resample, speechChunks, speechRegions, telephoneBand } from '../../ivr/speech/audio';
import { chunksFor, joinSegments, callerText } from '../../ivr/speech/provider';
import { TEST_WAVS, requireModel } from './support';

/** A WAV header for `frames` frames of 8-bit G.711 (format 7 µ-law, 6 A-law). */
function g711Wav(format: 6 | 7, channels: number, rate: number, data: Buffer): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii'); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii'); h.writeUInt32LE(16, 16); h.writeUInt16LE(format, 20); h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * channels, 28); h.writeUInt16LE(channels, 32); h.writeUInt16LE(8, 34);
  h.write('data', 36, 'ascii'); h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

function tone(freq: number, rate: number, seconds: number, amp = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

describe('speech audio: telephone recordings in, speech chunks out', () => {
  it('a stereo 16-bit recording keeps the caller and the agent on their own channels', () => {
    const caller = tone(440, 8000, 0.1);
    const agent = new Float32Array(caller.length);
    const back = decodeWav(encodeWav16({ sampleRate: 8000, channels: [caller, agent] }));
    assert.equal(back.sampleRate, 8000);
    assert.equal(back.channels.length, 2);
    assert.ok(Math.abs(rms(back.channels[0]) - rms(caller)) < 0.001);
    assert.equal(rms(back.channels[1]), 0);
  });

  it('G.711 µ-law and A-law recordings from the switch decode to the same speech level', () => {
    const x = tone(300, 8000, 0.2, 0.3);
    const mu = Buffer.from(Array.from(x, (v) => muLawEncode(Math.round(v * 32767))));
    const decoded = decodeWav(g711Wav(7, 1, 8000, mu));
    assert.ok(Math.abs(rms(decoded.channels[0]) - rms(x)) / rms(x) < 0.03);
    // A-law: 0xD5 is the code for the smallest positive level, 0x55 the smallest negative
    assert.ok(aLawDecode(0xd5) > 0 && aLawDecode(0x55) < 0);
    assert.equal(decodeWav(g711Wav(6, 1, 8000, Buffer.from([0xd5, 0x55]))).channels[0].length, 2);
    assert.equal(muLawDecode(muLawEncode(0)), 0);
  });

  it('a recording whose header the switch never finalised still yields the audio written', () => {
    const wav = encodeWav16({ sampleRate: 8000, channels: [tone(300, 8000, 0.5)] });
    wav.writeUInt32LE(0, 40); // data size left at 0 by a crash mid-call
    assert.equal(decodeWav(wav).channels[0].length, 4000);
  });

  it('a file that is not a WAV recording is refused with a clear error', () => {
    assert.throws(() => decodeWav(Buffer.from('ID3 an mp3 file')), AudioFormatError);
    const wav = encodeWav16({ sampleRate: 8000, channels: [new Float32Array(10)] });
    wav.writeUInt16LE(85, 20); // MPEG-in-WAV
    assert.throws(() => decodeWav(wav), /编码不支持/);
  });

  it('resampling 8 kHz to 16 kHz keeps a voice-band tone and the duration', () => {
    const x = tone(1000, 8000, 1);
    const y = resample(x, 8000, 16000);
    assert.equal(y.length, 16000);
    assert.ok(Math.abs(rms(y.subarray(100, -100)) - rms(x)) < 0.01);
  });

  it('going down to the telephone band removes what an 8 kHz line cannot carry', () => {
    const high = tone(6000, 16000, 0.5); // above the 4 kHz Nyquist frequency of 8 kHz
    const voice = tone(1000, 16000, 0.5);
    assert.ok(rms(telephoneBand(high, 16000).subarray(200, -200)) < 0.02);
    assert.ok(rms(telephoneBand(voice, 16000).subarray(200, -200)) > 0.3);
  });

  describe('on a real recording', () => {
    before(function () { requireModel(this); });

    it('silence around and between speech is dropped, and long speech is cut into chunks at pauses', () => {
      const speech = decodeWav(fs.readFileSync(path.join(TEST_WAVS, '4.wav')));
      const rate = speech.sampleRate;
      const s = speech.channels[0];
      const silence = new Float32Array(rate * 5);
      const padded = Float32Array.from([...silence, ...s, ...silence, ...silence, ...s, ...silence]);
      const regions = speechRegions(padded, rate);
      assert.equal(regions.length, 2, 'two stretches of speech');
      assert.ok(regions[0].start / rate > 4.5 && regions[0].start / rate < 5.3);
      const chunks = speechChunks(padded, rate, 30);
      const total = chunks.reduce((n, c) => n + c.samples.length, 0) / rate;
      assert.ok(total < (2 * s.length) / rate + 1.5, `only speech is kept (${total.toFixed(1)} s)`);
      assert.ok(chunks[1].offset > 14, 'offsets point into the original recording');
      const short = speechChunks(padded, rate, 2);
      assert.ok(short.every((c) => c.samples.length <= 2 * rate));
      assert.ok(short.length >= 4);
    });

    it('a stereo call gives each speaker their own chunks, and the transcript labels them', () => {
      const w = decodeWav(fs.readFileSync(path.join(TEST_WAVS, '5.wav')));
      const caller = w.channels[0];
      const agent = Float32Array.from([...new Float32Array(w.sampleRate * 6), ...w.channels[0]]);
      const len = Math.max(caller.length, agent.length);
      const c2 = new Float32Array(len); c2.set(caller);
      const chunks = chunksFor({ sampleRate: w.sampleRate, channels: [c2, agent], speakers: ['caller', 'agent'] }, 16000, 30);
      assert.deepEqual(chunks.map((c) => c.speaker), ['caller', 'agent']);
      const t = { language: 'zh', segments: [
        { start: 0.5, end: 3, text: '我家着火了', speaker: 'caller' as const },
        { start: 6.5, end: 8, text: '请说地址', speaker: 'agent' as const },
      ], text: '' };
      t.text = joinSegments(t.segments);
      assert.equal(t.text, '市民：我家着火了\n坐席：请说地址');
      assert.equal(callerText(t), '我家着火了');
    });
  });
});
