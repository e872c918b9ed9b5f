// A fresh, migrated database for one test file: an SQLite file in a temp folder,
// or a PostgreSQL schema of its own when TEST_DATABASE_URL is set (as .ci/run does).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { Knex } from 'knex';
import { openDb, dbKind } from '../../storage/db';

const created = new Map<Knex, () => Promise<void>>();

export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

/** Options to open the same test database again (e.g. in a second process). */
export interface TestDbHandle { url: string; schema?: string }

export async function createTestDbHandle(): Promise<TestDbHandle> {
  const pg = testDatabaseUrl();
  if (pg) return { url: pg, schema: `t_${crypto.randomBytes(6).toString('hex')}` };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-test-'));
  return { url: path.join(dir, 'hotline.db') };
}

export async function openTestDb(handle?: TestDbHandle): Promise<Knex> {
  const h = handle ?? (await createTestDbHandle());
  const db = await openDb({ url: h.url, schema: h.schema });
  created.set(db, async () => {
    if (dbKind(db) === 'postgres' && h.schema) {
      await db.raw(`drop schema if exists "${h.schema}" cascade`);
    } else if (!handle) {
      fs.rmSync(path.dirname(h.url), { recursive: true, force: true });
    }
  });
  (db as unknown as { testHandle: TestDbHandle }).testHandle = h;
  return db;
}

export function handleOf(db: Knex): TestDbHandle {
  return (db as unknown as { testHandle: TestDbHandle }).testHandle;
}

export async function closeTestDb(db: Knex): Promise<void> {
  const cleanup = created.get(db);
  created.delete(db);
  try {
    if (cleanup && dbKind(db) === 'postgres') await cleanup();
  } finally {
    await db.destroy();
    if (cleanup && dbKind(db) === 'sqlite') await cleanup();
  }
}
