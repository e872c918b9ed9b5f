// Sign-in with hashed passwords (argon2) and server-side sessions. A session token
// travels as an HttpOnly cookie (the desk) or a Bearer header (API clients).
// Cookie-authenticated writes must carry the X-CSRF-Token returned at login.
import crypto from 'node:crypto';
import { Router, RequestHandler, Request } from 'express';
import { Knex } from 'knex';
import { z } from 'zod';
import { verify } from '@node-rs/argon2';
import { createSession, deleteSession, findUserForLogin, sha256, User, userForSession } from '../../storage/directory';
import { parseOrThrow } from '../../workflow/intake';
import { Actor } from '../../workflow/lifecycle';
import { Role } from '../../workflow/types';
import { HttpError } from './errors';
import { LoginLimits } from '../services/login-limits';
import { ADDRESS_LIMITS, LOGIN_LIMITS } from '../login-rules';

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

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
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

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user) return next(new HttpError(401, 'unauthenticated', '请先登录'));
    if (roles.length && !roles.includes(req.user.role)) return next(new HttpError(403, 'forbidden', '您的角色无权访问此功能'));
    next();
  };
}

const loginBody = z.object({ username: z.string().trim().min(1).max(60), password: z.string().min(1).max(200) }).strict();

export function sessionRoutes(db: Knex, now: () => Date, ttlHours: number): Router {
  const r = Router();
  // Failed logins lock the user name and, with a higher limit, the address, on every server.
  const byName = new LoginLimits(db, 'user:', LOGIN_LIMITS);
  const byAddress = new LoginLimits(db, 'ip:', ADDRESS_LIMITS);
  r.post('/session', async (req, res) => {
    const { username, password } = parseOrThrow(loginBody, req.body, '登录信息');
    const name = username.toLowerCase();
    const ip = req.ip ?? 'unknown';
    const at = now().getTime();
    const wait = Math.max(await byAddress.retryAfter(ip, at), await byName.retryAfter(name, at));
    if (wait > 0) {
      res.set('Retry-After', String(Math.ceil(wait / 1000)));
      throw new HttpError(429, 'too_many_logins', `登录失败次数过多，请 ${Math.ceil(wait / 60000)} 分钟后再试`);
    }
    const user = await findUserForLogin(db, username);
    const ok = user && user.active ? await verify(user.passwordHash, password) : false;
    if (!user || !ok) {
      // Counted before the answer, so the next attempt already sees it.
      await byAddress.fail(ip, at);
      await byName.fail(name, at);
      throw new HttpError(401, 'bad_credentials', '用户名或密码错误');
    }
    await byName.succeed(name);
    const token = await createSession(db, user.id, now(), ttlHours);
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: ttlHours * 3600_000, secure: req.secure });
    const { passwordHash: _omit, ...pub } = user;
    res.status(201).json({ token, csrfToken: csrfTokenFor(token), user: pub });
  });
  r.delete('/session', async (req, res) => {
    if (req.sessionToken) {
      await deleteSession(db, req.sessionToken);
      forgetSession(req.sessionToken);
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  r.get('/me', requireRole(), (req, res) => {
    res.json({ user: req.user, csrfToken: req.sessionToken ? csrfTokenFor(req.sessionToken) : null });
  });
  return r;
}
