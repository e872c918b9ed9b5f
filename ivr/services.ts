// What the IVR needs from the rest of the application. The server implements it
// on top of the ticket lifecycle; tests use a small in-memory implementation.
import { SurveyOutcome } from './telephony';

export interface DraftTicketRequest {
  /** Why the caller left a message instead of talking to an operator. */
  reason: 'after_hours' | 'overflow' | 'caller_choice';
  callerPhone: string;
  callId: string;
  recordingPath: string;
  receivedAt: string;
}

export interface SurveyAnswer {
  ticketId: number;
  attempt: number;
  callId: string | null;
  outcome: SurveyOutcome;
  digit: string | null;
  answeredAt: string;
  reasonRecordingPath?: string;
}

export interface HotlineServices {
  /** A voice message becomes a draft ticket with the recording attached; returns its number. */
  createDraftTicket(req: DraftTicketRequest): Promise<{ ticketId: number; ticketNumber: string }>;
  /** The status of a ticket by the number the caller keyed, or null when there is none. */
  ticketStatusByNumber(number: string, callerPhone: string): Promise<{ status: string } | null>;
  /** Stores a return-visit answer; called the moment the digit arrives. */
  recordSurveyAnswer(answer: SurveyAnswer): Promise<void>;
  /** An abandoned caller goes on the call-back list. */
  addToCallbackList(req: { callerPhone: string; callId: string; at: string; reason: 'abandoned' | 'requested' }): Promise<void>;
  /** Whether `at` falls on a working day of the city's calendar (the one the deadlines use, with the year schedules an administrator loaded). */
  isWorkingDay(at: Date): boolean;
}

/** The spoken status families (each has a prompt file). */
export type TicketStatusKey = 'status_accepted' | 'status_in_progress' | 'status_replied' | 'status_closed';

/** Maps a ticket status (workflow/types.ts) to the prompt read to the caller. */
export function statusPromptKey(status: string): TicketStatusKey {
  switch (status) {
    case 'draft':
    case 'accepted':
      return 'status_accepted';
    case 'replied':
    case 'reviewed':
    case 'resolved_at_intake':
      return 'status_replied';
    case 'closed':
      return 'status_closed';
    default:
      return 'status_in_progress';
  }
}
