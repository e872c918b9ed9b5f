// Speech configuration from the environment (documented in README.md), and the
// one place that builds the configured provider and emergency-word spotter.
import fs from 'node:fs';
import { z } from 'zod';
import { SHERPA_MODEL_TYPES } from './sherpa-model';
import { DEFAULT_EMERGENCY_KEYWORDS, SpotterKeyword, parseKeywords } from './keywords';
import { SpeechOptions } from './audio';
import { SpeechProvider } from './provider';
import { EmergencySpotter, createEmergencySpotter } from './spotter';
import { createSherpaProvider } from './providers/sherpa';
import { createOpenAiProvider } from './providers/openai';
import { createGoogleProvider, defaultGoogleClient } from './providers/google';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const speakers = z.string().transform((s, ctx) => {
  const parts = s.split(',').map((p) => p.trim());
  if (parts.length !== 2 || parts.some((p) => p !== 'caller' && p !== 'agent') || parts[0] === parts[1]) {
    ctx.addIssue({ code: 'custom', message: '应为 caller,agent 或 agent,caller' });
    return z.NEVER;
  }
  return parts as ('caller' | 'agent')[];
});
const optionalPath = z.string().trim().optional().transform((s) => (s ? s : undefined));

export const speechEnvSchema = z.object({
  SPEECH_PROVIDER: z.enum(['sherpa', 'openai', 'google', 'off']).default('sherpa'),
  SPEECH_LANGUAGE: z.string().default('zh'),
  SPEECH_SHERPA_MODEL_DIR: optionalPath,
  SPEECH_SHERPA_MODEL_TYPE: z.enum(['auto', ...SHERPA_MODEL_TYPES]).default('auto'),
  SPEECH_SHERPA_THREADS: int(1, 64).default(1),
  SPEECH_OPENAI_BASE_URL: z.url().default('http://127.0.0.1:8000/v1'),
  SPEECH_OPENAI_API_KEY: z.string().default('local'),
  SPEECH_OPENAI_MODEL: z.string().min(1).default('whisper-1'),
  SPEECH_OPENAI_MAX_RETRIES: int(0, 10).default(2),
  SPEECH_OPENAI_TIMEOUT_MS: int(1000, 3_600_000).default(120_000),
  SPEECH_OPENAI_PROMPT: z.string().optional(),
  SPEECH_GOOGLE_LANGUAGE: z.string().default('zh-CN'),
  SPEECH_GOOGLE_MODEL: z.string().default('telephony'),
  SPEECH_KWS_MODEL_DIR: optionalPath,
  SPEECH_KWS_THREADS: int(1, 64).default(1),
  SPEECH_KWS_THRESHOLD: num(0.01, 1).default(0.25),
  SPEECH_KWS_SCORE: num(0.1, 10).default(1.0),
  /** Comma- or 、-separated phrases; replaces the default list. */
  SPEECH_EMERGENCY_KEYWORDS: z.string().optional(),
  /** A file with one phrase per line; used instead of SPEECH_EMERGENCY_KEYWORDS when set. */
  SPEECH_EMERGENCY_KEYWORDS_FILE: optionalPath,
  SPEECH_STEREO_CHANNELS: speakers.default(['caller', 'agent']),
  SPEECH_SILENCE_DB: num(-90, -10).default(-45),
  SPEECH_MAX_CHUNK_SECONDS: int(5, 600).optional(),
  SPEECH_RECORDINGS_DIR: optionalPath,
  SPEECH_MAX_ATTEMPTS: int(1, 100).default(5),
  SPEECH_RETRY_BASE_SECONDS: int(1, 86_400).default(30),
  SPEECH_RETRY_MAX_SECONDS: int(1, 604_800).default(3600),
  SPEECH_LEASE_SECONDS: int(10, 86_400).default(600),
  SPEECH_POLL_MS: int(50, 600_000).default(2000),
});

export type SpeechEnv = z.infer<typeof speechEnvSchema>;

export interface SpeechConfig extends SpeechEnv {
  keywords: SpotterKeyword[];
  speech: SpeechOptions;
}

export class SpeechConfigError extends Error {
  override name = 'SpeechConfigError';
}

/** Parse the speech settings; a clear error names every bad variable. */
export function parseSpeechConfig(env: Record<string, string | undefined> = process.env): SpeechConfig {
  const r = speechEnvSchema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.')}：${i.message}`);
    throw new SpeechConfigError(`语音配置有误：\n${lines.join('\n')}`);
  }
  const c = r.data;
  let entries: string[];
  if (c.SPEECH_EMERGENCY_KEYWORDS_FILE) {
    try {
      entries = fs.readFileSync(c.SPEECH_EMERGENCY_KEYWORDS_FILE, 'utf8').split('\n');
    } catch {
      throw new SpeechConfigError(`读不到紧急词文件：${c.SPEECH_EMERGENCY_KEYWORDS_FILE}`);
    }
  } else if (c.SPEECH_EMERGENCY_KEYWORDS !== undefined) {
    entries = c.SPEECH_EMERGENCY_KEYWORDS.split(/[,，、\n]/);
  } else {
    entries = [...DEFAULT_EMERGENCY_KEYWORDS];
  }
  let keywords: SpotterKeyword[];
  try {
    keywords = parseKeywords(entries.map((e) => e.trim()).filter((e) => e && !e.startsWith('#')));
  } catch (err) {
    throw new SpeechConfigError(`紧急词配置有误：${(err as Error).message}`);
  }
  return { ...c, keywords, speech: { thresholdDb: c.SPEECH_SILENCE_DB, padMs: 300, minGapMs: 600 } };
}

export interface SpeechStatus {
  transcription: boolean;
  emergencySpotting: boolean;
  /** Lines for the start-up log, in Chinese. */
  messages: string[];
}

/** What is on and off, and why: the server prints `messages` once at start. */
export function speechStatus(c: SpeechConfig): SpeechStatus {
  const messages: string[] = [];
  let transcription = true;
  if (c.SPEECH_PROVIDER === 'off') {
    transcription = false;
    messages.push('语音转写已关闭（SPEECH_PROVIDER=off）。');
  } else if (c.SPEECH_PROVIDER === 'sherpa') {
    if (!c.SPEECH_SHERPA_MODEL_DIR) {
      transcription = false;
      messages.push('未安装离线语音模型，录音转写已关闭。安装方法见 ivr/speech/README.md，然后设置 SPEECH_SHERPA_MODEL_DIR。');
    } else if (!fs.existsSync(c.SPEECH_SHERPA_MODEL_DIR)) {
      transcription = false;
      messages.push(`找不到离线语音模型目录 ${c.SPEECH_SHERPA_MODEL_DIR}，录音转写已关闭。`);
    } else {
      messages.push(`录音转写：离线 sherpa-onnx 模型 ${c.SPEECH_SHERPA_MODEL_DIR}（录音不出本机）。`);
    }
  } else if (c.SPEECH_PROVIDER === 'openai') {
    const local = /^https?:\/\/(127\.|localhost|\[::1\])/.test(c.SPEECH_OPENAI_BASE_URL);
    messages.push(`录音转写：Whisper 接口 ${c.SPEECH_OPENAI_BASE_URL}，模型 ${c.SPEECH_OPENAI_MODEL}${local ? '（本机服务）' : '（录音将发往该服务，请确认符合保密规定）'}。`);
  } else {
    messages.push(`录音转写：Google Cloud Speech（${c.SPEECH_GOOGLE_LANGUAGE}，模型 ${c.SPEECH_GOOGLE_MODEL}；录音将发往境外云服务，请确认符合保密规定）。`);
  }
  let emergencySpotting = false;
  if (!c.SPEECH_KWS_MODEL_DIR) {
    messages.push('未配置紧急词检测模型（SPEECH_KWS_MODEL_DIR），只在转写文字中查找紧急词。');
  } else if (!fs.existsSync(c.SPEECH_KWS_MODEL_DIR)) {
    messages.push(`找不到紧急词检测模型目录 ${c.SPEECH_KWS_MODEL_DIR}，只在转写文字中查找紧急词。`);
  } else {
    emergencySpotting = true;
    messages.push(`紧急词检测：${c.keywords.map((k) => k.phrase).join('、')}。`);
  }
  return { transcription, emergencySpotting, messages };
}

let announced = false;

/** Print the speech status once per process (the server calls this at start). */
export function announceSpeechStatus(c: SpeechConfig, log: (line: string) => void = (l) => console.warn(l)): SpeechStatus {
  const status = speechStatus(c);
  if (!announced) {
    announced = true;
    for (const line of status.messages) log(line);
  }
  return status;
}

/** The configured provider, or null when transcription is off. */
export async function createSpeechProvider(c: SpeechConfig): Promise<SpeechProvider | null> {
  if (!speechStatus(c).transcription) return null;
  if (c.SPEECH_PROVIDER === 'sherpa') {
    return createSherpaProvider({
      modelDir: c.SPEECH_SHERPA_MODEL_DIR!, modelType: c.SPEECH_SHERPA_MODEL_TYPE, numThreads: c.SPEECH_SHERPA_THREADS,
      maxChunkSeconds: c.SPEECH_MAX_CHUNK_SECONDS, speech: c.speech,
    });
  }
  if (c.SPEECH_PROVIDER === 'openai') {
    return createOpenAiProvider({
      baseURL: c.SPEECH_OPENAI_BASE_URL, apiKey: c.SPEECH_OPENAI_API_KEY, model: c.SPEECH_OPENAI_MODEL,
      language: c.SPEECH_LANGUAGE, maxRetries: c.SPEECH_OPENAI_MAX_RETRIES, timeoutMs: c.SPEECH_OPENAI_TIMEOUT_MS,
      maxChunkSeconds: c.SPEECH_MAX_CHUNK_SECONDS, prompt: c.SPEECH_OPENAI_PROMPT, speech: c.speech,
    });
  }
  return createGoogleProvider(
    { languageCode: c.SPEECH_GOOGLE_LANGUAGE, model: c.SPEECH_GOOGLE_MODEL, maxChunkSeconds: c.SPEECH_MAX_CHUNK_SECONDS, speech: c.speech },
    await defaultGoogleClient(),
  );
}

/** The configured emergency-word spotter, or null when no spotting model is installed. */
export function createConfiguredSpotter(c: SpeechConfig): EmergencySpotter | null {
  if (!speechStatus(c).emergencySpotting) return null;
  return createEmergencySpotter({
    modelDir: c.SPEECH_KWS_MODEL_DIR!, keywords: c.keywords, numThreads: c.SPEECH_KWS_THREADS,
    threshold: c.SPEECH_KWS_THRESHOLD, score: c.SPEECH_KWS_SCORE,
  });
}

/** Worker settings from the configuration, to spread into startSpeechWorker's options. */
export function workerSettings(c: SpeechConfig) {
  return {
    keywords: c.keywords,
    stereoSpeakers: c.SPEECH_STEREO_CHANNELS,
    recordingsDir: c.SPEECH_RECORDINGS_DIR,
    retry: { maxAttempts: c.SPEECH_MAX_ATTEMPTS, baseDelayMs: c.SPEECH_RETRY_BASE_SECONDS * 1000, maxDelayMs: c.SPEECH_RETRY_MAX_SECONDS * 1000 },
    leaseMs: c.SPEECH_LEASE_SECONDS * 1000,
    pollMs: c.SPEECH_POLL_MS,
  };
}
