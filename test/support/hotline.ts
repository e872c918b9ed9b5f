// A real hotline server on a real test database (SQLite file or PostgreSQL schema),
// listening on a free loopback port, with helpers to log in and call it.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import { Knex } from 'knex';
import { loadConfig } from '../../server/config';
import { createHotline, Hotline, listen } from '../../server/hotline';
import type { SwitchFactory } from '../../server/telephony';
import { loadRoutingForServer } from '../../server/routing-port';
import { openTestDb, closeTestDb } from './db';
import { INITIAL_PASSWORD, TEST_PASSWORD, usersChosePasswords } from './users';

export { INITIAL_PASSWORD, TEST_PASSWORD, usersChosePasswords, choosePassword } from './users';

export interface TestHotline {
  base: string;
  hotline: Hotline;
  db: Knex;
  /** Logs in as a seeded user (with TEST_PASSWORD); returns an authenticated JSON caller. */
  as(username: string): Promise<Caller>;
  close(): Promise<void>;
}

export interface Reply<T = any> { status: number; body: T; headers: Headers }
export type Caller = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>;

/** @deprecated the same as TEST_PASSWORD (the password every seeded test user has chosen); use TEST_PASSWORD. */
export const DEMO_PASSWORD = TEST_PASSWORD;

export const testRouting = loadRoutingForServer;

export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const isForm = typeof body === 'string';
  const res = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': isForm ? 'application/x-www-form-urlencoded' : 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : isForm ? (body as string) : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export interface TestHotlineOptions {
  now?: () => Date;
  env?: Record<string, string>;
  db?: Knex;
  telephony?: SwitchFactory;
  /**
   * Leave the seeded users on the seed's INITIAL_PASSWORD (they may only change it). By
   * default every user the seed creates here has chosen TEST_PASSWORD.
   */
  initialPasswords?: boolean;
}

export async function startTestHotline(opts: TestHotlineOptions = {}): Promise<TestHotline> {
  const db = opts.db ?? (await openTestDb());
  const files = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-files-'));
  const config = loadConfig({ HOTLINE_DEMO_PASSWORD: INITIAL_PASSWORD, PORT: '0', HOST: '127.0.0.1', FILES_DIR: files, ...opts.env });
  // The seed runs in createHotline when the database has no units yet.
  const seeds = Number((await db('units').count({ n: '*' }))[0].n) === 0;
  const hotline = await createHotline(config, { db, routing: testRouting(), now: opts.now, telephony: opts.telephony, log: () => {} });
  if (seeds && !opts.initialPasswords) await usersChosePasswords(db);
  const server: http.Server = await listen(hotline, 0, '127.0.0.1');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    hotline,
    db,
    async as(username) {
      const r = await call(base, 'POST', '/api/session', { username, password: TEST_PASSWORD });
      if (r.status !== 201) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
      const auth = { authorization: `Bearer ${r.body.token}` };
      return (method, path, body, headers = {}) => call(base, method, path, body, { ...auth, ...headers });
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await hotline.close();
      if (!opts.db) await closeTestDb(db);
      fs.rmSync(files, { recursive: true, force: true });
    },
  };
}

/**
 * A ticket taken to "reviewed" (awaiting its return visit) the way people do it: the
 * operator accepts and dispatches, the unit acknowledges and replies, the operator approves.
 */
export async function reviewedTicket(op: Caller, unit: Caller, unitCode: string, appeal: Record<string, unknown> = {}): Promise<number> {
  const created = await op('POST', '/api/tickets', {
    channel: 'hotline', kind: 'complaint', content: '小区路灯不亮', citizenPhone: '13812345678', ...appeal, dispatch: { leadUnit: unitCode, coUnits: [] },
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.ticket.id as number;
  for (const [who, action, reason] of [[unit, 'acknowledge', undefined], [unit, 'reply', '已处理'], [op, 'review_approve', undefined]] as const) {
    const r = await who('POST', `/api/tickets/${id}/transitions`, { action, ...(reason ? { reason } : {}) });
    if (r.status !== 200) throw new Error(`${action}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return id;
}
