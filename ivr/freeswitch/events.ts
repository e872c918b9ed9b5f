// Turns FreeSWITCH events (json, plain or xml: all arrive as header records) into the
// switch-independent call events. It remembers only what the events themselves do not
// repeat (when a member joined the queue, which calls are ours).
import { BoundedMap } from '../bounded-map';
import { CallEvent } from '../telephony';

type H = Record<string, string>;

export interface PhoneRegistration {
  extension: string;
  registered: boolean;
}

export interface MappedEvents {
  events: CallEvent[];
  /** Agent extensions whose switch-side state changed (the adapter reconciles them). */
  agentsTouched: string[];
  /** Phones that registered or went away (unregister, expire). */
  phones: PhoneRegistration[];
  /** The switch announced its shutdown. */
  shutdown: boolean;
  /** mod_callcenter could not connect an operator (bridge-agent-fail), with the phone's hang-up cause. */
  offerFailed: { agent: string; cause: string; callId: string }[];
}

/** "1001@hotline" → "1001" */
export const extensionOf = (ccAgent: string): string => ccAgent.split('@')[0];

export class FreeSwitchEventMapper {
  private joined = new Map<string, { at: number; caller: string; queue: string }>();
  private answered = new Map<string, number>();
  /** Calls the application knows about (hotline callers and survey legs). */
  readonly tracked = new Set<string>();
  /**
   * The last channels that hung up, with when and why. Events and the outbound socket reach the
   * app over different connections, so under load a caller's hang-up can be read before the
   * app has handled the socket that brought the call (or before a reconcile that saw it alive
   * adopts it): followed from then on, such a call would wait for a hang-up that already came.
   */
  private recentlyEnded = new BoundedMap<string, { at: string; cause: string }>(5000);

  constructor(private now: () => Date) {}

  /**
   * Callers mod_callcenter says are in the queue (`queue list members`), e.g. after an app
   * restart: followed again, with the time they joined, so that their wait and their place count.
   */
  adoptMember(callId: string, joinedAtMs: number, caller: string, queue: string): boolean {
    this.tracked.add(callId);
    if (this.joined.has(callId)) return false;
    this.joined.set(callId, { at: joinedAtMs, caller, queue });
    return true;
  }

  /** An operator took this caller (learnt from the member list, not an event). */
  markAnswered(callId: string, atMs: number): void {
    this.answered.set(callId, atMs);
  }

  /** When and why `callId` hung up, if it did lately (see `recentlyEnded`). */
  hungUpLately(callId: string): { at: string; cause: string } | undefined {
    return this.recentlyEnded.get(callId);
  }

  /** Callers waiting in a queue (not yet with an agent), first come first. */
  waiting(queue: string): string[] {
    return [...this.joined].filter(([id, j]) => j.queue === queue && !this.answered.has(id)).sort((a, b) => a[1].at - b[1].at).map(([id]) => id);
  }

  map(h: H): MappedEvents {
    const out: MappedEvents = { events: [], agentsTouched: [], phones: [], shutdown: false, offerFailed: [] };
    const at = this.now();
    const iso = at.toISOString();
    const name = h['Event-Name'];
    if (name === 'CUSTOM') {
      const sub = h['Event-Subclass'];
      if (sub === 'callcenter::info') this.callcenter(h, at, out);
      else if (sub === 'sofia::register' && h['from-user']) out.phones.push({ extension: h['from-user'], registered: true });
      else if (sub === 'sofia::unregister' && h['from-user']) out.phones.push({ extension: h['from-user'], registered: false });
      else if (sub === 'sofia::expire' && h.user) out.phones.push({ extension: h.user, registered: false });
      return out;
    }
    const id = h['Unique-ID'] ?? '';
    switch (name) {
      case 'CHANNEL_HANGUP_COMPLETE':
        if (this.tracked.delete(id)) {
          out.events.push({ type: 'call_ended', at: iso, callId: id, hangupCause: h['Hangup-Cause'] ?? 'UNKNOWN' });
        }
        if (id) this.recentlyEnded.set(id, { at: iso, cause: h['Hangup-Cause'] ?? 'UNKNOWN' });
        this.joined.delete(id);
        this.answered.delete(id);
        break;
      case 'RECORD_STOP':
        if (this.tracked.has(id) && h['Record-File-Path']) {
          out.events.push({ type: 'recording_ended', at: iso, callId: id, path: h['Record-File-Path'] });
        }
        break;
      case 'SHUTDOWN':
        out.shutdown = true;
        break;
    }
    return out;
  }

  private callcenter(h: H, at: Date, out: MappedEvents): void {
    const iso = at.toISOString();
    const action = h['CC-Action'];
    const callId = h['CC-Member-Session-UUID'] ?? '';
    const queue = h['CC-Queue'] ?? '';
    const agent = h['CC-Agent'] ? extensionOf(h['CC-Agent']) : '';
    // Our own record of the join has milliseconds; after an app restart mod_callcenter's own
    // CC-Member-Joined-Time (seconds) still tells how long the caller has waited.
    const joinedAt = (): number | null => {
      const j = this.joined.get(callId);
      if (j) return j.at;
      const t = Number(h['CC-Member-Joined-Time']);
      return Number.isFinite(t) && t > 0 ? t * 1000 : null;
    };
    const waitMs = () => {
      const j = joinedAt();
      return j === null ? 0 : Math.max(0, at.getTime() - j);
    };
    switch (action) {
      case 'member-queue-start':
        this.joined.set(callId, { at: at.getTime(), caller: h['CC-Member-CID-Number'] ?? '', queue });
        this.tracked.add(callId);
        out.events.push({ type: 'call_queued', at: iso, callId, caller: h['CC-Member-CID-Number'] ?? '', queue });
        break;
      case 'agent-offering':
        out.events.push({
          type: 'call_offered', at: iso, callId, caller: h['CC-Member-CID-Number'] ?? '', agent, queue, queueWaitMs: waitMs(),
        });
        break;
      case 'bridge-agent-start':
        this.answered.set(callId, at.getTime());
        out.events.push({ type: 'call_answered', at: iso, callId, agent, queueWaitMs: waitMs() });
        out.agentsTouched.push(agent);
        break;
      case 'bridge-agent-end':
        out.agentsTouched.push(agent);
        break;
      case 'bridge-agent-fail':
        out.offerFailed.push({ agent, cause: h['CC-Hangup-Cause'] ?? '', callId });
        break;
      case 'member-queue-end': {
        const j = this.joined.get(callId);
        if (h['CC-Cause'] === 'Cancel' && h['CC-Cancel-Reason'] === 'BREAK_OUT' && !this.answered.has(callId)) {
          out.events.push({
            type: 'call_abandoned', at: iso, callId, caller: j?.caller ?? h['CC-Member-CID-Number'] ?? '', queue, queueWaitMs: waitMs(),
          });
        }
        this.joined.delete(callId);
        break;
      }
      case 'agent-status-change':
      case 'agent-state-change':
        if (agent) out.agentsTouched.push(agent);
        break;
    }
  }
}
