// Sign-in with hashed passwords (argon2) and server-side sessions. A session token
// travels as an HttpOnly cookie (the desk) or a Bearer header (API clients).
// Cookie-authenticated writes must carry the X-CSRF-Token returned at login.
import crypto from 'node:crypto';
import { Router, RequestHandler, Request } from 'express';
import { Knex } from 'knex';
import { z } from 'zod';
import { hash, verify } from '@node-rs/argon2';
import { createSession, deleteSession, findUserForLogin, knownDevice, rememberDevice, sha256, User, userForSession } from '../../storage/directory';
import { parseOrThrow } from '../../workflow/intake';
import { Actor } from '../../workflow/lifecycle';
import { Role } from '../../workflow/types';
import { HttpError } from './errors';
import { LoginLimits } from '../services/login-limits';
import { ACCOUNT_LIMITS, ADDRESS_LIMITS, limitKey } from '../login-rules';
import { sameOrigin } from './origin';
import type { DemoFlag } from '../security-mode';

export const SESSION_COOKIE = 'hotline_session';

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
    sessionToken?: string;
  }
}

export const csrfTokenFor = (sessionToken: string) => sha256(`csrf:${sessionToken}`);

export function actorOf(req: Request): Actor {
  if (!req.user) throw new HttpError(401, 'unauthenticated', '请先登录');
  return { id: req.user.id, role: req.user.role, unit: req.user.unit };
}

/** A cookie's value from a Cookie header (undefined: absent, or not decodable). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      // A value that does not decode is no session (or device) of ours, not a server error.
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Sessions read from the database are kept for a few seconds, so a busy desk does not
 * read the sessions table on every call. A logout is seen at once by this server and
 * within SESSION_CACHE_MS by the others.
 */
export const SESSION_CACHE_MS = 10_000;
const sessionCache = new Map<string, { user: User | null; until: number }>();

async function cachedUserForSession(db: Knex, token: string, now: Date): Promise<User | null> {
  const hit = sessionCache.get(token);
  if (hit && hit.until > Date.now()) return hit.user;
  const user = await userForSession(db, token, now);
  if (sessionCache.size > 50_000) sessionCache.clear();
  sessionCache.set(token, { user, until: Date.now() + SESSION_CACHE_MS });
  return user;
}

export function forgetSession(token: string): void {
  sessionCache.delete(token);
}

/** After a password, role or active change: this server reads the user's sessions afresh (others within SESSION_CACHE_MS). */
export function forgetUserSessions(userId: number): void {
  for (const [token, hit] of sessionCache) if (hit.user?.id === userId) sessionCache.delete(token);
}

/** Resolves the session (if any) to req.user; enforces CSRF on cookie-authenticated writes. */
export function sessionMiddleware(db: Knex, now: () => Date): RequestHandler {
  return async (req, _res, next) => {
    try {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      const cookie = readCookie(req.get('cookie'), SESSION_COOKIE);
      const token = bearer ?? cookie;
      if (token) {
        const user = await cachedUserForSession(db, token, now());
        if (user) {
          if (!bearer && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
            const sent = req.get('x-csrf-token') ?? '';
            const want = csrfTokenFor(token);
            if (sent.length !== want.length || !crypto.timingSafeEqual(Buffer.from(sent), Buffer.from(want))) {
              throw new HttpError(403, 'csrf', '缺少或错误的 X-CSRF-Token，请刷新页面后重试');
            }
          }
          req.user = user;
          req.sessionToken = token;
        }
      }
      next();
    } catch (e) {
      next(e);
    }
  };
}

/** What a user on an initial or reset password may do: read who they are, change the password, log out. */
const WHILE_ON_INITIAL_PASSWORD = new Set(['GET /me', 'PUT /me/password', 'DELETE /session', 'POST /session']);

export const PASSWORD_CHANGE_REQUIRED = 'password_change_required';

/**
 * A user still on the initial (or an administrator's reset) password may do nothing but
 * change it: every other route under /api answers 403 password_change_required, which
 * the desk answers by showing the password form. (The push socket refuses them too: hub.ts.)
 */
export const initialPasswordGate: RequestHandler = (req, _res, next) => {
  if (!req.user?.initialPassword || WHILE_ON_INITIAL_PASSWORD.has(`${req.method} ${req.path}`)) return next();
  next(new HttpError(403, PASSWORD_CHANGE_REQUIRED, '您正在使用初始密码（或管理员重置的密码），请先修改密码，之后才能使用其他功能'));
};

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user) return next(new HttpError(401, 'unauthenticated', '请先登录'));
    if (roles.length && !roles.includes(req.user.role)) return next(new HttpError(403, 'forbidden', '您的角色无权访问此功能'));
    next();
  };
}

const loginBody = z.object({ username: z.string().trim().min(1).max(60), password: z.string().min(1).max(200) }).strict();

/** The browsers a user signed in with carry this cookie: their attempts are counted apart from the account's (server/login-rules.ts). */
export const DEVICE_COOKIE = 'hotline_device';
const DEVICE_DAYS = 180;
/** A shared workstation remembers the tokens of its last few users. */
const DEVICE_TOKENS = 8;

/** Verified in place of a missing or disabled user's hash, so an unknown name costs the same time as a wrong password. */
let dummyHash: Promise<string> | null = null;
const verifyOrDummy = async (passwordHash: string | null, password: string): Promise<boolean> => {
  dummyHash ??= hash(crypto.randomBytes(18).toString('base64'));
  const ok = await verify(passwordHash ?? (await dummyHash), password);
  return ok && passwordHash !== null;
};

export function sessionRoutes(db: Knex, now: () => Date, ttlHours: number, demo: () => Promise<DemoFlag> = async () => ({ demo: false, demoNotice: null })): Router {
  const r = Router();
  const limits = new LoginLimits(db);
  r.post('/session', async (req, res) => {
    // A login form posted from another site would sign the victim's browser in as the
    // attacker (login CSRF): JSON only (a cross-site form cannot send it without CORS), and
    // an Origin, when the browser sends one, of this site.
    if (!req.is('application/json')) throw new HttpError(415, 'json_only', '登录请求须为 JSON（Content-Type: application/json）');
    if (!sameOrigin(req.get('origin'), req.host)) throw new HttpError(403, 'cross_origin', '不接受来自其他网站页面的登录请求');
    const { username, password } = parseOrThrow(loginBody, req.body, '登录信息');
    const at = now().getTime();
    const user = await findUserForLogin(db, username);
    const active = user && user.active ? user : null;
    // The attempt is charged to the address and to this browser of the user's, if it is one, else to the account.
    const cookieTokens = (readCookie(req.get('cookie'), DEVICE_COOKIE) ?? '').split('.').filter(Boolean).slice(0, DEVICE_TOKENS);
    const device = active ? await knownDevice(db, active.id, cookieTokens.map(sha256)) : null;
    const address = limitKey.address(req.ip ?? 'unknown');
    const account = device ? limitKey.device(device) : limitKey.account(username);
    const keys = [{ key: address, o: ADDRESS_LIMITS }, { key: account, o: ACCOUNT_LIMITS }];
    const reserved = await limits.reserve(keys, at);
    if (!reserved.ok) {
      res.set('Retry-After', String(Math.ceil(reserved.retryAfterMs / 1000)));
      throw new HttpError(429, 'too_many_logins', `登录失败次数过多，请 ${Math.ceil(reserved.retryAfterMs / 60000)} 分钟后再试；急需登录请联系系统管理员解除锁定`);
    }
    if (!(await verifyOrDummy(active?.passwordHash ?? null, password)) || !active) {
      await limits.failed(keys, at);
      throw new HttpError(401, 'bad_credentials', '用户名或密码错误');
    }
    await limits.succeeded({ clear: [account], giveBack: [address], reservedAt: at });
    // This browser is now one of the user's (a fresh token, or the same one refreshed).
    const token = device ? cookieTokens.find((t) => sha256(t) === device)! : crypto.randomBytes(24).toString('base64url');
    await rememberDevice(db, active.id, sha256(token), now(), DEVICE_DAYS);
    const tokens = [token, ...cookieTokens.filter((t) => t !== token)].slice(0, DEVICE_TOKENS);
    const session = await createSession(db, active.id, now(), ttlHours);
    res.cookie(SESSION_COOKIE, session, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: ttlHours * 3600_000, secure: req.secure });
    res.cookie(DEVICE_COOKIE, tokens.join('.'), { httpOnly: true, sameSite: 'strict', path: '/api/session', maxAge: DEVICE_DAYS * 86400_000, secure: req.secure });
    const { passwordHash: _omit, ...pub } = active;
    res.status(201).json({ token: session, csrfToken: csrfTokenFor(session), user: pub, ...(await demo()) });
  });
  r.delete('/session', async (req, res) => {
    if (req.sessionToken) {
      await deleteSession(db, req.sessionToken);
      forgetSession(req.sessionToken);
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  r.get('/me', requireRole(), async (req, res) => {
    res.json({ user: req.user, csrfToken: req.sessionToken ? csrfTokenFor(req.sessionToken) : null, ...(await demo()) });
  });
  return r;
}
