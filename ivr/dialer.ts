// The return-visit dialer: places survey calls through whichever switch is configured,
// within calling hours, under a concurrency cap that leaves the lines inbound callers
// need, one placement per pacing interval, retrying unanswered calls as the rules say.
// Every outcome is stored through the services the moment it is known.
import { isCallingTime } from './hours';
import { HotlineServices } from './services';
import { SurveyCallRequest, SurveyOutcome, Telephony, TelephonyError } from './telephony';

export interface DialerSettings {
  maxConcurrent: number;
  trunkLines: number; // 0 = unknown: only maxConcurrent applies
  inboundReserve: number;
  pacingMs: number;
  callingHours: string;
  timeZone: string;
  /** Attempts per return visit, and the wait before the next one (rules: 3 attempts, 2 hours apart). */
  maxAttempts: number;
  retryAfterMs: number;
}

/** Outcomes after which the citizen is called again (if attempts remain). */
const RETRY: ReadonlySet<SurveyOutcome> = new Set(['busy', 'no_answer', 'unreachable', 'no_input', 'hung_up', 'rejected']);

export function shouldRetry(outcome: SurveyOutcome, attempt: number, maxAttempts: number): boolean {
  return RETRY.has(outcome) && attempt < maxAttempts;
}

/** How many survey calls may run now: never the lines inbound callers need. */
export function surveyCapacity(s: DialerSettings, activeInbound: number, activeSurveys: number): number {
  let cap = s.maxConcurrent;
  if (s.trunkLines > 0) cap = Math.min(cap, s.trunkLines - s.inboundReserve - activeInbound);
  return Math.max(0, cap - activeSurveys);
}

interface Queued {
  req: SurveyCallRequest;
  notBefore: number;
}

export class ReturnVisitDialer {
  private queue: Queued[] = [];
  /** Survey calls in progress, by call id, with the request that placed them. */
  private activeSurveys = new Map<string, SurveyCallRequest>();
  private placing = 0;
  private activeInbound = new Set<string>();
  private lastPlacedAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private telephony: Telephony,
    private services: HotlineServices,
    private s: DialerSettings,
    private now: () => Date = () => new Date(),
  ) {}

  start(tickMs = 1000): void {
    this.unsubscribe = this.telephony.onEvent((e) => {
      if (e.type === 'call_queued') this.activeInbound.add(e.callId);
      if (e.type === 'survey_result' && e.callId) {
        // The survey flow stored the answer; an answered call without an answer is tried again.
        const req = this.activeSurveys.get(e.callId);
        if (req && shouldRetry(e.outcome, req.attempt, this.s.maxAttempts)) {
          this.queue.push({ req: { ...req, attempt: req.attempt + 1 }, notBefore: this.now().getTime() + this.s.retryAfterMs });
        }
      }
      if (e.type === 'call_ended') {
        this.activeInbound.delete(e.callId);
        if (this.activeSurveys.delete(e.callId)) void this.tick().catch(() => undefined);
      }
    });
    this.timer = setInterval(() => void this.tick().catch(() => undefined), tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }

  /** Asks for a return-visit call; it is placed when hours, capacity and pacing allow. */
  enqueue(req: SurveyCallRequest): void {
    if (!Number.isInteger(req.ticketId) || req.ticketId <= 0) throw new TelephonyError('工单 id 不合法', 'invalid ticket id');
    if (!/^\+?\d{3,20}$/.test(req.phone)) throw new TelephonyError(`回访号码不合法：${req.phone}`, 'invalid phone');
    if (this.queue.some((q) => q.req.ticketId === req.ticketId)) return;
    this.queue.push({ req, notBefore: 0 });
  }

  get pending(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.activeSurveys.size + this.placing;
  }

  /** Places at most one call (pacing), if allowed now. */
  async tick(): Promise<void> {
    const now = this.now();
    if (!this.telephony.status().connected) return;
    if (!isCallingTime(now, this.s.callingHours, this.s.timeZone)) return;
    if (now.getTime() - this.lastPlacedAt < this.s.pacingMs) return;
    if (surveyCapacity(this.s, this.activeInbound.size, this.active) <= 0) return;
    const i = this.queue.findIndex((q) => q.notBefore <= now.getTime());
    if (i < 0) return;
    const [item] = this.queue.splice(i, 1);
    this.lastPlacedAt = now.getTime();
    this.placing++;
    try {
      const r = await this.telephony.placeSurveyCall(item.req);
      if (r.accepted && r.callId) {
        this.activeSurveys.set(r.callId, item.req); // the survey flow stores the answer
        return;
      }
      await this.finish(item.req, r.outcome ?? 'unreachable', r.callId);
    } catch (err) {
      // Our configuration or the switch failed, not the citizen: the attempt is not used up.
      item.notBefore = this.now().getTime() + this.s.retryAfterMs;
      this.queue.push(item);
      throw err;
    } finally {
      this.placing--;
    }
  }

  /** Stores the outcome of a call that never reached the survey, and schedules the next attempt. */
  private async finish(req: SurveyCallRequest, outcome: SurveyOutcome, callId: string | null): Promise<void> {
    const at = this.now();
    await this.services.recordSurveyAnswer({
      ticketId: req.ticketId, attempt: req.attempt, callId, outcome, digit: null, answeredAt: at.toISOString(),
    });
    if (shouldRetry(outcome, req.attempt, this.s.maxAttempts)) {
      this.queue.push({ req: { ...req, attempt: req.attempt + 1 }, notBefore: at.getTime() + this.s.retryAfterMs });
    }
  }
}
