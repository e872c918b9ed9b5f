// Offline transcription on the city's own machine with sherpa-onnx: a streaming
// zipformer (online transducer), or an offline transducer, Paraformer or SenseVoice.
// Audio never leaves the building. Models take 16 kHz; telephone audio is resampled.
import sherpa from 'sherpa-onnx-node';
import { SherpaModelFiles, SherpaModelType, findSherpaModel } from '../sherpa-model';
import { RecordingAudio, SpeechError, SpeechProvider, TranscriptSegment, Transcription, chunksFor, joinSegments } from '../provider';
import { DEFAULT_SPEECH_OPTIONS, SpeechOptions } from '../audio';

const MODEL_RATE = 16000;

export interface SherpaProviderOptions {
  modelDir: string;
  modelType?: SherpaModelType | 'auto';
  numThreads?: number;
  /** Longest piece decoded at once (offline models do best under 30 s). */
  maxChunkSeconds?: number;
  speech?: SpeechOptions;
}

type Decode = (samples: Float32Array) => Promise<string>;

function onlineDecoder(files: SherpaModelFiles, numThreads: number): Decode {
  const rec = new sherpa.OnlineRecognizer({
    featConfig: { sampleRate: MODEL_RATE, featureDim: 80 },
    modelConfig: {
      transducer: { encoder: files.encoder!, decoder: files.decoder!, joiner: files.joiner! },
      tokens: files.tokens, numThreads, provider: 'cpu', debug: 0,
    },
    decodingMethod: 'greedy_search',
    enableEndpoint: 0,
  });
  return async (samples) => {
    const stream = rec.createStream();
    const step = MODEL_RATE; // one second at a time, yielding in between
    for (let i = 0; i < samples.length; i += step) {
      stream.acceptWaveform({ samples: samples.subarray(i, i + step), sampleRate: MODEL_RATE });
      while (rec.isReady(stream)) rec.decode(stream);
      await new Promise((r) => setImmediate(r));
    }
    stream.acceptWaveform({ samples: new Float32Array(MODEL_RATE * 0.6), sampleRate: MODEL_RATE });
    stream.inputFinished();
    while (rec.isReady(stream)) rec.decode(stream);
    return rec.getResult(stream).text;
  };
}

async function offlineDecoder(files: SherpaModelFiles, numThreads: number): Promise<Decode> {
  const common = { tokens: files.tokens, numThreads, provider: 'cpu', debug: 0 };
  const modelConfig =
    files.type === 'transducer'
      ? { ...common, transducer: { encoder: files.encoder!, decoder: files.decoder!, joiner: files.joiner! } }
      : files.type === 'paraformer'
        ? { ...common, paraformer: { model: files.model! } }
        : { ...common, senseVoice: { model: files.model!, language: 'zh', useInverseTextNormalization: 1 } };
  const rec = await sherpa.OfflineRecognizer.createAsync({
    featConfig: { sampleRate: MODEL_RATE, featureDim: 80 },
    modelConfig,
    decodingMethod: 'greedy_search',
  });
  return async (samples) => {
    const stream = rec.createStream();
    stream.acceptWaveform({ samples, sampleRate: MODEL_RATE });
    return (await rec.decodeAsync(stream)).text;
  };
}

export async function createSherpaProvider(opts: SherpaProviderOptions): Promise<SpeechProvider> {
  const files = findSherpaModel(opts.modelDir, opts.modelType ?? 'auto');
  const threads = opts.numThreads ?? 1;
  const decode = files.type === 'online-transducer' ? onlineDecoder(files, threads) : await offlineDecoder(files, threads);
  const maxChunk = opts.maxChunkSeconds ?? 30;
  const speech = opts.speech ?? DEFAULT_SPEECH_OPTIONS;
  return {
    name: 'sherpa-onnx',
    async transcribe(audio: RecordingAudio, signal?: AbortSignal): Promise<Transcription> {
      const segments: TranscriptSegment[] = [];
      for (const chunk of chunksFor(audio, MODEL_RATE, maxChunk, speech)) {
        if (signal?.aborted) throw new SpeechError('转写已取消', false);
        let text: string;
        try {
          text = (await decode(chunk.samples)).trim();
        } catch (err) {
          throw new SpeechError(`sherpa-onnx 解码失败：${(err as Error).message}`, false, { cause: err });
        }
        if (text) {
          segments.push({ start: chunk.offset, end: chunk.offset + chunk.samples.length / MODEL_RATE, text, speaker: chunk.speaker });
        }
      }
      return { text: joinSegments(segments), language: 'zh', segments };
    },
  };
}
