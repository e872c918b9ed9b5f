// The working calendar: which days are working days (PRC statutory holidays and
// make-up workdays 调休上班), the working hours of a working day, and the city's
// time zone. Sources, strongest first: an official year schedule loaded as data
// (parseYearSchedule), then the chinese-days package for the years it covers,
// then — for a year nobody has published — plain Monday–Friday, reported by
// coverage() as "not covered". Times are Date (UTC); days are civil dates
// 'YYYY-MM-DD' in the city's zone. No I/O here.
import { z } from 'zod';
import packageDays from 'chinese-days/dist/chinese-days.json';
import { InvalidInput } from './errors';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

// ---------------------------------------------------------------------------
// Civil dates as day numbers (days since 1970-01-01), so arithmetic is integer.

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a civil date 'YYYY-MM-DD', or null when it is not a real date. */
export function dayNumberOf(date: string): number | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

/** The civil date 'YYYY-MM-DD' of a day number. */
export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

// ---------------------------------------------------------------------------
// Time zone: offsets read from Intl, cached per quarter hour of UTC time.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const offsetCache = new Map<string, number>();
const QUARTER_HOUR_MS = 15 * MINUTE_MS;

/** Offset of the zone from UTC at the instant utcMs, in milliseconds (Shanghai: +8 h). */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  // Zone offsets change on whole quarter hours, so the offset is constant inside one.
  const bucket = Math.floor(utcMs / QUARTER_HOUR_MS);
  const key = `${timeZone}|${bucket}`;
  const hit = offsetCache.get(key);
  if (hit !== undefined) return hit;
  const at = bucket * QUARTER_HOUR_MS;
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(at))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  const offset = asUtc - at;
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

/** A local wall time: the civil day number and the milliseconds since local midnight. */
export interface LocalTime {
  day: number;
  ms: number;
}

export function toLocal(t: Date, timeZone: string): LocalTime {
  const local = t.getTime() + zoneOffsetMs(timeZone, t.getTime());
  const day = Math.floor(local / DAY_MS);
  return { day, ms: local - day * DAY_MS };
}

export function fromLocal(local: LocalTime, timeZone: string): Date {
  const wall = local.day * DAY_MS + local.ms;
  let utc = wall - zoneOffsetMs(timeZone, wall);
  const second = wall - zoneOffsetMs(timeZone, utc);
  if (second !== utc) utc = second;
  return new Date(utc);
}

/** ISO 8601 with the zone's offset, e.g. 2026-10-10T17:29:00+08:00 (seconds always shown; milliseconds when not 0). */
export function formatInZone(t: Date, timeZone: string): string {
  const offset = zoneOffsetMs(timeZone, t.getTime());
  const shifted = new Date(t.getTime() + offset).toISOString(); // 2026-10-10T17:29:00.000Z
  const body = shifted.endsWith('.000Z') ? shifted.slice(0, 19) : shifted.slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / MINUTE_MS;
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${body}${sign}${hh}:${mm}`;
}

// ---------------------------------------------------------------------------
// Official year schedules (国务院办公厅关于YYYY年部分节假日安排的通知) as data.

const civilDate = z.string().refine((s) => dayNumberOf(s) !== null, { message: '日期须为真实存在的 YYYY-MM-DD' });

const scheduleSchema = z
  .object({
    year: z.number({ message: 'year 须为年份数字' }).int().min(2000).max(2100),
    title: z.string().trim().min(1).max(200).optional(),
    holidays: z
      .array(
        z.object({
          name: z.string().trim().min(1, '节日名称不能为空').max(40),
          from: civilDate,
          to: civilDate,
        }),
      )
      .min(1, '至少要有一个放假安排'),
    makeupWorkdays: z.array(z.object({ name: z.string().trim().min(1).max(40), date: civilDate })).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    // Dates belong to the year, or to its edges (the 2019 notice, e.g., set 2018-12-29..31).
    const first = dayNumberOf(`${s.year}-01-01`)! - 31;
    const last = dayNumberOf(`${s.year}-12-31`)! + 31;
    const holidayDays = new Map<number, string>();
    s.holidays.forEach((h, i) => {
      const a = dayNumberOf(h.from);
      const b = dayNumberOf(h.to);
      if (a === null || b === null) return; // already reported
      if (b < a) {
        ctx.addIssue({ code: 'custom', path: ['holidays', i, 'to'], message: `${h.name}的结束日期早于开始日期` });
        return;
      }
      if (b - a > 30) {
        ctx.addIssue({ code: 'custom', path: ['holidays', i, 'to'], message: `${h.name}放假超过 31 天，请核对日期` });
        return;
      }
      if (a < first || b > last) {
        ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `${h.name}的日期不在 ${s.year} 年内` });
        return;
      }
      for (let d = a; d <= b; d++) {
        const other = holidayDays.get(d);
        if (other !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `${dateOfDayNumber(d)} 同时列在${other}和${h.name}中` });
          return;
        }
        holidayDays.set(d, h.name);
      }
    });
    const seen = new Set<number>();
    s.makeupWorkdays.forEach((w, i) => {
      const d = dayNumberOf(w.date);
      if (d === null) return;
      const path = ['makeupWorkdays', i, 'date'];
      if (d < first || d > last) ctx.addIssue({ code: 'custom', path, message: `${w.date} 不在 ${s.year} 年内` });
      else if (weekdayOf(d) !== 0 && weekdayOf(d) !== 6)
        ctx.addIssue({ code: 'custom', path, message: `调休上班日 ${w.date} 不是周六或周日` });
      else if (holidayDays.has(d)) ctx.addIssue({ code: 'custom', path, message: `${w.date} 既是放假日又是上班日` });
      else if (seen.has(d)) ctx.addIssue({ code: 'custom', path, message: `${w.date} 重复` });
      seen.add(d);
    });
  });

/** One year's official holiday schedule, validated. */
export type YearSchedule = z.output<typeof scheduleSchema>;

/**
 * Parse and validate a year schedule, given as JSON text or as an object.
 * A malformed file throws InvalidInput with every problem listed (in Chinese).
 */
export function parseYearSchedule(input: string | unknown): YearSchedule {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new InvalidInput(`节假日安排文件不是合法的 JSON：${(e as Error).message}`, [
        { field: '(file)', message: '不是合法的 JSON' },
      ]);
    }
  }
  const r = scheduleSchema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ field: i.path.join('.') || '(file)', message: i.message }));
  throw new InvalidInput(`节假日安排文件有误：${issues.map((i) => `${i.field}：${i.message}`).join('；')}`, issues);
}

// ---------------------------------------------------------------------------
// Working hours.

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, '时间须为 HH:MM');

export const workingHoursSchema = z
  .array(z.object({ start: hhmm, end: hhmm }).strict())
  .min(1, '至少要有一个工作时段')
  .superRefine((periods, ctx) => {
    let previousEnd = -1;
    periods.forEach((p, i) => {
      const a = minutesOf(p.start);
      const b = minutesOf(p.end);
      if (b <= a) ctx.addIssue({ code: 'custom', path: [i, 'end'], message: '结束时间须晚于开始时间' });
      else if (a < previousEnd) ctx.addIssue({ code: 'custom', path: [i, 'start'], message: '工作时段须按时间先后排列且不重叠' });
      previousEnd = Math.max(previousEnd, b);
    });
  });

export type WorkingHours = z.output<typeof workingHoursSchema>;

/** Default working hours: 08:30–12:00 and 13:30–17:30 local time. */
export const DEFAULT_WORKING_HOURS: WorkingHours = [
  { start: '08:30', end: '12:00' },
  { start: '13:30', end: '17:30' },
];

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

function minutesOf(hm: string): number {
  return Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
}

// ---------------------------------------------------------------------------
// The package's data (chinese-days): date → "English,中文,n".

interface PackageDays {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}
const PACKAGE = packageDays as PackageDays;

/**
 * Years the package has the official schedule for: a year counts when the package
 * lists a holiday of it between February and November (a notice may reach into the
 * neighbouring year's New Year days, which does not make that year covered).
 */
export const PACKAGE_YEARS: ReadonlySet<number> = new Set(
  Object.keys(PACKAGE.holidays)
    .filter((d) => {
      const month = Number(d.slice(5, 7));
      return month >= 2 && month <= 11;
    })
    .map((d) => Number(d.slice(0, 4))),
);

function packageName(entry: string): string {
  return entry.split(',')[1] ?? entry;
}

// ---------------------------------------------------------------------------
// The calendar.

export type DaySource = 'schedule' | 'package' | 'uncovered';

export interface DayInfo {
  date: string; // YYYY-MM-DD
  working: boolean;
  /** Where the answer comes from; 'uncovered' = no official schedule, Monday–Friday assumed. */
  source: DaySource;
  /** The holiday or make-up workday's name (e.g. 国庆节), null for an ordinary day. */
  name: string | null;
}

export interface WorkingCalendarOptions {
  timeZone?: string;
  workingHours?: WorkingHours;
  /** Official schedules loaded as data; each overrides the package for its year. */
  schedules?: YearSchedule[];
  /** Use the chinese-days package for the years it covers (default true). */
  usePackage?: boolean;
}

interface Period {
  start: number; // ms since local midnight
  end: number;
}

export class WorkingCalendar {
  readonly timeZone: string;
  readonly workingHours: WorkingHours;
  private readonly periods: Period[];
  private readonly scheduleYears = new Map<number, YearSchedule>();
  private readonly scheduleDays = new Map<number, { working: boolean; name: string }>();
  private readonly usePackage: boolean;
  private readonly dayCache = new Map<number, DayInfo>();

  constructor(options: WorkingCalendarOptions = {}) {
    const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
    if (!isValidTimeZone(timeZone)) {
      throw new InvalidInput(`未知的时区：${timeZone}`, [{ field: 'timeZone', message: '未知的时区' }]);
    }
    const hours = workingHoursSchema.safeParse(options.workingHours ?? DEFAULT_WORKING_HOURS);
    if (!hours.success) {
      const issues = hours.error.issues.map((i) => ({ field: `workingHours.${i.path.join('.')}`, message: i.message }));
      throw new InvalidInput(`工作时间设置有误：${issues.map((i) => `${i.field}：${i.message}`).join('；')}`, issues);
    }
    this.timeZone = timeZone;
    this.workingHours = hours.data;
    this.periods = hours.data.map((p) => ({ start: minutesOf(p.start) * MINUTE_MS, end: minutesOf(p.end) * MINUTE_MS }));
    this.usePackage = options.usePackage ?? true;
    for (const given of options.schedules ?? []) {
      const s = parseYearSchedule(given); // validated again: a hand-built object gets the same checks as a file
      if (this.scheduleYears.has(s.year)) {
        throw new InvalidInput(`${s.year} 年的节假日安排重复加载`, [{ field: 'schedules', message: '同一年份只能加载一份' }]);
      }
      this.scheduleYears.set(s.year, s);
      for (const h of s.holidays) {
        for (let d = dayNumberOf(h.from)!; d <= dayNumberOf(h.to)!; d++) this.scheduleDays.set(d, { working: false, name: h.name });
      }
      for (const w of s.makeupWorkdays) this.scheduleDays.set(dayNumberOf(w.date)!, { working: true, name: w.name });
    }
  }

  /** Years with an official schedule, from loaded files or the package. */
  coveredYears(): number[] {
    const years = new Set<number>(this.scheduleYears.keys());
    if (this.usePackage) for (const y of PACKAGE_YEARS) years.add(y);
    return [...years].sort((a, b) => a - b);
  }

  /** What the calendar knows about a civil day (a 'YYYY-MM-DD' string, or the local day of a Date). */
  dayInfo(date: Date | string): DayInfo {
    return this.infoOf(this.dayOf(date));
  }

  /** Is this a working day? An uncovered day counts as Monday–Friday (see coverage()). */
  isWorkingDay(date: Date | string): boolean {
    return this.infoOf(this.dayOf(date)).working;
  }

  /**
   * The days of [from, from + days) that no source covers (no loaded schedule and no
   * package data for their year). The supervisors' board warns when this is not
   * empty for the next 60 days.
   */
  coverage(from: Date | string, days: number): string[] {
    if (!Number.isInteger(days) || days < 0 || days > 3660) {
      throw new InvalidInput('天数须为 0 到 3660 之间的整数', [{ field: 'days', message: '天数无效' }]);
    }
    const start = this.dayOf(from);
    const out: string[] = [];
    for (let d = start; d < start + days; d++) if (this.infoOf(d).source === 'uncovered') out.push(dateOfDayNumber(d));
    return out;
  }

  /** The local civil date of an instant. */
  localDate(t: Date): string {
    return dateOfDayNumber(toLocal(t, this.timeZone).day);
  }

  /** ISO 8601 with the city's offset. */
  format(t: Date): string {
    return formatInZone(t, this.timeZone);
  }

  /** t itself when it falls inside a working period of a working day, else the start of the next working period. */
  workingStartAtOrAfter(t: Date): Date {
    const { day, ms } = toLocal(t, this.timeZone);
    for (let d = day; d < day + 3660; d++) {
      if (!this.infoOf(d).working) continue;
      for (const p of this.periods) {
        if (d === day && ms >= p.end) continue;
        if (d === day && ms >= p.start) return t;
        return fromLocal({ day: d, ms: p.start }, this.timeZone);
      }
    }
    throw new Error(`no working period within ten years after ${t.toISOString()}`);
  }

  /**
   * N working days: from the effective start (t, or the start of the next working
   * period), the same time of day on the Nth working day after that day.
   */
  addWorkingDays(t: Date, n: number): Date {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a non-negative integer, got ${n}`);
    const start = toLocal(this.workingStartAtOrAfter(t), this.timeZone);
    let d = start.day;
    for (let left = n; left > 0; ) {
      d++;
      if (this.infoOf(d).working) left--;
    }
    return fromLocal({ day: d, ms: start.ms }, this.timeZone);
  }

  /** The instant after `amountMs` of working time counted from t (only working periods of working days count). */
  addWorkingTime(t: Date, amountMs: number): Date {
    if (!(amountMs >= 0) || !Number.isFinite(amountMs)) throw new RangeError(`working time must be ≥ 0, got ${amountMs}`);
    const start = toLocal(this.workingStartAtOrAfter(t), this.timeZone);
    let left = amountMs;
    for (let d = start.day; d < start.day + 3660; d++) {
      if (!this.infoOf(d).working) continue;
      for (const p of this.periods) {
        const from = d === start.day ? Math.max(p.start, start.ms) : p.start;
        if (from >= p.end) continue;
        if (left <= p.end - from) return fromLocal({ day: d, ms: from + left }, this.timeZone);
        left -= p.end - from;
      }
    }
    throw new Error(`working time out of range from ${t.toISOString()}`);
  }

  /** Working time (ms) between a and b; 0 when b ≤ a. */
  workingTimeBetween(a: Date, b: Date): number {
    if (b.getTime() <= a.getTime()) return 0;
    const la = toLocal(a, this.timeZone);
    const lb = toLocal(b, this.timeZone);
    let total = 0;
    for (let d = la.day; d <= lb.day; d++) {
      if (!this.infoOf(d).working) continue;
      const lo = d === la.day ? la.ms : 0;
      const hi = d === lb.day ? lb.ms : DAY_MS;
      for (const p of this.periods) total += Math.max(0, Math.min(p.end, hi) - Math.max(p.start, lo));
    }
    return total;
  }

  private dayOf(date: Date | string): number {
    if (date instanceof Date) {
      if (Number.isNaN(date.getTime())) throw new InvalidInput('无效的时间', [{ field: 'date', message: '无效的时间' }]);
      return toLocal(date, this.timeZone).day;
    }
    const d = dayNumberOf(date);
    if (d === null) throw new InvalidInput(`日期须为 YYYY-MM-DD：${date}`, [{ field: 'date', message: '日期格式无效' }]);
    return d;
  }

  private infoOf(day: number): DayInfo {
    const hit = this.dayCache.get(day);
    if (hit) return hit;
    const info = this.computeInfo(day);
    if (this.dayCache.size > 20_000) this.dayCache.clear();
    this.dayCache.set(day, info);
    return info;
  }

  private computeInfo(day: number): DayInfo {
    const date = dateOfDayNumber(day);
    const weekday = weekdayOf(day);
    const ordinary = weekday >= 1 && weekday <= 5;
    const listed = this.scheduleDays.get(day);
    if (listed) return { date, working: listed.working, source: 'schedule', name: listed.name };
    const year = yearOf(day);
    if (this.scheduleYears.has(year)) return { date, working: ordinary, source: 'schedule', name: null };
    if (this.usePackage && PACKAGE_YEARS.has(year)) {
      const work = PACKAGE.workdays[date];
      if (work) return { date, working: true, source: 'package', name: packageName(work) };
      const holiday = PACKAGE.holidays[date];
      if (holiday) return { date, working: false, source: 'package', name: packageName(holiday) };
      return { date, working: ordinary, source: 'package', name: null };
    }
    return { date, working: ordinary, source: 'uncovered', name: null };
  }
}

/**
 * The supervisors' board warning (Chinese, for staff) when some of the next `days`
 * days have no official schedule, or null when all are covered.
 */
export function coverageWarning(calendar: WorkingCalendar, now: Date, days = 60): string | null {
  const gaps = calendar.coverage(now, days);
  if (!gaps.length) return null;
  const years = [...new Set(gaps.map((d) => d.slice(0, 4)))].join('、');
  return `未来 ${days} 天中有 ${gaps.length} 天（${gaps[0]} 起）尚无国务院节假日安排，期限暂按周一至周五计算。请加载 ${years} 年的节假日安排。`;
}

/** The UTC instant (ISO) of 00:00 of a city day YYYY-MM-DD. */
export function zonedDayStart(day: string, timeZone: string): string {
  const n = dayNumberOf(day);
  if (n === null) throw new InvalidInput(`日期须为真实存在的 YYYY-MM-DD：${day}`, [{ field: 'date', message: '日期无效' }]);
  return fromLocal({ day: n, ms: 0 }, timeZone).toISOString();
}
