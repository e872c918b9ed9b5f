// Units, users, sessions and API clients: who works in the system and how they sign in.
import crypto from 'node:crypto';
import { Knex } from 'knex';
import { Role } from '../workflow/types';
import { UnitInfo } from '../workflow/lifecycle';

export interface Unit extends UnitInfo { duty: string | null; phone: string | null; active: boolean }
export interface User { id: number; username: string; displayName: string; role: Role; unit: string; extension: string | null; active: boolean }

export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

const bool = (v: unknown) => v === true || v === 1;

export async function listUnits(db: Knex): Promise<Unit[]> {
  const rows = await db('units').orderBy([{ column: 'kind' }, { column: 'code' }]);
  return rows.map((r) => ({ code: r.code, name: r.name, kind: r.kind, duty: r.duty ?? null, phone: r.phone ?? null, active: bool(r.active) }));
}

const userFromRow = (r: any): User => ({
  id: Number(r.id),
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  unit: r.unit_code,
  extension: r.extension ?? null,
  active: bool(r.active),
});

export async function getUser(db: Knex, id: number): Promise<User | null> {
  const r = await db('users').where({ id }).first();
  return r ? userFromRow(r) : null;
}

export async function findUserForLogin(db: Knex, username: string): Promise<(User & { passwordHash: string }) | null> {
  const r = await db('users').where({ username }).first();
  return r ? { ...userFromRow(r), passwordHash: r.password_hash } : null;
}

export async function listUsers(db: Knex, filter: { role?: Role; unit?: string } = {}): Promise<User[]> {
  const q = db('users').orderBy('id');
  if (filter.role) q.where('role', filter.role);
  if (filter.unit) q.where('unit_code', filter.unit);
  return (await q).map(userFromRow);
}

export async function createSession(db: Knex, userId: number, now: Date, ttlHours: number): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url');
  await db('sessions').insert({
    token_hash: sha256(token),
    user_id: userId,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + ttlHours * 3600_000).toISOString(),
  });
  return token;
}

export async function userForSession(db: Knex, token: string, now: Date): Promise<User | null> {
  const r = await db('sessions')
    .join('users', 'users.id', 'sessions.user_id')
    .where('sessions.token_hash', sha256(token))
    .where('sessions.expires_at', '>', now.toISOString())
    .select('users.*')
    .first();
  return r && bool(r.active) ? userFromRow(r) : null;
}

export async function deleteSession(db: Knex, token: string): Promise<void> {
  await db('sessions').where({ token_hash: sha256(token) }).delete();
}

export interface ApiClient { id: number; name: string; channel: string }

export async function apiClientForKey(db: Knex, key: string): Promise<ApiClient | null> {
  const r = await db('api_clients').where({ key_hash: sha256(key) }).first();
  return r && bool(r.active) ? { id: Number(r.id), name: r.name, channel: r.channel } : null;
}

/** Creates an API client and returns its key (shown once; only its hash is stored). */
export async function createApiClient(db: Knex, name: string, channel: string, now: Date, key = crypto.randomBytes(24).toString('base64url')): Promise<string> {
  await db('api_clients').insert({ name, channel, key_hash: sha256(key), active: true, created_at: now.toISOString() });
  return key;
}
