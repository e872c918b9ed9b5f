// Configuration from environment variables, validated at start with a clear message.
import path from 'node:path';
import { z } from 'zod';
import { CHANNELS, TICKET_STATUSES } from '../workflow/types';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const eslAddress = z
  .string()
  .regex(/^[^:\s]+:\d{1,5}:.+$/, '格式应为 host:port:password，例如 127.0.0.1:8021:密码');

/** Every variable, its default and its meaning (the README's configuration table is this list). */
export const CONFIG_DOC: Array<{ name: string; default: string; meaning: string }> = [
  { name: 'PORT', default: '8080', meaning: 'HTTP port of the API, Open311 and the desk' },
  { name: 'HOST', default: '0.0.0.0', meaning: 'address to listen on' },
  { name: 'HOTLINE_MODE', default: 'demo (production when NODE_ENV=production)', meaning: '`production` refuses to start on demo passwords or demo Open311 keys, or on a HOST other than loopback without TRUST_PROXY' },
  { name: 'TRUST_PROXY', default: 'loopback', meaning: "the reverse proxy in front (TLS): `loopback`, or its addresses/CIDRs comma-separated; its X-Forwarded-For/-Proto are believed (the client's address for the login limits, secure cookies)" },
  { name: 'DATABASE_URL', default: './data/hotline.db', meaning: 'SQLite file path (or `sqlite:PATH`), or `postgres://user@host:5432/db`' },
  { name: 'CITY_DIR', default: 'city/demo', meaning: "folder with the city's configuration (units, users, Open311 clients)" },
  { name: 'HOTLINE_TIME_ZONE', default: 'Asia/Shanghai', meaning: "the city's time zone (ticket numbers, working hours, display)" },
  { name: 'HOTLINE_DEMO_PASSWORD', default: 'hotline-demo', meaning: 'password given to the users created from city/*/users.json on first start; change it' },
  { name: 'SESSION_TTL_HOURS', default: '12', meaning: 'how long a login lasts' },
  { name: 'FILES_DIR', default: './data/files', meaning: 'where ticket attachments are stored' },
  { name: 'MAX_BODY', default: '256kb', meaning: 'largest accepted request body' },
  { name: 'RETURN_VISIT_AFTER_INTAKE_RESOLUTION', default: 'true', meaning: 'consults resolved at intake also get a return visit' },
  { name: 'WORKING_HOURS', default: '08:30-12:00,13:30-17:30', meaning: 'working periods of a working day (city time): the working-day and working-hour clocks run in them' },
  { name: 'ACK_WORKING_HOURS', default: '2', meaning: 'acknowledge (签收) deadline, in working hours' },
  { name: 'ALARM_WARNING_SHARE', default: '0.75', meaning: 'a warning fires when this share of the time to a deadline is used' },
  { name: 'SCHEDULER_INTERVAL_MS', default: '5000', meaning: 'how often the scheduler looks for due alarms and return visits (0: off)' },
  { name: 'RETURN_VISIT_CALLING_HOURS', default: '09:00-12:00,14:00-20:00', meaning: 'when survey calls may be placed (city time)' },
  { name: 'RETURN_VISIT_MAX_ATTEMPTS', default: '3', meaning: 'automatic attempts before the manual return-visit list' },
  { name: 'RETURN_VISIT_RETRY_MINUTES', default: '120', meaning: 'wait before the next attempt (then into calling hours)' },
  { name: 'DESK_WRAP_UP_SECONDS', default: '30', meaning: "after a call the operator's wrap-up ends by itself after this long" },
  { name: 'DESK_SEARCH_PER_MINUTE', default: '120', meaning: 'ticket searches (and exports) one user may make per minute, per server' },
  { name: 'OPEN311_FEED_PER_MINUTE', default: '30', meaning: 'reads of the public Open311 feed (GET requests) one address may make per minute, per server' },
  { name: 'OPEN311_SUBMIT_PER_MINUTE', default: '60', meaning: 'requests one Open311 api_key may submit (POST requests) per minute, per server' },
  { name: 'DESK_SUGGEST_PER_MINUTE', default: '120', meaning: 'routing suggestions (POST /api/routing/suggest, a ticket\'s routing at dispatch) one user may ask for per minute, per server' },
  { name: 'DESK_PERSONAL_SEARCH_PER_MINUTE', default: '30', meaning: "searches by a citizen's phone, name or address one user may make per minute, on all servers together" },
  { name: 'DESK_FANOUT', default: 'auto', meaning: '`auto`: on PostgreSQL, desks on every server see every push (LISTEN/NOTIFY); `off`: one server' },
  { name: 'OPEN311_PUBLIC_CHANNELS', default: 'web,mayor_mailbox,photo_report', meaning: "the channels whose tickets the public Open311 feed (GET requests) shows, redacted (never phone calls unless named here)" },
  { name: 'OPEN311_PUBLIC_STATUSES', default: 'all', meaning: 'the statuses it shows (`all`: every status but draft), e.g. `dispatched,acknowledged,replied,reviewed,closed`' },
  { name: 'FREESWITCH_ESL', default: '(unset: no telephony)', meaning: "FreeSWITCH Event Socket as `host:port:password`" },
  { name: 'ASTERISK_AMI', default: '(unset)', meaning: 'Asterisk Manager Interface as `host:port:user:secret` (instead of FreeSWITCH)' },
];

const schema = z.object({
  PORT: z.coerce.number({ error: '须为 0–65535 的整数' }).int('须为整数').min(0).max(65535, '须为 0–65535 的整数').default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  HOTLINE_MODE: z.enum(['demo', 'production'], { error: '须为 demo 或 production' }).optional(),
  TRUST_PROXY: z
    .string()
    .regex(/^(loopback|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/, '须为 loopback，或反向代理的地址（可用 CIDR，逗号分隔），例如 10.0.0.2 或 10.0.0.0/24')
    .optional(),
  DATABASE_URL: z.string().min(1).default('./data/hotline.db'),
  CITY_DIR: z.string().min(1).default('city/demo'),
  HOTLINE_TIME_ZONE: z
    .string()
    .default('Asia/Shanghai')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, '不是有效的时区名（IANA，例如 Asia/Shanghai）'),
  HOTLINE_DEMO_PASSWORD: z.string().min(8, '至少 8 个字符').default('hotline-demo'),
  SESSION_TTL_HOURS: z.coerce.number({ error: '须为小时数' }).min(0.1, '至少 0.1 小时').max(24 * 30, '最多 720 小时').default(12),
  FILES_DIR: z.string().min(1).default('./data/files'),
  MAX_BODY: z.string().regex(/^\d+(b|kb|mb)$/i, '例如 256kb 或 1mb').default('256kb'),
  RETURN_VISIT_AFTER_INTAKE_RESOLUTION: bool.default(true),
  WORKING_HOURS: z
    .string()
    .regex(/^\d{2}:\d{2}-\d{2}:\d{2}(,\s*\d{2}:\d{2}-\d{2}:\d{2})*$/, '格式应为 08:30-12:00,13:30-17:30')
    .default('08:30-12:00,13:30-17:30'),
  ACK_WORKING_HOURS: z.coerce.number({ error: '须为小时数' }).positive('须大于 0').max(75).default(2),
  ALARM_WARNING_SHARE: z.coerce.number({ error: '须为 0 到 1 之间的小数' }).gt(0, '须大于 0').lt(1, '须小于 1').default(0.75),
  SCHEDULER_INTERVAL_MS: z.coerce.number({ error: '须为毫秒数' }).int().min(0).max(3_600_000).default(5000),
  RETURN_VISIT_CALLING_HOURS: z.string().default('09:00-12:00,14:00-20:00'),
  RETURN_VISIT_MAX_ATTEMPTS: z.coerce.number({ error: '须为整数' }).int().min(1).max(10).default(3),
  RETURN_VISIT_RETRY_MINUTES: z.coerce.number({ error: '须为分钟数' }).min(1).max(10080).default(120),
  DESK_WRAP_UP_SECONDS: z.coerce.number({ error: '须为秒数' }).int().min(0).max(3600).default(30),
  DESK_FANOUT: z.enum(['auto', 'off']).default('auto'),
  DESK_SEARCH_PER_MINUTE: z.coerce.number({ error: '须为整数' }).int().min(1).max(1_000_000).default(120),
  OPEN311_FEED_PER_MINUTE: z.coerce.number({ error: '须为整数' }).int().min(1).max(1_000_000).default(30),
  OPEN311_SUBMIT_PER_MINUTE: z.coerce.number({ error: '须为整数' }).int().min(1).max(1_000_000).default(60),
  DESK_SUGGEST_PER_MINUTE: z.coerce.number({ error: '须为整数' }).int().min(1).max(1_000_000).default(120),
  DESK_PERSONAL_SEARCH_PER_MINUTE: z.coerce.number({ error: '须为整数' }).int().min(1).max(1_000_000).default(30),
  OPEN311_PUBLIC_CHANNELS: z
    .string()
    .default('web,mayor_mailbox,photo_report')
    .transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(CHANNELS, { error: `渠道须为 ${CHANNELS.join('、')} 之一` }))),
  OPEN311_PUBLIC_STATUSES: z
    .string()
    .default('all')
    .transform((v) => (v.trim() === 'all' ? TICKET_STATUSES.filter((s) => s !== 'draft') : v.split(',').map((x) => x.trim()).filter(Boolean)))
    .pipe(z.array(z.enum(TICKET_STATUSES, { error: `状态须为 all 或 ${TICKET_STATUSES.join('、')} 之一` }))),
  FREESWITCH_ESL: eslAddress.optional(),
  ASTERISK_AMI: z.string().regex(/^[^:\s]+:\d{1,5}:[^:\s]+:.+$/, '格式应为 host:port:user:secret').optional(),
}).refine((c) => !(c.FREESWITCH_ESL && c.ASTERISK_AMI), { message: 'FREESWITCH_ESL 和 ASTERISK_AMI 只能设置一个：一个热线只接一台交换机', path: ['ASTERISK_AMI'] });

export type Config = z.infer<typeof schema> & {
  cityDir: string;
  /** demo (the default) or production (HOTLINE_MODE, or NODE_ENV=production). */
  mode: 'demo' | 'production';
  /** What Express believes X-Forwarded-* from (TRUST_PROXY, default loopback). */
  trustProxy: string;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(cleaned);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`配置有误（环境变量）：\n${lines.join('\n')}`);
  }
  const mode = r.data.HOTLINE_MODE ?? (env.NODE_ENV === 'production' ? 'production' : 'demo');
  return { ...r.data, cityDir: path.resolve(process.cwd(), r.data.CITY_DIR), mode, trustProxy: r.data.TRUST_PROXY ?? 'loopback' };
}

/** The clock settings (workflow/clocks.ts) this configuration asks for. */
export function clockSettings(c: Config): Record<string, unknown> {
  return {
    timeZone: c.HOTLINE_TIME_ZONE,
    workingHours: c.WORKING_HOURS.split(',').map((p) => {
      const [start, end] = p.trim().split('-');
      return { start, end };
    }),
    ackWorkingHours: c.ACK_WORKING_HOURS,
    warningShare: c.ALARM_WARNING_SHARE,
  };
}
