// `hotline` — admin jobs from the command line: migrate, load the demo city,
// create Open311 API keys, and the commands the domain modules provide.
import { Knex } from 'knex';
import { loadConfig, clockSettings } from '../config';
import { openDb, sqliteFileOf } from '../../storage/db';
import { demoApiKeys, seedCity } from '../../storage/seed';
import { oneTimePassword } from '../services/accounts';
import { backupSqlite } from '../../storage/backup';
import { createApiClient, listApiClients, setApiClientActive, sha256 } from '../../storage/directory';
import { CHANNELS, Channel } from '../../workflow/types';
import { runSlaCli } from './sla';
import { runUserCli, USER_USAGE } from './user';
import { runRoutingCli } from '../../routing/cli';
import fs from 'node:fs';
import path from 'node:path';
import { saveSchedule, loadedSchedules } from '../../storage/calendar';
import { loadBulletin, FullBulletin } from '../services/bulletins';
import type { RankedUnit } from '../../workflow/kpi';
import { speechBacklog, formatBacklog, requeueFailedTranscriptions, requeueUntranscribed } from '../../ivr/speech';
import { loadRoutingForServer } from '../routing-port';
import { clockPolicyInForce } from '../clock-policy';

export interface CliIo { out(line: string): void; err(line: string): void }

type Command = { summary: string; run(args: string[], io: CliIo): Promise<number> };

/** Reads `--name value` options; returns null (after saying why) on an unknown or valueless option. */
export function options(args: string[], known: string[], io: CliIo): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.replace(/^--/, '');
    if (!a.startsWith('--') || !known.includes(name) || i + 1 >= args.length) {
      io.err(`不认识的参数：${a}（可用：${known.map((k) => `--${k}`).join(' ')}）`);
      return null;
    }
    out[name] = args[++i];
  }
  return out;
}

async function withDb<T>(fn: (db: Knex) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDb({ url: config.DATABASE_URL });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

export const COMMANDS: Record<string, Command> = {
  routing: {
    summary: '路由模型：hotline routing train（用 ../shared/data 和接线员的更正重新训练）| routing eval --data FILE.csv',
    run: (args, io) =>
      runRoutingCli(args, {
        ...io,
        // Operators' corrections of the suggested event type, read only when training.
        corrections: () =>
          withDb(async (db) =>
            (await db('routing_corrections').orderBy('id')).map((r) => ({ title: r.title ?? undefined, text: r.text, eventType: r.chosen_code })),
          ),
      }),
  },
  bulletin: {
    summary: '民情快报/周报：hotline bulletin daily|weekly [--date YYYY-MM-DD]（默认今天）',
    run: async (args, io) => {
      const kind = args[0];
      const o = options(args.slice(1), ['date'], io);
      if ((kind !== 'daily' && kind !== 'weekly') || !o) {
        io.err('用法：hotline bulletin daily|weekly [--date YYYY-MM-DD]');
        return 2;
      }
      const config = loadConfig();
      return withDb(async (db) => {
        const { policy } = await clockPolicyInForce(db, config);
        const date = o.date ?? policy.calendar.localDate(new Date());
        const units = new Map((await db('units').select('code', 'name')).map((u) => [u.code as string, u.name as string]));
        try {
          printBulletin(await loadBulletin({ db, routing: loadRoutingForServer(), policy: () => policy, timeZone: config.HOTLINE_TIME_ZONE }, kind, date), units, io);
        } catch (e) {
          io.err((e as Error).message);
          return 2;
        }
        return 0;
      });
    },
  },
  speech: {
    summary: '语音转写队列：hotline speech backlog | speech requeue-failed | speech requeue-untranscribed（装好模型后补转写）',
    run: async (args, io) => {
      const [cmd, ...rest] = args;
      if (rest.length || !['backlog', 'requeue-failed', 'requeue-untranscribed'].includes(cmd ?? '')) {
        io.err('用法：hotline speech backlog | requeue-failed | requeue-untranscribed');
        return 2;
      }
      return withDb(async (db) => {
        if (cmd === 'requeue-failed') io.out(`已重新排队 ${await requeueFailedTranscriptions(db)} 条失败的转写`);
        if (cmd === 'requeue-untranscribed') io.out(`已重新排队 ${await requeueUntranscribed(db)} 条只做过紧急词检测的录音`);
        io.out(formatBacklog(await speechBacklog(db)));
        return 0;
      });
    },
  },
  calendar: {
    summary: '载入国务院年度节假日安排：hotline calendar import FILE.json（校验后存入数据库，所有服务器生效）',
    run: async (args, io) => {
      if (args[0] !== 'import' || !args[1] || args.length > 2) {
        io.err('用法：hotline calendar import FILE.json');
        return 2;
      }
      let text: string;
      try {
        text = fs.readFileSync(args[1], 'utf8');
      } catch (e) {
        io.err(`无法读取 ${args[1]}：${(e as Error).message}`);
        return 2;
      }
      return withDb(async (db) => {
        try {
          const s = await saveSchedule(db, text, null, new Date());
          io.out(`已载入 ${s.year} 年节假日安排`);
          return 0;
        } catch (e) {
          io.err((e as Error).message);
          return 2;
        }
      });
    },
  },
  sla: {
    summary: '工单期限：hotline sla due --from 2026-09-30T17:29:00+08:00 --class general（另有 coverage、check-calendar）',
    run: async (args, io) => {
      const config = loadConfig();
      // Schedules an admin loaded count as much as the city's files. Without a database yet, the files alone.
      const extraSchedules = fs.existsSync(sqliteFileOf(config.DATABASE_URL) ?? '') || !sqliteFileOf(config.DATABASE_URL)
        ? await withDb(async (db) => (await loadedSchedules(db)).schedules)
        : [];
      return runSlaCli(args, io, { cityDir: config.cityDir, timeZone: config.HOTLINE_TIME_ZONE, settings: clockSettings(config), extraSchedules });
    },
  },
  migrate: {
    summary: '升级数据库结构到最新（启动时也会自动执行）',
    run: async (_args, io) =>
      withDb(async (db) => {
        const [, done] = await db.migrate.list();
        io.out(`数据库结构已是最新（待执行迁移 ${done.length} 个已完成）`);
        return 0;
      }),
  },
  backup: {
    summary: '备份 SQLite 数据库（运行中也可）：hotline backup [--to DIR（默认 ./data/backups）] [--keep 14]；附件与录音目录请一并备份',
    run: async (args, io) => {
      const o = options(args, ['to', 'keep'], io);
      if (!o) return 2;
      const keep = o.keep === undefined ? 14 : Number(o.keep);
      if (!Number.isInteger(keep) || keep < 1) {
        io.err('--keep 须为正整数（保留最近几份）');
        return 2;
      }
      const config = loadConfig();
      const file = sqliteFileOf(config.DATABASE_URL);
      if (file === null || file === ':memory:') {
        io.err('PostgreSQL 请用它自己的工具备份，例如：pg_dump --format=custom --file=hotline.dump "$DATABASE_URL"');
        return 2;
      }
      try {
        const r = await backupSqlite(file, o.to ?? path.join(path.dirname(path.resolve(file)), 'backups'), { keep });
        io.out(`已备份并校验：${r.file}（${(r.bytes / 1048576).toFixed(1)} MB）`);
        if (r.removed.length) io.out(`已删除较早的备份：${r.removed.join('、')}`);
        return 0;
      } catch (e) {
        io.err((e as Error).message);
        return 1;
      }
    },
  },
  seed: {
    summary: '载入城市配置（单位、用户、Open311 客户端）：hotline seed [--city DIR]',
    run: async (args, io) => {
      const o = options(args, ['city'], io);
      if (!o) return 2;
      const config = loadConfig();
      return withDb(async (db) => {
        // Production: every new user gets a one-time password of their own (shown once) and no demo key is made.
        const production = config.mode === 'production';
        const r = await seedCity(db, { dir: o.city ?? config.cityDir, password: config.HOTLINE_DEMO_PASSWORD, oneTimePassword: production ? () => oneTimePassword() : undefined });
        io.out(`已载入 ${r.units} 个单位，新建用户 ${r.usersCreated} 个，新建 Open311 客户端 ${r.apiClientsCreated} 个`);
        if (production) {
          if (r.oneTimePasswords.length) {
            io.out('每个新用户的一次性密码只显示这一次，请分别当面或电话交给本人；本人登录后须先改为自己的密码：');
            for (const p of r.oneTimePasswords) io.out(`${p.username}\t${p.password}`);
          }
          io.out('生产模式：演示密钥未创建；请用 npx hotline apikey create --name 名称 --channel 渠道 为每个渠道新建密钥');
        }
        return 0;
      });
    },
  },
  user: {
    summary: USER_USAGE,
    run: (args, io) => runUserCli(args, io, withDb, options),
  },
  apikey: {
    summary: 'Open311 客户端密钥：hotline apikey create --name 名称 --channel web|mayor_mailbox|grid_report|photo_report | apikey list | apikey disable 编号',
    run: async (args, io) => {
      if (args[0] === 'list' && args.length === 1) {
        return withDb(async (db) => {
          const demo = new Set(demoApiKeys().map(sha256));
          for (const c of await listApiClients(db)) io.out([c.id, c.name, c.channel, c.active ? '启用' : '停用', demo.has(c.keyHash) ? '演示密钥' : ''].join('\t').trimEnd());
          return 0;
        });
      }
      if (args[0] === 'disable' && args.length === 2) {
        const id = Number(args[1]);
        return withDb(async (db) => {
          if (!Number.isInteger(id) || !(await setApiClientActive(db, id, false))) {
            io.err(`没有编号为 ${args[1]} 的客户端（npx hotline apikey list 列出全部）`);
            return 2;
          }
          io.out(`客户端 ${id} 已停用，它的密钥不再能提交诉求`);
          return 0;
        });
      }
      if (args[0] !== 'create') {
        io.err('用法：hotline apikey create --name 名称 --channel 渠道 | apikey list | apikey disable 编号');
        return 2;
      }
      const o = options(args.slice(1), ['name', 'channel'], io);
      if (!o) return 2;
      if (!o.name || !CHANNELS.includes(o.channel as Channel)) {
        io.err(`须给出 --name 和 --channel（${CHANNELS.join('|')}）`);
        return 2;
      }
      return withDb(async (db) => {
        const key = await createApiClient(db, o.name, o.channel, new Date());
        io.out('密钥只显示这一次，请妥善保存：');
        io.out(key);
        return 0;
      });
    },
  },
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = name ? COMMANDS[name] : undefined;
  if (!cmd) {
    if (name && name !== 'help' && name !== '--help') io.err(`没有这个命令：${name}`);
    io.out('用法：hotline <命令> [参数]');
    for (const [n, c] of Object.entries(COMMANDS)) io.out(`  ${n.padEnd(10)} ${c.summary}`);
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  return cmd.run(rest, io);
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const KIND_NAMES: Record<string, string> = { consult: '咨询', complaint: '投诉', help_request: '求助', report: '举报', suggestion: '建议' };
const CHANNEL_NAMES: Record<string, string> = {
  hotline: '民声热线', gov_service_hotline: '政务服务热线', urban_hotline: '城管热线', mayor_mailbox: '书记市长信箱', web: '热线网站', photo_report: '随手拍', grid_report: '网格上报',
};

/** One unit's line of the printed ranking; returns and the time they cost show when there were any. */
export function rankingLine(r: RankedUnit, unitName: string): string {
  const returns = r.kpis.returns ? `  退单 ${r.kpis.returns} 件（退回至改派耗时 ${r.kpis.hoursLostToReturns} 小时）` : '';
  return `  ${String(r.rank).padStart(2)}. ${unitName.padEnd(12, '　')} ${r.score.toFixed(2)} 分  办结 ${r.kpis.closed}  按时 ${pct(r.kpis.onTimeRate)}  满意 ${pct(r.kpis.satisfactionRate)}${returns}`;
}

function printBulletin(b: FullBulletin, units: Map<string, string>, io: CliIo): void {
  const title = b.period.kind === 'daily' ? `民情快报 ${b.period.days[0]}` : `民情周报 ${b.period.days[0]} 至 ${b.period.days[6]}`;
  const list = (m: Record<string, number>, names: (k: string) => string) =>
    Object.entries(m).sort((a, c) => c[1] - a[1]).map(([k, n]) => `${names(k)} ${n}`).join('，') || '无';
  io.out(title);
  io.out(`受理诉求 ${b.intake.total} 件：${list(b.intake.byKind, (k) => KIND_NAMES[k] ?? k)}`);
  io.out(`渠道：${list(b.intake.byChannel, (k) => CHANNEL_NAMES[k] ?? k)}`);
  io.out(`类别：${list(b.intake.byCategory, (k) => k)}`);
  io.out(`镇街：${list(b.intake.byTown, (k) => units.get(k) ?? k)}`);
  if (b.period.kind === 'weekly') io.out(`每日受理：${b.intake.trend.map((t) => `${t.day.slice(5)} ${t.count}`).join('，')}`);
  const c = b.kpis.city;
  io.out(`办结 ${c.closed} 件，按时办结率 ${pct(c.onTimeRate)}；回访 ${c.returnVisits} 次，满意率 ${pct(c.satisfactionRate)}（（满意+基本满意）÷（满意+基本满意+不满意））`);
  io.out(`不满意 ${b.unsatisfied} 件，督办 ${c.supervisionNotices} 件，升级 ${b.escalations} 件，紧急事项 ${b.emergencies} 件`);
  if (b.hotWords.length) io.out(`热词：${b.hotWords.slice(0, 10).map((w) => `${w.word}(${w.count})`).join('，')}`);
  if (b.hotSpots.length) io.out(`热点预警：${b.hotSpots.slice(0, 5).map((h) => `${units.get(h.town ?? '') ?? h.town ?? '未知镇街'} ${h.eventType} ${h.count} 件`).join('；')}`);
  io.out('单位排名（按时办结率 40%，满意率 40%，按时签收率 10%，退单准确率 10%）：');
  for (const r of b.ranking) io.out(rankingLine(r, units.get(r.unit) ?? r.unit));
  if (!b.ranking.length) io.out('  （本期没有可排名的单位：无办结或回访）');
}
