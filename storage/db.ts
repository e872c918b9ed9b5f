// Opens the database (SQLite file by default, PostgreSQL with a postgres:// URL)
// and brings its schema up to date. The only place that knows which driver runs.
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import type BetterSqlite3 from 'better-sqlite3';
import { cachePreparedStatements } from './statement-cache';

export type DbKind = 'sqlite' | 'postgres';

export const MIGRATIONS_DIR = path.resolve(__dirname, 'migrations');

export interface DbOptions {
  /** `postgres://…`, `sqlite:PATH`, or a plain file path. Default `./data/hotline.db`. */
  url?: string;
  /** PostgreSQL schema to use (created if missing); tests use one schema each. */
  schema?: string;
  /** Run pending migrations (default true). */
  migrate?: boolean;
}

export function dbKind(db: Knex): DbKind {
  const client = String(db.client.config.client);
  return client === 'pg' ? 'postgres' : 'sqlite';
}

/** A unique key refused the row (PostgreSQL 23505, SQLite's constraint codes). */
export const isUniqueViolation = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
};

export function sqliteFileOf(url: string): string | null {
  if (/^postgres(ql)?:\/\//.test(url)) return null;
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
}

export function knexConfig(opts: DbOptions = {}): Knex.Config {
  const url = opts.url ?? './data/hotline.db';
  const migrations: Knex.MigratorConfig = {
    directory: MIGRATIONS_DIR,
    loadExtensions: ['.ts'],
    tableName: 'knex_migrations',
  };
  const file = sqliteFileOf(url);
  if (file === null) {
    return {
      client: 'pg',
      connection: url,
      searchPath: opts.schema ? [opts.schema] : undefined,
      pool: { min: 0, max: 10 },
      migrations: { ...migrations, schemaName: opts.schema },
    };
  }
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    // better-sqlite3 is synchronous: one connection serialises every statement,
    // which is what SQLite does anyway, without busy waits between connections.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: BetterSqlite3.Database, done: (err: Error | null, conn: unknown) => void) {
        try {
          conn.pragma('journal_mode = WAL');
          // FULL: a committed appeal survives a power cut, not only a process crash.
          conn.pragma('synchronous = FULL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          // The query planner's statistics, as SQLite recommends for long-lived connections:
          // gathered (on a bounded sample) when missing or stale, e.g. after a large import.
          conn.pragma('analysis_limit = 1000');
          conn.pragma('optimize = 0x10002');
          cachePreparedStatements(conn);
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
    migrations,
  };
}

export async function openDb(opts: DbOptions = {}): Promise<Knex> {
  const db = knexFactory(knexConfig(opts));
  if (opts.schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`数据库 schema 名不合法：${opts.schema}`);
    await db.raw(`create schema if not exists "${opts.schema}"`);
  }
  if (opts.migrate !== false) await db.migrate.latest();
  return db;
}
