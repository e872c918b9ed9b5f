// Return-visit rules (回访): who is called back automatically, when, how often, and
// what an attempt's outcome means. Plain data in, plain data out.
import { z } from 'zod';
import { Ticket } from './types';
import { InvalidInput } from './errors';

export interface VisitPolicy {
  /** Calling hours in the city's zone, e.g. [[540, 720], [840, 1200]] for 09:00–12:00 and 14:00–20:00 (minutes). */
  callingHours: Array<[number, number]>;
  timeZone: string;
  /** Automatic attempts before the ticket goes to the operators' manual list. */
  maxAttempts: number;
  /** Wait before the next attempt (then moved into calling hours, so attempts fall at different times). */
  retryAfterMs: number;
  /** How long a placed call may stay without an outcome before it counts as unanswered. */
  callLeaseMs: number;
}

const RANGE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/** "09:00-12:00,14:00-20:00" → minute ranges; a clear error otherwise. */
export function parseCallingHours(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = RANGE.exec(part);
    const from = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
    const to = m ? Number(m[3]) * 60 + Number(m[4]) : NaN;
    if (!m || !(from < to) || to > 24 * 60) throw new InvalidInput(`回访时段「${part}」格式有误，应为 HH:MM-HH:MM，可用逗号分隔多个时段`);
    out.push([from, to]);
  }
  if (!out.length) throw new InvalidInput('回访时段不能为空');
  return out.sort((a, b) => a[0] - b[0]);
}

export const visitPolicySchema = z.object({
  callingHours: z.string().default('09:00-12:00,14:00-20:00'),
  timeZone: z.string().default('Asia/Shanghai'),
  maxAttempts: z.coerce.number().int().min(1).max(10).default(3),
  retryAfterMinutes: z.coerce.number().min(1).max(7 * 24 * 60).default(120),
  callLeaseMinutes: z.coerce.number().min(1).max(24 * 60).default(15),
});

export function makeVisitPolicy(input: z.input<typeof visitPolicySchema> = {}): VisitPolicy {
  const v = visitPolicySchema.parse(input);
  return {
    callingHours: parseCallingHours(v.callingHours),
    timeZone: v.timeZone,
    maxAttempts: v.maxAttempts,
    retryAfterMs: v.retryAfterMinutes * 60_000,
    callLeaseMs: v.callLeaseMinutes * 60_000,
  };
}

function minutesOfDay(at: Date, timeZone: string): number {
  const p = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  return Number(p.find((x) => x.type === 'hour')!.value) * 60 + Number(p.find((x) => x.type === 'minute')!.value);
}

/** The first moment at or after `at` that falls in calling hours (days run every day of the week). */
export function nextCallingTime(at: Date, policy: Pick<VisitPolicy, 'callingHours' | 'timeZone'>): Date {
  const m = minutesOfDay(at, policy.timeZone);
  for (const [from, to] of policy.callingHours) {
    if (m >= from && m < to) return at;
    if (m < from) return new Date(at.getTime() + (from - m) * 60_000 - (at.getTime() % 60_000));
  }
  // After the last range: the first range tomorrow.
  const first = policy.callingHours[0][0];
  return new Date(at.getTime() + (24 * 60 - m + first) * 60_000 - (at.getTime() % 60_000));
}

export type VisitPlan = { mode: 'auto' } | { mode: 'manual'; reason: string };

/** Automatic survey call, or the manual list with the reason (no phone, asked not to be called, anonymous report). */
export function planVisit(t: Pick<Ticket, 'citizenPhone' | 'noCallback' | 'anonymous'>): VisitPlan {
  if (t.anonymous) return { mode: 'manual', reason: '匿名举报，不电话回访' };
  if (t.noCallback) return { mode: 'manual', reason: '群众要求不回访' };
  if (!t.citizenPhone) return { mode: 'manual', reason: '没有联系电话' };
  return { mode: 'auto' };
}

/** Outcomes that answer the survey. */
export const ANSWERS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type Answer = (typeof ANSWERS)[number];

export type AttemptResult =
  | { state: 'done'; outcome: Answer }
  | { state: 'pending'; nextAt: string }
  | { state: 'manual'; reason: string };

/** What an attempt's outcome means for the visit: answered, try again later, or hand it to the operators. */
export function afterAttempt(outcome: string, attempt: number, now: Date, policy: VisitPolicy): AttemptResult {
  if ((ANSWERS as readonly string[]).includes(outcome)) return { state: 'done', outcome: outcome as Answer };
  if (attempt >= policy.maxAttempts) return { state: 'manual', reason: `自动回访 ${attempt} 次未成功（${OUTCOME_LABELS[outcome] ?? outcome}）` };
  return { state: 'pending', nextAt: nextCallingTime(new Date(now.getTime() + policy.retryAfterMs), policy).toISOString() };
}

export const OUTCOME_LABELS: Record<string, string> = {
  satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', unreachable: '无法接通', busy: '占线',
  no_answer: '无人接听', rejected: '拒接', hung_up: '中途挂断', no_input: '未按键',
};
