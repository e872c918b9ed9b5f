// `hotline sla …`: check deadlines and the working calendar from outside.
//   sla due --from 2026-09-30T17:29:00+08:00 --class general
//   sla coverage [--from 2026-11-23] [--days 60]
//   sla check-calendar city/demo/calendar/2026.json
// The edge around the pure calendar and clocks: reads the city's year schedules
// (<city dir>/calendar/YYYY.json) and an optional clock configuration file.
import fs from 'node:fs';
import path from 'node:path';
import { dayNumberOf, fromLocal, parseYearSchedule, YearSchedule } from '../../workflow/calendar';
import { computeClocks, parseClockPolicy, ClockPolicy } from '../../workflow/clocks';
import { InvalidInput } from '../../workflow/errors';
import { URGENCY_CLASSES, UrgencyClass } from '../../workflow/types';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface SlaCliOptions {
  /** The city's configuration folder; its calendar/ holds the year schedules. Default: city/demo of this repository. */
  cityDir?: string;
  /** The city's time zone (e.g. from HOTLINE_TIME_ZONE); a --config file may override it. */
  timeZone?: string;
  /** Clock settings from the server's configuration (working hours, …); a --config file overrides them. */
  settings?: Record<string, unknown>;
  /** Schedules loaded by an admin (the database's), overriding the city's files for their year. */
  extraSchedules?: YearSchedule[];
  /** The clock, for `coverage` without --from. */
  now?: () => Date;
}

const USAGE = [
  '用法：',
  '  hotline sla due --from <派单时间> --class <emergency|general|complex> [--city-dir <目录>] [--config <文件>]',
  '      计算工单期限；最后一行为期限（ISO 8601，带城市时区偏移）。紧急事项的期限为 1 小时反馈期限。',
  '      派单时间如 2026-09-30T17:29:00+08:00；不带时区时按城市时区理解。',
  '  hotline sla coverage [--from <日期>] [--days <天数，默认 60>] [--city-dir <目录>]',
  '      列出尚无国务院节假日安排覆盖的日期；有未覆盖日期时退出码为 1。',
  '  hotline sla check-calendar <文件>',
  '      校验一份年度节假日安排文件（JSON）。',
];

const DEFAULT_CITY_DIR = path.resolve(__dirname, '../../city/demo');

/** Usage error: a clear message, exit code 2. */
class UsageError extends Error {}

/** Read every YYYY.json year schedule in `dir` (none when the folder does not exist). */
export function loadYearSchedules(dir: string): YearSchedule[] {
  if (!fs.existsSync(dir)) return [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((f) => {
    const file = path.join(dir, f);
    let schedule: YearSchedule;
    try {
      schedule = parseYearSchedule(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      if (e instanceof InvalidInput) throw new InvalidInput(`${file}：${e.message}`, e.issues);
      throw e;
    }
    if (f !== `${schedule.year}.json`) {
      throw new InvalidInput(`${file}：文件名须为 ${schedule.year}.json（与文件中的年份一致）`, [{ field: 'year', message: '文件名与年份不一致' }]);
    }
    return schedule;
  });
}

function parseFlags(args: string[], allowed: string[]): { flags: Map<string, string>; rest: string[] } {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (!allowed.includes(name)) throw new UsageError(`未知的参数 --${name}`);
    let value: string | undefined;
    if (eq >= 0) value = a.slice(eq + 1);
    else {
      value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`参数 --${name} 缺少取值`);
      i++;
    }
    if (flags.has(name)) throw new UsageError(`参数 --${name} 重复`);
    flags.set(name, value);
  }
  return { flags, rest };
}

const TIME_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** An ISO 8601 time; without an offset it is read as the city's local time. */
function parseTime(value: string, timeZone: string): Date {
  const m = TIME_RE.exec(value.trim());
  const day = m ? dayNumberOf(m[1]!) : null;
  if (!m || day === null || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4] ?? 0) > 59) {
    throw new UsageError(`时间格式无效：${value}（例如 2026-09-30T17:29:00+08:00）`);
  }
  if (m[6]) {
    const t = new Date(value.trim().replace(' ', 'T'));
    if (Number.isNaN(t.getTime())) throw new UsageError(`时间格式无效：${value}`);
    return t;
  }
  const ms = ((Number(m[2]) * 60 + Number(m[3])) * 60 + Number(m[4] ?? 0)) * 1000 + Math.round(Number(m[5] ?? 0) * 1000);
  return fromLocal({ day, ms }, timeZone);
}

function readPolicy(flags: Map<string, string>, options: SlaCliOptions): ClockPolicy {
  const cityDir = path.resolve(flags.get('city-dir') ?? options.cityDir ?? DEFAULT_CITY_DIR);
  let config: Record<string, unknown> = {};
  const configFile = flags.get('config');
  if (configFile) {
    let text: string;
    try {
      text = fs.readFileSync(configFile, 'utf8');
    } catch {
      throw new UsageError(`无法读取配置文件：${configFile}`);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      config = parsed as Record<string, unknown>;
    } catch {
      throw new UsageError(`配置文件不是合法的 JSON 对象：${configFile}`);
    }
  }
  const base = { ...(options.settings ?? {}), ...(options.timeZone ? { timeZone: options.timeZone } : {}) };
  const settings = { ...base, ...config };
  const byYear = new Map([...loadYearSchedules(path.join(cityDir, 'calendar')), ...(options.extraSchedules ?? [])].map((y) => [y.year, y]));
  return parseClockPolicy(settings, [...byYear.values()]);
}

function due(args: string[], io: CliIo, options: SlaCliOptions): number {
  const { flags, rest } = parseFlags(args, ['from', 'class', 'city-dir', 'config']);
  if (rest.length) throw new UsageError(`多余的参数：${rest.join(' ')}`);
  const from = flags.get('from');
  const cls = flags.get('class');
  if (!from) throw new UsageError('缺少 --from <派单时间>');
  if (!cls) throw new UsageError('缺少 --class <emergency|general|complex>');
  if (!(URGENCY_CLASSES as readonly string[]).includes(cls)) {
    throw new UsageError(`--class 须为 ${URGENCY_CLASSES.join('、')} 之一，收到：${cls}`);
  }
  const policy = readPolicy(flags, options);
  const dispatchedAt = parseTime(from, policy.timeZone);
  const c = computeClocks({ dispatchedAt, urgency: cls as UrgencyClass }, policy);
  const show = (iso: string) => policy.calendar.format(new Date(iso));
  io.out(`派单时间：${show(c.dispatchedAt)}`);
  io.out(`计时起点：${show(c.clockStartAt)}${c.clockStartAt === c.dispatchedAt ? '' : '（非工作时间派单，顺延至下一工作时段开始）'}`);
  io.out(`签收期限：${show(c.ackDueAt)}`);
  if (c.feedbackDueAt) io.out(`反馈期限：${show(c.feedbackDueAt)}（紧急事项，自然时间 ${policy.emergencyFeedbackMinutes} 分钟）`);
  io.out(`办结期限：${show(c.dueAt)}（${policy.closeWorkingDays[c.urgency]} 个工作日）`);
  if (c.uncoveredDays.length) {
    io.out(`注意：${c.uncoveredDays.join('、')} 尚无国务院节假日安排，暂按周一至周五计算，期限为暂定`);
  }
  io.out(show(c.feedbackDueAt ?? c.dueAt));
  return 0;
}

function coverage(args: string[], io: CliIo, options: SlaCliOptions): number {
  const { flags, rest } = parseFlags(args, ['from', 'days', 'city-dir', 'config']);
  if (rest.length) throw new UsageError(`多余的参数：${rest.join(' ')}`);
  const daysText = flags.get('days') ?? '60';
  if (!/^\d{1,4}$/.test(daysText) || Number(daysText) < 1 || Number(daysText) > 3660) {
    throw new UsageError(`--days 须为 1 到 3660 之间的整数，收到：${daysText}`);
  }
  const days = Number(daysText);
  const policy = readPolicy(flags, options);
  const fromText = flags.get('from');
  if (fromText !== undefined && dayNumberOf(fromText) === null) throw new UsageError(`--from 须为日期 YYYY-MM-DD，收到：${fromText}`);
  const from = fromText ?? policy.calendar.localDate((options.now ?? (() => new Date()))());
  const gaps = policy.calendar.coverage(from, days);
  const years = policy.calendar.coveredYears();
  io.out(`已有节假日安排的年份：${years.length ? `${years[0]}–${years[years.length - 1]}` : '无'}`);
  if (!gaps.length) {
    io.out(`自 ${from} 起 ${days} 天均已覆盖`);
    return 0;
  }
  io.out(`自 ${from} 起 ${days} 天中有 ${gaps.length} 天尚无国务院节假日安排（${gaps[0]} 至 ${gaps[gaps.length - 1]}），请加载该年度安排`);
  for (const d of gaps) io.out(d);
  return 1;
}

function checkCalendar(args: string[], io: CliIo): number {
  const { rest } = parseFlags(args, []);
  if (rest.length !== 1) throw new UsageError('用法：hotline sla check-calendar <文件>');
  let text: string;
  try {
    text = fs.readFileSync(rest[0]!, 'utf8');
  } catch {
    throw new UsageError(`无法读取文件：${rest[0]}`);
  }
  const s = parseYearSchedule(text);
  const off = s.holidays.reduce((n, h) => n + dayNumberOf(h.to)! - dayNumberOf(h.from)! + 1, 0);
  io.out(`${s.year} 年节假日安排有效：${s.holidays.length} 个节日共放假 ${off} 天，调休上班 ${s.makeupWorkdays.length} 天`);
  for (const h of s.holidays) io.out(`  ${h.name}：${h.from} 至 ${h.to}`);
  for (const w of s.makeupWorkdays) io.out(`  ${w.name}调休上班：${w.date}`);
  return 0;
}

/**
 * Run `sla <subcommand> …` (args are what follows `sla`). Returns the exit code:
 * 0 done, 1 `coverage` found uncovered days, 2 bad arguments or bad input (message on err),
 * 3 an unexpected internal error (message on err).
 */
export async function runSlaCli(args: string[], io: CliIo, options: SlaCliOptions = {}): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'due':
        return due(rest, io, options);
      case 'coverage':
        return coverage(rest, io, options);
      case 'check-calendar':
        return checkCalendar(rest, io);
      case 'help':
      case '--help':
        USAGE.forEach((l) => io.out(l));
        return 0;
      default:
        io.err(command === undefined ? '缺少子命令' : `未知的子命令：${command}`);
        USAGE.forEach((l) => io.err(l));
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InvalidInput) {
      io.err(e.message);
      return 2;
    }
    io.err(`内部错误：${(e as Error).message}`);
    return 3;
  }
}
