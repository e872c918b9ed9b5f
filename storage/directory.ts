// Units, users, sessions and API clients: who works in the system and how they sign in.
import crypto from 'node:crypto';
import { Knex } from 'knex';
import { Role } from '../workflow/types';
import { UnitInfo } from '../workflow/lifecycle';

export interface Unit extends UnitInfo { duty: string | null; phone: string | null; active: boolean }
export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  unit: string;
  extension: string | null;
  active: boolean;
  /** Still the initial (or an administrator's reset) password: the desk asks the user to choose their own. */
  initialPassword: boolean;
}

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
  initialPassword: r.password_changed_at == null,
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

export async function listApiClients(db: Knex): Promise<Array<ApiClient & { active: boolean; keyHash: string }>> {
  return (await db('api_clients').orderBy('id')).map((r) => ({ id: Number(r.id), name: r.name, channel: r.channel, active: bool(r.active), keyHash: r.key_hash }));
}

/** Enables or disables an API client; false when there is none with this id. */
export async function setApiClientActive(db: Knex, id: number, active: boolean): Promise<boolean> {
  return (await db('api_clients').where({ id }).update({ active })) > 0;
}

/** Creates an API client and returns its key (shown once; only its hash is stored). */
export async function createApiClient(db: Knex, name: string, channel: string, now: Date, key = crypto.randomBytes(24).toString('base64url')): Promise<string> {
  await db('api_clients').insert({ name, channel, key_hash: sha256(key), active: true, created_at: now.toISOString() });
  return key;
}

// ---------------------------------------------------------------------------
// Accounts: created, changed, passwords set; each change is an audit row (user_events).

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  unit: string;
  extension: string | null;
}

export type UserPatch = Partial<Pick<User, 'displayName' | 'role' | 'unit' | 'extension' | 'active'>>;

export interface UserEvent { id: number; userId: number; action: string; actorId: number | null; data: Record<string, unknown>; createdAt: string }

async function userEvent(trx: Knex.Transaction, userId: number, action: string, actorId: number | null, data: Record<string, unknown>, at: Date): Promise<void> {
  await trx('user_events').insert({ user_id: userId, action, actor_id: actorId, data: JSON.stringify(data), created_at: at.toISOString() });
}

export async function findUserByUsername(db: Knex, username: string): Promise<User | null> {
  const r = await db('users').where({ username }).first();
  return r ? userFromRow(r) : null;
}

/** The active user other than `exceptId` who has this phone extension, if any. */
export async function userWithExtension(db: Knex, extension: string, exceptId: number | null): Promise<User | null> {
  const q = db('users').where({ extension, active: true });
  if (exceptId !== null) q.whereNot('id', exceptId);
  const r = await q.first();
  return r ? userFromRow(r) : null;
}

export async function insertUser(trx: Knex.Transaction, u: NewUser, passwordHash: string, at: Date, actorId: number | null): Promise<User> {
  const [row] = await trx('users')
    .insert({
      username: u.username, display_name: u.displayName, role: u.role, unit_code: u.unit, extension: u.extension,
      password_hash: passwordHash, active: true, created_at: at.toISOString(), password_changed_at: null, password_origin: 'one_time',
    })
    .returning('id');
  const id = Number(typeof row === 'object' ? row.id : row);
  await userEvent(trx, id, 'created', actorId, { ...u }, at);
  return (await getUser(trx, id))!;
}

const PATCH_COLUMNS: Record<keyof UserPatch, string> = { displayName: 'display_name', role: 'role', unit: 'unit_code', extension: 'extension', active: 'active' };

/** Apply the changed fields; the audit row holds each one's old and new value. Disabling ends the user's sessions. */
export async function updateUser(trx: Knex.Transaction, before: User, patch: UserPatch, at: Date, actorId: number | null): Promise<User> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(PATCH_COLUMNS) as [keyof UserPatch, string][]) {
    if (patch[key] === undefined || patch[key] === before[key]) continue;
    changes[key] = { from: before[key], to: patch[key] };
    row[column] = patch[key];
  }
  if (!Object.keys(row).length) return before;
  await trx('users').where({ id: before.id }).update(row);
  if (patch.active === false) await trx('sessions').where({ user_id: before.id }).delete();
  const action = patch.active === false && before.active ? 'disabled' : patch.active === true && !before.active ? 'enabled' : 'updated';
  await userEvent(trx, before.id, action, actorId, changes, at);
  return (await getUser(trx, before.id))!;
}

/**
 * Store a new password hash. `chosenByUser`: the user set it (else it is a reset: the desk
 * asks for a new one). Every session of the user ends, except the one given (the user's own,
 * when they change their password at the desk).
 */
export async function setPassword(
  trx: Knex.Transaction, userId: number, passwordHash: string, at: Date,
  o: { chosenByUser: boolean; actorId: number | null; keepSession?: string },
): Promise<void> {
  await trx('users').where({ id: userId }).update({
    password_hash: passwordHash, password_changed_at: o.chosenByUser ? at.toISOString() : null, password_origin: o.chosenByUser ? 'chosen' : 'one_time',
  });
  const sessions = trx('sessions').where({ user_id: userId });
  if (o.keepSession) sessions.whereNot('token_hash', sha256(o.keepSession));
  await sessions.delete();
  await userEvent(trx, userId, o.chosenByUser ? 'password_changed' : 'password_reset', o.actorId, {}, at);
}

export async function listUserEvents(db: Knex, userId: number): Promise<UserEvent[]> {
  const rows = await db('user_events').where({ user_id: userId }).orderBy('id');
  return rows.map((r) => ({ id: Number(r.id), userId: Number(r.user_id), action: r.action, actorId: r.actor_id == null ? null : Number(r.actor_id), data: JSON.parse(r.data), createdAt: r.created_at }));
}

// ---------------------------------------------------------------------------
// Browsers a user signed in with (a device cookie holds the token; only its hash is stored).
// The login limiter counts their attempts apart from the account's (server/login-rules.ts).

/** Of these token hashes, the one that is a browser of this user (null: none). */
export async function knownDevice(db: Knex, userId: number, tokenHashes: string[]): Promise<string | null> {
  if (!tokenHashes.length) return null;
  const r = await db('login_devices').whereIn('token_hash', tokenHashes.slice(0, 20)).where({ user_id: userId }).first();
  return r ? r.token_hash : null;
}

/** Remember (or refresh) a browser of the user; browsers unused for `forgetAfterDays` are forgotten. */
export async function rememberDevice(db: Knex, userId: number, tokenHash: string, at: Date, forgetAfterDays: number): Promise<void> {
  const iso = at.toISOString();
  await db('login_devices').insert({ token_hash: tokenHash, user_id: userId, created_at: iso, last_used_at: iso }).onConflict('token_hash').merge(['last_used_at']);
  await db('login_devices').where('last_used_at', '<', new Date(at.getTime() - forgetAfterDays * 86400_000).toISOString()).delete();
}

export async function devicesOf(db: Knex, userId: number): Promise<string[]> {
  return (await db('login_devices').where({ user_id: userId }).select('token_hash')).map((r) => r.token_hash);
}

/** An administrator lifted a user's login lock (the limiter's rows are deleted by the caller, in the same transaction). */
export async function recordUnlock(trx: Knex.Transaction, userId: number, actorId: number | null, data: Record<string, unknown>, at: Date): Promise<void> {
  await userEvent(trx, userId, 'unlocked', actorId, data, at);
}
