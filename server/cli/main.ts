// `hotline` — admin jobs from the command line: migrate, load the demo city,
// create Open311 API keys, and the commands the domain modules provide.
import { Knex } from 'knex';
import { loadConfig } from '../config';
import { openDb, sqliteFileOf } from '../../storage/db';
import { seedCity } from '../../storage/seed';
import { createApiClient } from '../../storage/directory';
import { CHANNELS, Channel } from '../../workflow/types';
import { runSlaCli } from '../../workflow/sla-cli';
import { runRoutingCli } from '../../routing/cli';
import fs from 'node:fs';
import { saveSchedule, loadedSchedules } from '../../storage/calendar';

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
      return runSlaCli(args, io, { cityDir: config.cityDir, timeZone: config.HOTLINE_TIME_ZONE, extraSchedules });
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
  seed: {
    summary: '载入城市配置（单位、用户、Open311 客户端）：hotline seed [--city DIR]',
    run: async (args, io) => {
      const o = options(args, ['city'], io);
      if (!o) return 2;
      const config = loadConfig();
      return withDb(async (db) => {
        const r = await seedCity(db, { dir: o.city ?? config.cityDir, password: config.HOTLINE_DEMO_PASSWORD });
        io.out(`已载入 ${r.units} 个单位，新建用户 ${r.usersCreated} 个，新建 Open311 客户端 ${r.apiClientsCreated} 个`);
        return 0;
      });
    },
  },
  apikey: {
    summary: '新建 Open311 客户端密钥：hotline apikey create --name 名称 --channel web|mayor_mailbox|grid_report|photo_report',
    run: async (args, io) => {
      if (args[0] !== 'create') {
        io.err('用法：hotline apikey create --name 名称 --channel 渠道');
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
