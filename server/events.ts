// The in-process bus on which the edges tell each other what happened (a ticket
// changed, a call was offered, an alarm fired). Pushes to browsers and cross-instance
// fan-out subscribe here; publishers never know who listens.
import { EventEmitter } from 'node:events';
import { Ticket, TicketEvent } from '../workflow/types';
import type { CallEvent } from '../ivr/telephony';

export interface HotlineEvents {
  /** A ticket was created or changed; `events` are its new audit rows, committed. */
  ticket: { ticket: Ticket; events: TicketEvent[] };
  /** A telephony call event (offered, answered, ended, agent state, switch up/down, …), switch-independent. */
  call: CallEvent;
  /** A transcript was stored; `suggestion` is routing's reading of the caller's words (the operator's choice wins). */
  transcript: { recordingId: number; callId: string | null; ticketId: number | null; text: string; callerText: string; provider: string; suggestion: unknown };
  /** An account was changed (role, unit, extension, active, password reset or changed): whoever serves them reads them again. */
  user: { userId: number };
  /** Something the operators and supervisors must see at once (an emergency word in a call). */
  alert: { kind: 'emergency_word'; keyword: string; ticketId: number | null; callId: string | null; at: string };
}

export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(100);
  }
  on<K extends keyof HotlineEvents>(name: K, fn: (payload: HotlineEvents[K]) => void): () => void {
    this.emitter.on(name, fn);
    return () => this.emitter.off(name, fn);
  }
  emit<K extends keyof HotlineEvents>(name: K, payload: HotlineEvents[K]): void {
    for (const fn of this.emitter.listeners(name)) {
      try {
        (fn as (p: HotlineEvents[K]) => void)(payload);
      } catch (e) {
        console.error(`[events] a ${String(name)} listener failed:`, e);
      }
    }
  }
}
