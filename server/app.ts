// The HTTP server's routes in one place: health, sessions, the desk API, Open311.
import express from 'express';
import { Knex } from 'knex';
import { dbKind } from '../storage/db';
import type { PromptCheck, RecordingCheck } from '../ivr/telephony';
import { listUnits, User } from '../storage/directory';
import { TicketService } from './services/tickets';
import { jsonErrors, notFoundRoute, refuseNul } from './http/errors';
import { securityHeaders } from './http/security-headers';
import { initialPasswordGate, requireRole, sessionMiddleware, sessionRoutes } from './http/auth';
import { ticketRoutes } from './http/tickets';
import { accountRoutes } from './http/accounts';
import { open311Routes, Open311Deps } from './http/open311';
import type { DemoFlag } from './security-mode';

export interface TelephonyStatus {
  configured: boolean; kind: string | null; connected: boolean; since: string | null;
  /** Prompts where the switch looks for them (null: not checked). */
  prompts?: PromptCheck | null;
  /** Whether the last hotline call's whole-call recording was made (null: no call yet). */
  recording?: RecordingCheck | null;
}

export interface AppDeps {
  db: Knex;
  tickets: TicketService;
  now: () => Date;
  maxBody: string;
  sessionTtlHours: number;
  /** Express's 'trust proxy': whose X-Forwarded-For/-Proto are believed (config TRUST_PROXY). */
  trustProxy?: string;
  /** The demo flag /api/me carries (the desk's header notice). */
  demo?: () => Promise<DemoFlag>;
  open311: Omit<Open311Deps, 'db' | 'tickets' | 'now'>;
  telephony: () => TelephonyStatus;
  /** Extra API routers mounted under /api by the wiring (routing, speech, …). */
  apiRouters?: express.Router[];
  /** Routers mounted at the site root (static pages …). */
  rootRouters?: express.Router[];
  /** After an administrator created (`before` null) or changed a user. */
  onUserChanged?: (after: User, before: User | null) => void;
  /** After anything about a user changed (role, unit, active, password …): every server reads them again. */
  onAccountChanged?: (userId: number) => void;
  /** This installation's demo passwords, which nobody may choose. */
  demoPasswords?: string[];
}

export function createApp(d: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.set('trust proxy', d.trustProxy ?? 'loopback');
  app.use(express.json({ limit: d.maxBody }));
  app.use(express.urlencoded({ extended: true, limit: d.maxBody, parameterLimit: 100 }));
  app.use(refuseNul);

  app.get('/healthz', async (_req, res) => {
    let database: 'ok' | 'down' = 'ok';
    try {
      await d.db.raw('select 1');
    } catch {
      database = 'down';
    }
    // Public (monitoring): whether things work, never which call or file (the desk's wallboard has the details).
    const t = d.telephony();
    const telephony = {
      configured: t.configured, kind: t.kind, connected: t.connected, since: t.since,
      ...(t.prompts !== undefined ? { prompts: t.prompts ? { ok: t.prompts.ok } : null } : {}),
      ...(t.recording !== undefined ? { recording: t.recording ? { ok: t.recording.ok } : null } : {}),
    };
    res.status(database === 'ok' ? 200 : 503).json({ status: database === 'ok' ? 'ok' : 'degraded', database: { kind: dbKind(d.db), status: database }, telephony });
  });

  for (const r of d.rootRouters ?? []) app.use(r);
  app.use('/open311/v2', open311Routes({ ...d.open311, db: d.db, tickets: d.tickets, now: d.now }));

  const api = express.Router();
  api.use(sessionMiddleware(d.db, d.now));
  api.use(initialPasswordGate);
  api.use(sessionRoutes(d.db, d.now, d.sessionTtlHours, d.demo));
  api.use(accountRoutes(d.db, d.now, d.onUserChanged, d.onAccountChanged, d.demoPasswords));
  api.get('/units', requireRole(), async (_req, res) => {
    res.json({ units: await listUnits(d.db) });
  });
  api.use(ticketRoutes(d.tickets));
  for (const r of d.apiRouters ?? []) api.use(r);
  app.use('/api', api);

  app.use(notFoundRoute);
  app.use(jsonErrors);
  return app;
}
