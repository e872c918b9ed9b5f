// The one interface every speech engine implements, and the errors they raise.
// A provider turns one recording into text; queueing, retries, storage and
// emergency words are the worker's business, not the provider's.
import { PcmAudio } from './wav';
import { AudioChunk, DEFAULT_SPEECH_OPTIONS, Speaker, SpeechOptions, mixDown, resample, speechChunks } from './audio';

export interface TranscriptSegment {
  /** Seconds from the start of the recording. */
  start: number;
  end: number;
  text: string;
  /** Who spoke, when the recording has the caller and the agent on separate channels. */
  speaker?: Speaker;
}

export interface Transcription {
  text: string;
  language: string;
  segments: TranscriptSegment[];
}

export interface RecordingAudio extends PcmAudio {
  /** Speaker of each channel for stereo call recordings, e.g. ['caller', 'agent']. */
  speakers?: Speaker[];
}

export interface SpeechProvider {
  /** Short name stored with each transcript: 'sherpa-onnx', 'openai', 'google'. */
  readonly name: string;
  transcribe(audio: RecordingAudio, signal?: AbortSignal): Promise<Transcription>;
  /** Frees native resources, closes clients. */
  close?(): Promise<void>;
}

/**
 * Raised by a provider. `permanent` failures (bad credentials, unreadable
 * audio, a request the service refuses) are not retried; the others are.
 */
export class SpeechError extends Error {
  override name = 'SpeechError';
  constructor(message: string, readonly permanent: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** One track to transcribe: a channel (with its speaker) or the mono mix. */
export interface Track { speaker?: Speaker; samples: Float32Array; sampleRate: number }

/**
 * The tracks of a recording: each speaker's channel when the channels carry
 * named speakers, otherwise all channels mixed to one.
 */
export function tracksOf(audio: RecordingAudio): Track[] {
  const { channels, sampleRate, speakers } = audio;
  if (channels.length > 1 && speakers && speakers.length >= channels.length) {
    return channels.map((samples, i) => ({ speaker: speakers[i], samples, sampleRate }));
  }
  return [{ samples: mixDown(channels), sampleRate }];
}

export interface TrackChunk extends AudioChunk { speaker?: Speaker }

/** Speech of every track, resampled to `rate`, cut into chunks of at most `maxSeconds`. */
export function chunksFor(audio: RecordingAudio, rate: number, maxSeconds: number, opts: SpeechOptions = DEFAULT_SPEECH_OPTIONS): TrackChunk[] {
  const out: TrackChunk[] = [];
  for (const track of tracksOf(audio)) {
    const samples = resample(track.samples, track.sampleRate, rate);
    for (const c of speechChunks(samples, rate, maxSeconds, opts)) out.push({ ...c, speaker: track.speaker });
  }
  return out.sort((a, b) => a.offset - b.offset);
}

const SPEAKER_LABEL: Record<Speaker, string> = { caller: '市民', agent: '坐席' };

/** Joins segments into the transcript text: labelled lines when speakers are known. */
export function joinSegments(segments: TranscriptSegment[]): string {
  const sorted = [...segments].filter((s) => s.text.trim()).sort((a, b) => a.start - b.start);
  if (!sorted.some((s) => s.speaker)) return sorted.map((s) => s.text.trim()).join(' ');
  const lines: string[] = [];
  let current: Speaker | undefined;
  for (const s of sorted) {
    if (s.speaker !== current || !lines.length) {
      lines.push(`${s.speaker ? SPEAKER_LABEL[s.speaker] : '未知'}：${s.text.trim()}`);
      current = s.speaker;
    } else {
      lines[lines.length - 1] += ` ${s.text.trim()}`;
    }
  }
  return lines.join('\n');
}

/** What the caller said (all of it for a mono recording): what routing reads. */
export function callerText(t: Transcription): string {
  const segs = t.segments.filter((s) => s.text.trim());
  if (!segs.some((s) => s.speaker)) return t.text;
  return segs.filter((s) => s.speaker === 'caller').map((s) => s.text.trim()).join(' ');
}
