// What the server wires: configuration, provider, spotter, queue and worker.
export {
  parseSpeechConfig, speechStatus, announceSpeechStatus, createSpeechProvider, createConfiguredSpotter, workerSettings,
  SpeechConfigError,
} from './config';
export type { SpeechConfig, SpeechStatus } from './config';
export {
  enqueueTranscription, requeueFailedTranscriptions, requeueUntranscribed, speechBacklog, formatBacklog, transcriptsOf, SpeechQueueError,
} from './jobs';
export type { SpeechBacklog, StoredTranscript, Clock } from './jobs';
export { startSpeechWorker, createSpeechWorker } from './worker';
export type { SpeechWorkerOptions, TranscriptEvent, EmergencyEvent } from './worker';
export { createEmergencySpotter } from './spotter';
export type { EmergencySpotter, LiveSpotter, KeywordHit } from './spotter';
export { SpeechError, callerText } from './provider';
export type { SpeechProvider, Transcription, TranscriptSegment, RecordingAudio } from './provider';
export { keywordsInText, parseKeywords, DEFAULT_EMERGENCY_KEYWORDS } from './keywords';
export { decodeWav, pcm16ToFloat, AudioFormatError } from './wav';
