// Test helpers for the desk: a browser-like login (session cookie + CSRF token) and a
// WebSocket client on /ws that records every push it receives.
import WebSocket from 'ws';
import { call, TEST_PASSWORD } from '../../support/hotline';

export interface CookieLogin { cookie: string; csrf: string; user: { id: number; role: string; unit: string } }

export async function loginCookie(base: string, username: string): Promise<CookieLogin> {
  const r = await call(base, 'POST', '/api/session', { username, password: TEST_PASSWORD });
  if (r.status !== 201) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  return { cookie, csrf: r.body.csrfToken, user: r.body.user };
}

export interface PushClient {
  ws: WebSocket;
  messages: any[];
  /** Resolves with the first message (already received or coming) that matches. */
  next(match: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

export function openPush(base: string, cookie: string | null, headers: Record<string, string> = {}): Promise<PushClient> {
  const ws = new WebSocket(base.replace(/^http/, 'ws') + '/ws', { headers: { ...(cookie ? { cookie } : {}), ...headers } });
  const messages: any[] = [];
  const waiters: { match: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d));
    messages.push(m);
    for (const w of [...waiters]) if (w.match(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
  });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('message', () =>
      resolve({
        ws,
        messages,
        next(match, timeoutMs = 3000) {
          const hit = messages.find(match);
          if (hit) return Promise.resolve(hit);
          return new Promise((res, rej) => {
            const w = { match, resolve: (m: any) => { clearTimeout(t); res(m); } };
            const t = setTimeout(() => { waiters.splice(waiters.indexOf(w), 1); rej(new Error('no matching push within ' + timeoutMs + ' ms')); }, timeoutMs);
            waiters.push(w);
          });
        },
        close: () => ws.close(),
      }),
    );
  });
}

/** Waits a little and says whether anything matching arrived (to show that something did NOT arrive). */
export async function nothingLike(c: PushClient, match: (m: any) => boolean, waitMs = 400): Promise<boolean> {
  await new Promise((r) => setTimeout(r, waitMs));
  return !c.messages.some(match);
}
