// Google Cloud Speech-to-Text (v1 `recognize`): LINEAR16 at the recording's own
// rate (8 kHz from the switch), language zh-CN, the telephony model. Credentials
// come from the environment (GOOGLE_APPLICATION_CREDENTIALS), as the library reads them.
// Synchronous recognition takes at most one minute of audio: longer speech is chunked.
import { RecordingAudio, SpeechError, SpeechProvider, TranscriptSegment, Transcription, chunksFor, joinSegments } from '../provider';
import { DEFAULT_SPEECH_OPTIONS, SpeechOptions } from '../audio';
import { encodeWav16 } from '../wav';

/** The request shape of v1 RecognizeRequest that this provider sends. */
export interface GoogleRecognizeRequest {
  config: {
    encoding: 'LINEAR16';
    sampleRateHertz: number;
    audioChannelCount: number;
    languageCode: string;
    model: string;
    useEnhanced: boolean;
    enableAutomaticPunctuation: boolean;
    enableWordTimeOffsets: boolean;
    maxAlternatives: number;
  };
  audio: { content: string };
}

interface Duration { seconds?: number | string | null; nanos?: number | null }
export interface GoogleRecognizeResponse {
  results?: Array<{
    alternatives?: Array<{ transcript?: string | null; confidence?: number | null }> | null;
    resultEndTime?: Duration | null;
    languageCode?: string | null;
  }> | null;
}

/** The one method of @google-cloud/speech's v1 SpeechClient this provider calls. */
export interface GoogleSpeechClient {
  recognize(request: GoogleRecognizeRequest): Promise<[GoogleRecognizeResponse, ...unknown[]]>;
  close?(): Promise<void>;
}

export interface GoogleProviderOptions {
  languageCode?: string;
  model?: string;
  /** Highest rate sent; telephone audio goes as recorded (8 kHz). */
  maxSampleRate?: number;
  maxChunkSeconds?: number;
  speech?: SpeechOptions;
}

const seconds = (d: Duration | null | undefined) => (d ? Number(d.seconds ?? 0) + (d.nanos ?? 0) / 1e9 : 0);

// gRPC status codes that retrying will not fix.
const PERMANENT_CODES = new Set([3 /* INVALID_ARGUMENT */, 5 /* NOT_FOUND */, 7 /* PERMISSION_DENIED */, 16 /* UNAUTHENTICATED */]);

function toSpeechError(err: unknown): SpeechError {
  const code = (err as { code?: unknown })?.code;
  const permanent = typeof code === 'number' && PERMANENT_CODES.has(code);
  return new SpeechError(`Google 语音识别失败（代码 ${String(code ?? '未知')}）：${(err as Error)?.message ?? String(err)}`, permanent, { cause: err });
}

/** A real client from @google-cloud/speech, loaded only when this provider is configured. */
export async function defaultGoogleClient(): Promise<GoogleSpeechClient> {
  const { v1 } = await import('@google-cloud/speech');
  return new v1.SpeechClient() as unknown as GoogleSpeechClient;
}

export function createGoogleProvider(opts: GoogleProviderOptions, client: GoogleSpeechClient): SpeechProvider {
  const maxChunk = Math.min(opts.maxChunkSeconds ?? 55, 59);
  const speech = opts.speech ?? DEFAULT_SPEECH_OPTIONS;
  return {
    name: 'google',
    async transcribe(audio: RecordingAudio): Promise<Transcription> {
      const rate = Math.min(audio.sampleRate, opts.maxSampleRate ?? 16000);
      const languageCode = opts.languageCode ?? 'zh-CN';
      const segments: TranscriptSegment[] = [];
      for (const chunk of chunksFor(audio, rate, maxChunk, speech)) {
        const wav = encodeWav16({ sampleRate: rate, channels: [chunk.samples] });
        const request: GoogleRecognizeRequest = {
          config: {
            encoding: 'LINEAR16',
            sampleRateHertz: rate,
            audioChannelCount: 1,
            languageCode,
            model: opts.model ?? 'telephony',
            useEnhanced: true,
            enableAutomaticPunctuation: true,
            enableWordTimeOffsets: false,
            maxAlternatives: 1,
          },
          // raw PCM without the 44-byte WAV header, as LINEAR16 expects
          audio: { content: wav.subarray(44).toString('base64') },
        };
        let response: GoogleRecognizeResponse;
        try {
          [response] = await client.recognize(request);
        } catch (err) {
          throw toSpeechError(err);
        }
        let start = chunk.offset;
        for (const r of response.results ?? []) {
          const text = r.alternatives?.[0]?.transcript?.trim() ?? '';
          const end = r.resultEndTime ? chunk.offset + seconds(r.resultEndTime) : chunk.offset + chunk.samples.length / rate;
          if (text) segments.push({ start, end, text, speaker: chunk.speaker });
          start = end;
        }
      }
      return { text: joinSegments(segments), language: languageCode, segments };
    },
    async close() {
      await client.close?.();
    },
  };
}
