// Whisper through the OpenAI audio transcription API (POST {baseURL}/audio/transcriptions,
// multipart, response_format=verbose_json). Any OpenAI-compatible server the city
// runs on its own premises works the same way: set the base URL to it.
import OpenAI, { toFile } from 'openai';
import { RecordingAudio, SpeechError, SpeechProvider, TranscriptSegment, Transcription, chunksFor, joinSegments } from '../provider';
import { encodeWav16 } from '../wav';
import { DEFAULT_SPEECH_OPTIONS, SpeechOptions } from '../audio';

const UPLOAD_RATE = 16000; // Whisper works at 16 kHz; sending more only costs bandwidth

export interface OpenAiProviderOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  /** ISO-639-1 language of the audio (zh). */
  language?: string;
  /** Retries of the client itself on 408/409/429/5xx and connection errors (honours Retry-After). */
  maxRetries?: number;
  timeoutMs?: number;
  /** Longest piece uploaded at once; 16 kHz 16-bit mono is 32 kB/s, the API takes 25 MB. */
  maxChunkSeconds?: number;
  /** Words that help the model (place names, department names). */
  prompt?: string;
  speech?: SpeechOptions;
}

interface VerboseSegment { start: number; end: number; text: string; no_speech_prob?: number; avg_logprob?: number }
interface VerboseTranscription { text: string; language?: string; segments?: VerboseSegment[] }

/** Whisper's own rule for a segment that is silence it made words for. */
function isHallucinatedSilence(s: VerboseSegment): boolean {
  return (s.no_speech_prob ?? 0) > 0.6 && (s.avg_logprob ?? 0) < -1;
}

export function toSpeechError(err: unknown): SpeechError {
  if (err instanceof SpeechError) return err;
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
    const status = err.status;
    const permanent = [400, 401, 403, 404, 413, 415, 422].includes(status);
    const what = status === 401 ? '认证失败（API 密钥无效）' : status === 429 ? '请求过多，服务限流' : `服务返回 ${status}`;
    return new SpeechError(`转写服务${what}：${err.message}`, permanent, { cause: err });
  }
  if (err instanceof OpenAI.APIError) {
    return new SpeechError(`连接转写服务失败：${err.message}`, false, { cause: err });
  }
  return new SpeechError(`转写失败：${(err as Error)?.message ?? String(err)}`, false, { cause: err });
}

export function createOpenAiProvider(opts: OpenAiProviderOptions, client?: OpenAI): SpeechProvider {
  const api = client ?? new OpenAI({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    maxRetries: opts.maxRetries ?? 2,
    timeout: opts.timeoutMs ?? 120_000,
  });
  const maxChunk = opts.maxChunkSeconds ?? 300;
  const speech = opts.speech ?? DEFAULT_SPEECH_OPTIONS;
  return {
    name: 'openai',
    async transcribe(audio: RecordingAudio, signal?: AbortSignal): Promise<Transcription> {
      const segments: TranscriptSegment[] = [];
      let language = opts.language ?? 'zh';
      const chunks = chunksFor(audio, UPLOAD_RATE, maxChunk, speech);
      for (const [i, chunk] of chunks.entries()) {
        const wav = encodeWav16({ sampleRate: UPLOAD_RATE, channels: [chunk.samples] });
        let res: VerboseTranscription;
        try {
          res = (await api.audio.transcriptions.create(
            {
              file: await toFile(wav, `chunk-${i}.wav`, { type: 'audio/wav' }),
              model: opts.model,
              language: opts.language ?? 'zh',
              response_format: 'verbose_json',
              ...(opts.prompt ? { prompt: opts.prompt } : {}),
            },
            { signal },
          )) as VerboseTranscription;
        } catch (err) {
          throw toSpeechError(err);
        }
        if (typeof res?.text !== 'string') throw new SpeechError('转写服务的回答缺少 text 字段', false);
        if (res.language) language = res.language;
        const parts = res.segments?.length ? res.segments.filter((s) => !isHallucinatedSilence(s)) : [{ start: 0, end: chunk.samples.length / UPLOAD_RATE, text: res.text }];
        for (const s of parts) {
          if (s.text.trim()) segments.push({ start: chunk.offset + s.start, end: chunk.offset + s.end, text: s.text.trim(), speaker: chunk.speaker });
        }
      }
      return { text: joinSegments(segments), language: normaliseLanguage(language), segments };
    },
  };
}

/** verbose_json names the language in English ("chinese"); keep the ISO code. */
function normaliseLanguage(lang: string): string {
  const l = lang.toLowerCase();
  return l === 'chinese' || l === 'mandarin' ? 'zh' : l;
}
