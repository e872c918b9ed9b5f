// One call as the IVR flows see it: a few verbs, each of which finishes when the
// switch says so, or fails with CallerHungUp the moment the caller hangs up.
import { PromptKey } from './prompts';

export class CallerHungUp extends Error {
  constructor(readonly hangupCause: string) {
    super(`caller hung up (${hangupCause})`);
    this.name = 'CallerHungUp';
  }
}

/**
 * A recording step failed while the caller is still on the line (the switch could not open
 * the file, or could not start the recording): nothing was recorded, so it is never a message.
 */
export class RecordingFailed extends Error {
  constructor(readonly path: string, readonly detail: string) {
    super(`recording ${path} failed: ${detail}`);
    this.name = 'RecordingFailed';
  }
}

export interface CollectDigits {
  /**
   * Played before the first prompt, and interrupted by the first key (callers who know the
   * menu press at once): the greeting before the menu. Only for one-digit collections.
   */
  intro?: PromptKey;
  prompt: PromptKey;
  min: number;
  max: number;
  tries: number;
  timeoutMs: number;
  /** Anchored regular expression the digits must match, e.g. "^[12]$". */
  pattern: string;
  /** Channel variable the digits land in. */
  variable: string;
}

export interface QueueResult {
  /** An agent took the call (the flow then waits for the end of the call). */
  bridged: boolean;
  /** Why the caller left the queue without an agent (e.g. TIMEOUT). */
  cancelReason: string | null;
}

/** Where a hotline call stands, for a switch that can hand the call back to a restarted app. */
export type CallStep = 'answered' | 'queue' | 'message' | 'done';
export type MessageReason = 'after_hours' | 'overflow' | 'caller_choice';

export interface CallChannel {
  readonly callId: string;
  readonly caller: string;
  /** Channel variables the switch handed over at connect (e.g. return_visit_ticket). */
  readonly variables: Readonly<Record<string, string>>;
  readonly hungUp: boolean;
  answer(): Promise<void>;
  /** Record the whole call to `path` (a path on the switch). */
  recordSession(path: string): Promise<void>;
  play(prompt: PromptKey): Promise<void>;
  /** The digits keyed, or null after the tries ran out without valid input. */
  collect(req: CollectDigits): Promise<string | null>;
  /** Record a message until silence, '#', `maxSeconds` or hang-up; RecordingFailed when nothing could be recorded. */
  recordMessage(path: string, maxSeconds: number): Promise<void>;
  setVariable(name: string, value: string): Promise<void>;
  enterQueue(queue: string): Promise<QueueResult>;
  /**
   * The flow reached a step (optional): a switch that keeps the call when the app goes away
   * notes it on the call, so that a restarted app (`resumeInboundCall`) or the switch's own
   * fallback carries on from there instead of starting over.
   */
  checkpoint?(step: CallStep, reason?: MessageReason): Promise<void>;
  /** Resolves when the call is over (after a bridge ends). */
  ended(): Promise<string>;
  hangup(cause?: string): Promise<void>;
}
