// Signal handling shared by every provider: pick or mix channels, resample,
// find speech, trim silence (Whisper invents text on silence) and cut long
// recordings into chunks at pauses. Pure functions over Float32Arrays.
import { muLawDecode, muLawEncode, toInt16 } from './wav';

/** Who speaks on a channel of a stereo call recording. */
export type Speaker = 'caller' | 'agent';

/** Windowed-sinc resampling (Blackman window); low-passes below the lower Nyquist rate. */
export function resample(samples: Float32Array, from: number, to: number): Float32Array {
  if (!(from > 0 && to > 0)) throw new RangeError(`采样率不合法：${from} → ${to}`);
  if (from === to) return samples;
  const ratio = to / from;
  const outLen = Math.floor(samples.length * ratio);
  const out = new Float32Array(outLen);
  const cutoff = Math.min(1, ratio) * 0.95; // of the input Nyquist frequency
  const half = 16; // taps each side, in input samples scaled by the cutoff
  const width = Math.ceil(half / cutoff);
  for (let i = 0; i < outLen; i++) {
    const center = i / ratio;
    const first = Math.max(0, Math.ceil(center - width));
    const last = Math.min(samples.length - 1, Math.floor(center + width));
    let acc = 0;
    let norm = 0;
    for (let j = first; j <= last; j++) {
      const x = j - center;
      const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / width) + 0.08 * Math.cos((2 * Math.PI * x) / width);
      const t = x * cutoff;
      const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      const k = sinc * w;
      acc += samples[j] * k;
      norm += k;
    }
    out[i] = norm > 0 ? acc / norm : 0;
  }
  return out;
}

export function mixDown(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const len = Math.min(...channels.map((c) => c.length));
  const out = new Float32Array(len);
  for (const c of channels) for (let i = 0; i < len; i++) out[i] += c[i] / channels.length;
  return out;
}

/** A telephone line as a switch records it: band-limited to 8 kHz and G.711 µ-law coded. */
export function telephoneBand(samples: Float32Array, sampleRate: number): Float32Array {
  const narrow = resample(samples, sampleRate, 8000);
  const out = new Float32Array(narrow.length);
  for (let i = 0; i < narrow.length; i++) out[i] = muLawDecode(muLawEncode(toInt16(narrow[i]))) / 32768;
  return out;
}

export interface SpeechOptions {
  /** RMS level (dBFS) above which a 30 ms frame counts as speech. */
  thresholdDb: number;
  /** Silence kept around speech, ms. */
  padMs: number;
  /** Pauses shorter than this stay inside one region, ms. */
  minGapMs: number;
}

export const DEFAULT_SPEECH_OPTIONS: SpeechOptions = { thresholdDb: -45, padMs: 300, minGapMs: 600 };

const FRAME_MS = 30;

function frameLevels(samples: Float32Array, sampleRate: number): { frame: number; db: number[] } {
  const frame = Math.max(1, Math.round((sampleRate * FRAME_MS) / 1000));
  const db: number[] = [];
  for (let start = 0; start < samples.length; start += frame) {
    const end = Math.min(samples.length, start + frame);
    let sum = 0;
    for (let i = start; i < end; i++) sum += samples[i] * samples[i];
    const rms = Math.sqrt(sum / (end - start));
    db.push(rms > 0 ? 20 * Math.log10(rms) : -120);
  }
  return { frame, db };
}

export interface Region { start: number; end: number } // sample indices, end exclusive

/** Stretches of speech by frame energy, padded and merged across short pauses. */
export function speechRegions(samples: Float32Array, sampleRate: number, opts: SpeechOptions = DEFAULT_SPEECH_OPTIONS): Region[] {
  const { frame, db } = frameLevels(samples, sampleRate);
  const pad = Math.round((opts.padMs * sampleRate) / 1000);
  const gap = Math.round((opts.minGapMs * sampleRate) / 1000);
  const regions: Region[] = [];
  for (let f = 0; f < db.length; f++) {
    if (db[f] < opts.thresholdDb) continue;
    const start = Math.max(0, f * frame - pad);
    const end = Math.min(samples.length, (f + 1) * frame + pad);
    const last = regions[regions.length - 1];
    if (last && start - last.end <= gap) last.end = Math.max(last.end, end);
    else regions.push({ start, end });
  }
  return regions;
}

export interface AudioChunk {
  /** Seconds from the start of the recording. */
  offset: number;
  samples: Float32Array;
  sampleRate: number;
}

/**
 * The speech of a recording as chunks of at most `maxSeconds`: silence between
 * regions is dropped, long regions are cut at their quietest frame.
 * Returns no chunk for a silent recording.
 */
export function speechChunks(
  samples: Float32Array,
  sampleRate: number,
  maxSeconds: number,
  opts: SpeechOptions = DEFAULT_SPEECH_OPTIONS,
): AudioChunk[] {
  const max = Math.max(1, Math.floor(maxSeconds * sampleRate));
  const { frame, db } = frameLevels(samples, sampleRate);
  const chunks: AudioChunk[] = [];
  for (const region of speechRegions(samples, sampleRate, opts)) {
    let start = region.start;
    while (region.end - start > max) {
      // cut at the quietest frame in the last third of the window
      const lo = Math.floor((start + (max * 2) / 3) / frame);
      const hi = Math.floor((start + max) / frame) - 1;
      let best = hi;
      for (let f = lo; f <= hi; f++) if (db[f] < db[best]) best = f;
      const cut = Math.max(start + frame, Math.min(start + max, best * frame + Math.floor(frame / 2)));
      chunks.push({ offset: start / sampleRate, samples: samples.subarray(start, cut), sampleRate });
      start = cut;
    }
    if (region.end > start) chunks.push({ offset: start / sampleRate, samples: samples.subarray(start, region.end), sampleRate });
  }
  return chunks;
}
