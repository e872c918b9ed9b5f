// Emergency-word spotting with sherpa-onnx's KeywordSpotter: over a whole
// recording (every channel), or live, fed audio as it arrives from the switch.
import fs from 'node:fs';
import sherpa from 'sherpa-onnx-node';
import { findSherpaModel } from './sherpa-model';
import { SpotterKeyword, keywordsFileText, parseTokens } from './keywords';
import { resample, Speaker } from './audio';
import { RecordingAudio, tracksOf } from './provider';

const MODEL_RATE = 16000;

export interface KeywordHit {
  keyword: string;
  /** Seconds from the start of the audio fed to the spotter. */
  offset: number;
  speaker?: Speaker;
}

export interface SpotterOptions {
  modelDir: string;
  keywords: SpotterKeyword[];
  numThreads?: number;
  /** Default threshold for a keyword to fire (sherpa-onnx's keywordsThreshold, default 0.25). */
  threshold?: number;
  /** Default boost of keyword paths (sherpa-onnx's keywordsScore, default 1.0). */
  score?: number;
}

/** A live stream: feed it audio as it comes; it returns the keywords it heard. */
export interface LiveSpotter {
  accept(samples: Float32Array, sampleRate: number): KeywordHit[];
  /** Flush the end of the audio; returns the last hits. */
  finish(): KeywordHit[];
}

export interface EmergencySpotter {
  readonly keywords: SpotterKeyword[];
  /** All keyword hits in a recording, on every track. */
  spot(audio: RecordingAudio): Promise<KeywordHit[]>;
  /** A streaming spotter the IVR can feed the caller's live audio to. */
  live(speaker?: Speaker): LiveSpotter;
}

const FEED_SECONDS = 0.2;

export function createEmergencySpotter(opts: SpotterOptions): EmergencySpotter {
  const files = findSherpaModel(opts.modelDir, 'online-transducer');
  const keywordsBuf = keywordsFileText(opts.keywords, parseTokens(fs.readFileSync(files.tokens, 'utf8')));
  const kws = new sherpa.KeywordSpotter({
    featConfig: { sampleRate: MODEL_RATE, featureDim: 80 },
    modelConfig: {
      transducer: { encoder: files.encoder!, decoder: files.decoder!, joiner: files.joiner! },
      tokens: files.tokens,
      numThreads: opts.numThreads ?? 1,
      provider: 'cpu',
      debug: 0,
    },
    keywordsScore: opts.score ?? 1.0,
    keywordsThreshold: opts.threshold ?? 0.25,
    keywordsBuf,
    keywordsBufSize: Buffer.byteLength(keywordsBuf),
  });

  function live(speaker?: Speaker): LiveSpotter {
    const stream = kws.createStream();
    let fed = 0; // seconds of audio accepted so far
    let rate: number | null = null; // a stream keeps the rate of its first audio
    let resampler: sherpa.LinearResampler | null = null; // stateful across frames
    const drain = (): KeywordHit[] => {
      const hits: KeywordHit[] = [];
      while (kws.isReady(stream)) {
        kws.decode(stream);
        const r = kws.getResult(stream);
        if (r.keyword) {
          hits.push({ keyword: r.keyword, offset: fed, speaker });
          kws.reset(stream);
        }
      }
      return hits;
    };
    return {
      accept(samples, sampleRate) {
        if (rate !== null && sampleRate !== rate) throw new RangeError(`实时音频采样率不能中途改变：${rate} → ${sampleRate}`);
        if (rate === null && sampleRate !== MODEL_RATE) resampler = new sherpa.LinearResampler(sampleRate, MODEL_RATE);
        rate = sampleRate;
        stream.acceptWaveform({ samples: resampler ? resampler.resample(samples) : samples, sampleRate: MODEL_RATE });
        fed += samples.length / sampleRate;
        return drain();
      },
      finish() {
        // trailing silence lets the last keyword's final frames through the model
        if (resampler) stream.acceptWaveform({ samples: resampler.flush(new Float32Array(0)), sampleRate: MODEL_RATE });
        stream.acceptWaveform({ samples: new Float32Array(MODEL_RATE * 0.5), sampleRate: MODEL_RATE });
        stream.inputFinished();
        return drain();
      },
    };
  }

  return {
    keywords: opts.keywords,
    live,
    async spot(audio) {
      const hits: KeywordHit[] = [];
      for (const track of tracksOf(audio)) {
        const spotter = live(track.speaker);
        const samples = resample(track.samples, track.sampleRate, MODEL_RATE);
        const step = Math.round(MODEL_RATE * FEED_SECONDS);
        for (let i = 0; i < samples.length; i += step) {
          // offsets are approximate to one feed step: the hit is reported when decoded
          hits.push(...spotter.accept(samples.subarray(i, i + step), MODEL_RATE));
          if ((i / step) % 50 === 49) await new Promise((r) => setImmediate(r)); // let the server breathe
        }
        hits.push(...spotter.finish());
      }
      return hits.sort((a, b) => a.offset - b.offset);
    },
  };
}
