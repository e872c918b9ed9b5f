// The part of sherpa-onnx-node's API this module uses. The package ships JSDoc
// (types.js) but no declarations; these follow its JSDoc for version 1.13.
declare module 'sherpa-onnx-node' {
  export interface Waveform { samples: Float32Array; sampleRate: number }
  export interface FeatureConfig { sampleRate?: number; featureDim?: number }
  export interface TransducerModelConfig { encoder: string; decoder: string; joiner: string }
  export interface OnlineModelConfig {
    transducer?: TransducerModelConfig;
    tokens: string;
    numThreads?: number;
    provider?: string;
    debug?: boolean | number;
    modelingUnit?: string;
  }
  export interface OfflineModelConfig {
    transducer?: TransducerModelConfig;
    paraformer?: { model: string };
    senseVoice?: { model: string; language?: string; useInverseTextNormalization?: number };
    tokens: string;
    numThreads?: number;
    provider?: string;
    debug?: boolean | number;
  }
  export interface OnlineStream {
    acceptWaveform(w: Waveform): void;
    inputFinished(): void;
  }
  export interface OfflineStream { acceptWaveform(w: Waveform): void }
  export interface OnlineRecognizerResult { text: string; tokens: string[]; timestamps: number[] }
  export interface OfflineRecognizerResult {
    text: string; lang?: string; tokens: string[]; timestamps: number[];
  }
  export interface KeywordResult { keyword: string; start_time: number; tokens: string[]; timestamps: number[] }

  export class OnlineRecognizer {
    constructor(config: {
      featConfig?: FeatureConfig; modelConfig: OnlineModelConfig; decodingMethod?: string;
      enableEndpoint?: boolean | number;
    });
    createStream(): OnlineStream;
    isReady(s: OnlineStream): boolean;
    decode(s: OnlineStream): void;
    getResult(s: OnlineStream): OnlineRecognizerResult;
    reset(s: OnlineStream): void;
  }
  export class OfflineRecognizer {
    static createAsync(config: { featConfig?: FeatureConfig; modelConfig: OfflineModelConfig; decodingMethod?: string }): Promise<OfflineRecognizer>;
    createStream(): OfflineStream;
    decodeAsync(s: OfflineStream): Promise<OfflineRecognizerResult>;
  }
  export class KeywordSpotter {
    constructor(config: {
      featConfig?: FeatureConfig; modelConfig: OnlineModelConfig; maxActivePaths?: number;
      numTrailingBlanks?: number; keywordsScore?: number; keywordsThreshold?: number;
      keywordsFile?: string; keywordsBuf?: string; keywordsBufSize?: number;
    });
    createStream(): OnlineStream;
    isReady(s: OnlineStream): boolean;
    decode(s: OnlineStream): void;
    reset(s: OnlineStream): void;
    getResult(s: OnlineStream): KeywordResult;
  }
  export class LinearResampler {
    constructor(inputSampleRate: number, outputSampleRate: number);
    resample(samples: Float32Array): Float32Array;
    flush(samples: Float32Array): Float32Array;
  }
  export function readWave(file: string): Waveform;
  export const version: string;
}
