// Test users and their passwords. A user still on the initial password (the seed's, or an
// administrator's one-time reset) may do nothing but change it, so a test that works as a
// seeded user needs that user to have chosen their own password first. Two ways:
//
//  - startTestHotline() does it for every seeded user (the default): they all log in with
//    TEST_PASSWORD and pass the initial-password gate; h.as(name), loginCookie(base, name)
//    and the browser's login form with TEST_PASSWORD work as before.
//    startTestHotline({ initialPasswords: true }) leaves them on INITIAL_PASSWORD instead.
//  - usersChosePasswords(db, names?) does it on any database (a second server process,
//    a benchmark's database), and choosePassword(base, name, current) does it the way a
//    person does, through PUT /api/me/password (for tests of that flow, or a server in
//    another process).
import { Knex } from 'knex';
import { hash } from '@node-rs/argon2';

/** The password every seeded test user has chosen (startTestHotline's default). */
export const TEST_PASSWORD = 'test-password-1';
/** The seed's initial password in tests (HOTLINE_DEMO_PASSWORD): a user on it may only change it. */
export const INITIAL_PASSWORD = 'initial-pass-1';

let testHash: Promise<string> | null = null;

/**
 * The given users (default: every user still on an initial or reset password) have chosen
 * TEST_PASSWORD. Written straight to the database (one hash per process), as if each had
 * changed their password at the desk.
 */
export async function usersChosePasswords(db: Knex, usernames?: string[]): Promise<number> {
  testHash ??= hash(TEST_PASSWORD);
  const q = db('users').update({ password_hash: await testHash, password_changed_at: new Date().toISOString(), password_origin: 'chosen' });
  if (usernames) q.whereIn('username', usernames);
  else q.whereNull('password_changed_at');
  return q;
}

/** A user on `current` (an initial or one-time password) chooses `next` through the API; returns a session token of theirs. */
export async function choosePassword(base: string, username: string, current: string, next = TEST_PASSWORD): Promise<string> {
  const post = (path: string, method: string, body: unknown, token?: string) =>
    fetch(base + path, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const login = await post('/api/session', 'POST', { username, password: current });
  if (login.status !== 201) throw new Error(`login ${username}: ${login.status} ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };
  const changed = await post('/api/me/password', 'PUT', { currentPassword: current, newPassword: next }, token);
  if (changed.status !== 204) throw new Error(`${username} choosing a password: ${changed.status} ${await changed.text()}`);
  return token;
}
