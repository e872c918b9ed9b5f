// A ticket's clocks — acknowledge due (签收), feedback due (emergencies), close due
// (办结) — and the warning/breach alarms on them, as pure functions over plain data.
// The rules are stated in workflow/CLOCKS.md. The scheduler at the edge stores the
// alarms, asks dueAlarms() what to fire, and records each fired key.
import { z } from 'zod';
import { InvalidInput } from './errors';
import { Ticket, URGENCY_CLASSES, UrgencyClass } from './types';
import { DEFAULT_TIME_ZONE, DEFAULT_WORKING_HOURS, isValidTimeZone, WorkingCalendar, workingHoursSchema, YearSchedule } from './calendar';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

// ---------------------------------------------------------------------------
// Policy.

const settingsSchema = z
  .object({
    timeZone: z
      .string()
      .refine(isValidTimeZone, '未知的时区')
      .default(DEFAULT_TIME_ZONE),
    workingHours: workingHoursSchema.default(DEFAULT_WORKING_HOURS),
    /** Acknowledge deadline of general and complex tickets, in working hours. */
    ackWorkingHours: z.number().positive('须大于 0').max(75, '不能超过 75 个工作小时').default(2),
    /** Acknowledge deadline of an emergency ticket, wall clock. */
    emergencyAckMinutes: z.number().int().positive('须大于 0').max(60).default(15),
    /** Facts found and feedback given, wall clock, 24×7. */
    emergencyFeedbackMinutes: z.number().int().positive('须大于 0').max(24 * 60).default(60),
    /** Close deadlines in working days, counted from dispatch. */
    closeWorkingDays: z
      .object({
        emergency: z.number().int().min(1).max(60).default(3),
        general: z.number().int().min(1).max(60).default(3),
        complex: z.number().int().min(1).max(60).default(5),
      })
      .strict()
      .default({ emergency: 3, general: 3, complex: 5 }),
    /** The warning fires when this share of a clock's time has elapsed (0 < share < 1). */
    warningShare: z.number().gt(0, '须大于 0').lt(1, '须小于 1').default(0.75),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.emergencyAckMinutes > s.emergencyFeedbackMinutes) {
      ctx.addIssue({ code: 'custom', path: ['emergencyAckMinutes'], message: '紧急工单的签收时限不能晚于反馈时限' });
    }
  });

export type ClockSettings = z.output<typeof settingsSchema>;

/** The clock rules in force: the settings and the working calendar they run on. */
export interface ClockPolicy extends ClockSettings {
  calendar: WorkingCalendar;
}

/**
 * Build the policy from configuration (every field optional, defaults as in
 * CLOCKS.md) and the official year schedules loaded as data. Bad configuration
 * throws InvalidInput listing every problem.
 */
export function parseClockPolicy(config: unknown = {}, schedules: YearSchedule[] = []): ClockPolicy {
  const r = settingsSchema.safeParse(config ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ field: i.path.join('.') || '(config)', message: i.message }));
    throw new InvalidInput(`时限配置有误：${issues.map((i) => `${i.field}：${i.message}`).join('；')}`, issues);
  }
  const calendar = new WorkingCalendar({ timeZone: r.data.timeZone, workingHours: r.data.workingHours, schedules });
  return { ...r.data, calendar };
}

/** The defaults: Asia/Shanghai, 08:30–12:00 and 13:30–17:30, ack 2 working hours, 3/5 working days, warning at 75 %. */
export function defaultClockPolicy(schedules: YearSchedule[] = []): ClockPolicy {
  return parseClockPolicy({}, schedules);
}

// ---------------------------------------------------------------------------
// Clocks.

export interface ClockInput {
  dispatchedAt: Date | string;
  urgency: UrgencyClass;
}

/** A ticket's clocks, ISO 8601 UTC strings like the Ticket fields they fill. */
export interface TicketClocks {
  urgency: UrgencyClass;
  /** When the center dispatched (the clocks start at dispatch). */
  dispatchedAt: string;
  /** Where the working-time clocks start: dispatchedAt, or the start of the next working period. */
  clockStartAt: string;
  ackDueAt: string;
  /** Emergencies only: facts found and feedback given; else null. */
  feedbackDueAt: string | null;
  dueAt: string;
  /** Days counted as Monday–Friday because no official schedule covers them (the deadline is provisional). */
  uncoveredDays: string[];
}

function instant(value: Date | string, field: string): Date {
  const t = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(t.getTime())) throw new InvalidInput(`${field} 不是有效的时间`, [{ field, message: '不是有效的时间' }]);
  return t;
}

function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

/** Deadlines of a ticket dispatched at `dispatchedAt` with the given urgency class. */
export function computeClocks(input: ClockInput, policy: ClockPolicy): TicketClocks {
  const dispatched = instant(input.dispatchedAt, 'dispatchedAt');
  if (!(URGENCY_CLASSES as readonly string[]).includes(input.urgency)) {
    throw new InvalidInput(`未知的紧急程度：${String(input.urgency)}`, [
      { field: 'urgency', message: `须为 ${URGENCY_CLASSES.join('、')} 之一` },
    ]);
  }
  const cal = policy.calendar;
  const start = cal.workingStartAtOrAfter(dispatched);
  const due = cal.addWorkingDays(start, policy.closeWorkingDays[input.urgency]);
  const emergency = input.urgency === 'emergency';
  const ackDue = emergency
    ? new Date(dispatched.getTime() + policy.emergencyAckMinutes * MINUTE_MS)
    : cal.addWorkingTime(start, policy.ackWorkingHours * HOUR_MS);
  const feedbackDue = emergency ? new Date(dispatched.getTime() + policy.emergencyFeedbackMinutes * MINUTE_MS) : null;
  const last = new Date(Math.max(due.getTime(), ackDue.getTime()));
  return {
    urgency: input.urgency,
    dispatchedAt: dispatched.toISOString(),
    clockStartAt: start.toISOString(),
    ackDueAt: ackDue.toISOString(),
    feedbackDueAt: feedbackDue ? feedbackDue.toISOString() : null,
    dueAt: due.toISOString(),
    uncoveredDays: cal.coverage(dispatched, daysBetween(cal.localDate(dispatched), cal.localDate(last)) + 1),
  };
}

// ---------------------------------------------------------------------------
// Alarms.

export const ALARM_CLOCKS = ['ack', 'feedback', 'close'] as const;
export type AlarmClock = (typeof ALARM_CLOCKS)[number];
export type AlarmLevel = 'warning' | 'breach';

export interface Alarm {
  /**
   * Unique per ticket: `${clock}:${level}:${dispatchedAt}:${dueAt}`. A moved deadline (extension,
   * supervision notice) or a new dispatch (re-dispatch to another unit) gives new keys.
   */
  key: string;
  clock: AlarmClock;
  level: AlarmLevel;
  /** When it fires (ISO UTC). */
  at: string;
  /** The deadline it is about (ISO UTC). */
  dueAt: string;
}

/**
 * The alarms of a ticket's clocks: for each clock a warning when `warningShare` of
 * its time has elapsed (working time for working-day and working-hour clocks, wall
 * clock for the emergency ones) and a breach at the due time. Pass the clocks with
 * the deadline in force (after an approved extension, dueAt = the new date).
 */
export function alarmsFor(clocks: TicketClocks, policy: ClockPolicy): Alarm[] {
  const cal = policy.calendar;
  const dispatched = instant(clocks.dispatchedAt, 'dispatchedAt');
  const start = instant(clocks.clockStartAt, 'clockStartAt');
  const emergency = clocks.urgency === 'emergency';
  const out: Alarm[] = [];

  const add = (clock: AlarmClock, dueIso: string, wallClock: boolean) => {
    const due = instant(dueIso, `${clock}DueAt`);
    let warnAt: number | null = null;
    if (wallClock) {
      const span = due.getTime() - dispatched.getTime();
      if (span > 0) warnAt = dispatched.getTime() + span * policy.warningShare;
    } else {
      const span = cal.workingTimeBetween(start, due);
      if (span > 0) warnAt = cal.addWorkingTime(start, span * policy.warningShare).getTime();
    }
    if (warnAt !== null) {
      warnAt = Math.floor(warnAt / 1000) * 1000; // whole seconds
      if (warnAt < due.getTime()) {
        out.push({ key: `${clock}:warning:${dispatched.toISOString()}:${due.toISOString()}`, clock, level: 'warning', at: new Date(warnAt).toISOString(), dueAt: due.toISOString() });
      }
    }
    out.push({ key: `${clock}:breach:${dispatched.toISOString()}:${due.toISOString()}`, clock, level: 'breach', at: due.toISOString(), dueAt: due.toISOString() });
  };

  add('ack', clocks.ackDueAt, emergency);
  if (clocks.feedbackDueAt) add('feedback', clocks.feedbackDueAt, true);
  add('close', clocks.dueAt, false);
  return out.sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key));
}

/** What dueAlarms needs to know about one ticket. */
export interface TicketClockState {
  alarms: Alarm[];
  /**
   * When each clock stopped, or null/absent while it runs: ack — acknowledged
   * (or returned by the unit); feedback — emergency feedback given; close — the
   * unit's reply that the center accepted (a reply sent back does not stop it).
   */
  stoppedAt?: Partial<Record<AlarmClock, string | null>>;
}

/**
 * The alarms to fire now, each at most once: due (at ≤ now), not in `firedAlarmKeys`,
 * and still meaningful —
 *  - a breach fires when its clock had not stopped by the due time (even if it stopped
 *    since: a scheduler catching up after a restart still records the breach);
 *  - a warning fires only while its clock still runs, and not when the breach of the
 *    same deadline is due as well (catching up, the breach alone is fired).
 * Sorted by time.
 */
export function dueAlarms(ticketClocks: TicketClockState, firedAlarmKeys: Iterable<string>, now: Date): Alarm[] {
  const fired = firedAlarmKeys instanceof Set ? (firedAlarmKeys as Set<string>) : new Set(firedAlarmKeys);
  const nowMs = now.getTime();
  const stopped = ticketClocks.stoppedAt ?? {};
  const breachDue = new Set(
    ticketClocks.alarms.filter((a) => a.level === 'breach' && Date.parse(a.at) <= nowMs).map((a) => `${a.clock}:${a.dueAt}`),
  );
  const out = ticketClocks.alarms.filter((a) => {
    const at = Date.parse(a.at);
    if (at > nowMs || fired.has(a.key)) return false;
    const stop = stopped[a.clock];
    const stopMs = stop ? Date.parse(stop) : null;
    if (a.level === 'breach') return stopMs === null || stopMs > at;
    return stopMs === null && !breachDue.has(`${a.clock}:${a.dueAt}`);
  });
  return out.sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key));
}

/** The ticket fields the clocks are read from. */
export type ClockedTicket = Pick<
  Ticket,
  'status' | 'urgency' | 'dispatchedAt' | 'ackDueAt' | 'feedbackDueAt' | 'dueAt' | 'acknowledgedAt' | 'feedbackAt' | 'repliedAt' | 'closedAt' | 'updatedAt'
>;

/**
 * A stored ticket's clocks with the deadlines in force (extension, supervision notice
 * included), its alarms and which clocks have stopped — what dueAlarms needs. Null for
 * a ticket never dispatched. Stops: ack at acknowledgement; feedback at the emergency
 * feedback; close at the reply awaiting or past review; ack and close while the ticket
 * sits returned at the center (since its last change — if the center overrules the
 * return they run again on the original deadlines); everything at close.
 */
export function clockStateOfTicket(t: ClockedTicket, policy: ClockPolicy): (TicketClockState & { clocks: TicketClocks }) | null {
  if (!t.dispatchedAt || !t.ackDueAt || !t.dueAt) return null;
  const dispatched = instant(t.dispatchedAt, 'dispatchedAt');
  const cal = policy.calendar;
  const due = instant(t.dueAt, 'dueAt');
  const clocks: TicketClocks = {
    urgency: t.urgency,
    dispatchedAt: dispatched.toISOString(),
    clockStartAt: cal.workingStartAtOrAfter(dispatched).toISOString(),
    ackDueAt: instant(t.ackDueAt, 'ackDueAt').toISOString(),
    feedbackDueAt: t.feedbackDueAt ? instant(t.feedbackDueAt, 'feedbackDueAt').toISOString() : null,
    dueAt: due.toISOString(),
    uncoveredDays: due > dispatched ? cal.coverage(dispatched, daysBetween(cal.localDate(dispatched), cal.localDate(due)) + 1) : [],
  };
  const closed = t.status === 'closed' ? t.closedAt ?? t.updatedAt : null;
  const returned = t.status === 'returned' ? t.updatedAt : null;
  return {
    clocks,
    alarms: alarmsFor(clocks, policy),
    stoppedAt: {
      ack: t.acknowledgedAt ?? returned ?? closed,
      feedback: t.feedbackAt ?? closed,
      close: t.repliedAt ?? returned ?? closed,
    },
  };
}

/**
 * When the scheduler must next look at this ticket: the earliest alarm not fired yet
 * that will still be meaningful at its time (a warning whose breach is already due, or
 * an alarm of a stopped clock, never fires). Null when nothing is left to fire.
 */
export function nextAlarmAt(state: TicketClockState, firedAlarmKeys: Iterable<string>, now: Date): string | null {
  const fired = new Set(firedAlarmKeys);
  let next: string | null = null;
  for (const a of state.alarms) {
    if (fired.has(a.key)) continue;
    const when = new Date(Math.max(now.getTime(), Date.parse(a.at)));
    if (!dueAlarms(state, fired, when).some((d) => d.key === a.key)) continue;
    if (next === null || a.at < next) next = a.at;
  }
  return next;
}
