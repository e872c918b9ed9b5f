// Start-up: the one place where the edges are wired together — database,
// city configuration, working calendar, routing, ticket service, HTTP.
import path from 'node:path';
import http from 'node:http';
import { Knex } from 'knex';
import { Config } from './config';
import { openDb, dbKind } from '../storage/db';
import { demoApiKeys, seedCity } from '../storage/seed';
import { DemoSecretsProbe, DEFAULT_DEMO_PASSWORD } from './services/demo-secrets';
import { demoBanner, demoFlag, DemoFlag, productionProblems, refusalText } from './security-mode';
import { listUnits } from '../storage/directory';
import { UnitInfo } from '../workflow/lifecycle';
import type { Routing } from '../routing';
import { computeClocks, ClockPolicy, clockStateOfTicket } from '../workflow/clocks';
import { scheduleVersion } from '../storage/calendar';
import { clockPolicyInForce } from './clock-policy';
import { calendarRoutes } from './http/calendar';
import { bulletinRoutes } from './http/bulletins';
import { statsRoutes } from './http/stats';
import { attachmentRoutes } from './http/attachments';
import { noticeRoutes } from './http/notices';
import { NoticeService } from './services/notices';
import { ticketViewRoutes } from './http/ticket-views';
import { SearchLimits } from './http/ticket-search';
import { zonedDayStart } from '../workflow/calendar';
import { readCity } from '../storage/seed';
import { TicketService } from './services/tickets';
import { VisitService, SurveyDialer } from './services/visits';
import { makeVisitPolicy } from '../workflow/return-visits';
import { visitRoutes } from './http/visits';
import { createApp, TelephonyStatus } from './app';
import { Open311Service } from './http/open311';
import { EventBus } from './events';
import { routingRoutes, suggestRate } from './http/routing';
import { startSwitch, SwitchFactory, RunningSwitch, agentChanges } from './telephony';
import type { Telephony } from '../ivr/telephony';
import { hotlineServices } from './services/ivr-services';
import { EXTENSIONS, Extension, ExtensionFactory, HotlineContext } from './extensions';

/** What the hotline needs of the routing engine. */
export type RoutingPort = Pick<Routing, 'eventTypes' | 'eventType' | 'suggest' | 'decide' | 'triage'>;

export interface HotlineDeps {
  routing: RoutingPort;
  /** Modules to plug in (default: EXTENSIONS). */
  extensions?: ExtensionFactory[];
  /** The switch adapter to start (FreeSWITCH or Asterisk); absent: no telephony. */
  telephony?: SwitchFactory;
  db?: Knex;
  now?: () => Date;
  log?: (line: string) => void;
}

export interface Hotline {
  config: Config;
  db: Knex;
  tickets: TicketService;
  visits: VisitService;
  /** The running switch adapter, or null without telephony. */
  telephony: Telephony | null;
  /** Hand over (or withdraw, with null) the return-visit dialer of the telephony side. */
  setDialer(d: SurveyDialer | null): void;
  app: ReturnType<typeof createApp>;
  policy(): ClockPolicy;
  bus: EventBus;
  extensions: Extension[];
  close(): Promise<void>;
}

export async function createHotline(config: Config, deps: HotlineDeps): Promise<Hotline> {
  const log = deps.log ?? ((l: string) => console.log(l));
  const now = deps.now ?? (() => new Date());
  const db = deps.db ?? (await openDb({ url: config.DATABASE_URL }));
  let demo: DemoSecretsProbe;
  try {
    demo = await demoOrProduction(db, config, log);
  } catch (e) {
    if (!deps.db) await db.destroy();
    throw e;
  }
  let demoCache: { at: number; flag: Promise<DemoFlag> } | null = null;
  /** The desk's demo notice, read again at most once a minute (users change their passwords). */
  const demoState = (): Promise<DemoFlag> => {
    if (!demoCache || Date.now() - demoCache.at > 60_000) demoCache = { at: Date.now(), flag: demo.read().then((s) => demoFlag(config.mode, s)) };
    return demoCache.flag;
  };
  const units = new Map<string, UnitInfo>((await listUnits(db)).map((u) => [u.code, { code: u.code, name: u.name, kind: u.kind }]));

  const unitNames = new Map((await listUnits(db)).map((u) => [u.code, u.name]));
  const unitName = (code: string | null) => (code ? unitNames.get(code) ?? null : null);
  const handlingUnits = [...units.values()].filter((u) => u.kind === 'department' || u.kind === 'town').map((u) => u.code);
  const cityName = readCity(config.cityDir).city.name;
  const notices = new NoticeService({ db, cityName, timeZone: config.HOTLINE_TIME_ZONE, now, unitName });

  const bus = new EventBus();
  // The clock policy in force; rebuilt when an admin loads a year's schedule (here or on another server).
  let policy: ClockPolicy;
  let calendarVersion: string | null = null;
  const reloadCalendar = async () => {
    ({ policy, version: calendarVersion } = await clockPolicyInForce(db, config));
  };
  await reloadCalendar();
  /** Picks up schedules another server loaded (called by the scheduler). */
  const refreshCalendar = async () => {
    if ((await scheduleVersion(db)) !== calendarVersion) await reloadCalendar();
  };
  const tickets = new TicketService({
    db,
    now,
    clocks: (at, urgency) => computeClocks({ dispatchedAt: at, urgency }, policy),
    clockState: (t) => clockStateOfTicket(t, policy),
    units: () => units,
    timeZone: config.HOTLINE_TIME_ZONE,
    returnVisitAfterIntakeResolution: config.RETURN_VISIT_AFTER_INTAKE_RESOLUTION,
    onChange: (ticket, events) => bus.emit('ticket', { ticket, events }),
    afterWrite: (trx, t, at, previous) => visits.afterTicketWrite(trx, t, at, previous),
    afterEvent: notices.onEvent,
    eventTypeKnown: (code) => deps.routing.eventType(code) !== null,
  });
  let dialer: SurveyDialer | null = null;
  const visits = new VisitService({
    db,
    tickets,
    now,
    log,
    dialer: () => dialer,
    policy: makeVisitPolicy({
      callingHours: config.RETURN_VISIT_CALLING_HOURS,
      timeZone: config.HOTLINE_TIME_ZONE,
      maxAttempts: config.RETURN_VISIT_MAX_ATTEMPTS,
      retryAfterMinutes: config.RETURN_VISIT_RETRY_MINUTES,
    }),
  });

  let running: RunningSwitch | null = null;
  if (deps.telephony) {
    running = await startSwitch(deps.telephony, {
      db, services: hotlineServices({ db, tickets, visits, policy: () => policy }), now, log,
      callingHours: config.RETURN_VISIT_CALLING_HOURS, timeZone: config.HOTLINE_TIME_ZONE,
      // Wrap-up after every call, however it ended, and after the desk chose it: the switch side times it.
      wrapUpMs: config.DESK_WRAP_UP_SECONDS * 1000,
    });
    running.telephony.onEvent((e) => bus.emit('call', e));
    const { dialer: survey, telephony } = running;
    dialer = { enqueue: (req) => survey.enqueue(req), ready: () => telephony.status().connected };
  }
  const telephonyAdapter = running?.telephony ?? null;
  const ctx: HotlineContext = {
    config, db, tickets, visits, notices, bus, routing: deps.routing, telephony: telephonyAdapter, policy: () => policy, refreshCalendar, units: () => units, now, log, demo: demoState,
    setDialer: (d) => (dialer = d),
  };
  const extensions: Extension[] = [];
  for (const factory of deps.extensions ?? EXTENSIONS) extensions.push(await factory(ctx));

  const services: Open311Service[] = deps.routing.eventTypes();
  const routingRate = suggestRate(config.DESK_SUGGEST_PER_MINUTE);

  const telephony = (): TelephonyStatus => {
    if (!telephonyAdapter) return { configured: false, kind: null, connected: false, since: null };
    const s = telephonyAdapter.status();
    return { configured: true, kind: s.kind, connected: s.connected, since: s.since, prompts: s.prompts ?? null, recording: s.recording ?? null };
  };

  const app = createApp({
    db,
    tickets,
    now,
    maxBody: config.MAX_BODY,
    sessionTtlHours: config.SESSION_TTL_HOURS,
    trustProxy: config.trustProxy,
    demo: demoState,
    telephony,
    apiRouters: [
      routingRoutes({ db, routing: deps.routing, now, rate: routingRate }),
      visitRoutes(visits, unitName),
      calendarRoutes({ db, now, policy: () => policy, reload: reloadCalendar }),
      bulletinRoutes({ db, routing: deps.routing, policy: () => policy, timeZone: config.HOTLINE_TIME_ZONE, now, unitName }),
      statsRoutes({
        db, routing: deps.routing, policy: () => policy, timeZone: config.HOTLINE_TIME_ZONE, now, unitName,
        categoryOf: (code) => deps.routing.eventType(code)?.category ?? null, typeName: (code) => deps.routing.eventType(code)?.name ?? null,
      }),
      attachmentRoutes({ db, tickets, dir: path.resolve(config.FILES_DIR, 'attachments'), now }),
      noticeRoutes({ db, tickets, notices, timeZone: config.HOTLINE_TIME_ZONE, cityName }),
      ticketViewRoutes({
        db, tickets, notices, routing: deps.routing, now, unitName, handlingUnits: () => handlingUnits,
        limits: new SearchLimits(db, now, { perMinute: config.DESK_SEARCH_PER_MINUTE, personalPerMinute: config.DESK_PERSONAL_SEARCH_PER_MINUTE }),
        routingRate,
        catalogue: {
          eventTypesOf: (category) => {
            const codes = deps.routing.eventTypes().filter((e) => e.group === category).map((e) => e.code);
            return codes.length ? codes : null;
          },
          dayStart: (day) => zonedDayStart(day, config.HOTLINE_TIME_ZONE),
        },
      }),
      ...extensions.flatMap((e) => e.apiRouters ?? []),
    ],
    rootRouters: extensions.flatMap((e) => e.rootRouters ?? []),
    // An operator's or supervisor's new extension takes calls at once, without a restart; an
    // extension taken away (user disabled, moved to another role, given another extension) is
    // logged out of the queue, so that no call rings there.
    onAccountChanged: (userId) => bus.emit('user', { userId }),
    demoPasswords: [...new Set([config.HOTLINE_DEMO_PASSWORD, DEFAULT_DEMO_PASSWORD])],
    onUserChanged: (after, before) => {
      if (!telephonyAdapter) return;
      const { add, logOut } = agentChanges(after, before);
      if (logOut && telephonyAdapter.listAgents().some((a) => a.agent === logOut && a.state.state !== 'logged_out')) {
        telephonyAdapter.setAgentState(logOut, { state: 'logged_out' }).catch((e: Error) => log(`[坐席] ${logOut} 签出失败：${e.message}`));
      }
      if (add) telephonyAdapter.addAgent(add);
    },
    open311: {
      publication: { channels: config.OPEN311_PUBLIC_CHANNELS, statuses: config.OPEN311_PUBLIC_STATUSES },
      feedPerMinute: config.OPEN311_FEED_PER_MINUTE,
      submitPerMinute: config.OPEN311_SUBMIT_PER_MINUTE,
      services: () => services,
      units: () => units,
      suggestKind: (text) => deps.routing.suggest({ text }).kind,
    },
  });

  return {
    config,
    db,
    tickets,
    visits,
    telephony: telephonyAdapter,
    setDialer: ctx.setDialer,
    app,
    policy: () => policy,
    bus,
    extensions,
    close: async () => {
      for (const e of [...extensions].reverse()) await e.close?.();
      await running?.stop();
      if (!deps.db) await db.destroy();
    },
  };
}

/** Thrown when production refuses to start (the message says what to do). */
export class StartRefused extends Error {}

/**
 * The demo seeds an empty database and says loudly that it runs on demo secrets; production
 * refuses to start on them (server/security-mode.ts). Returns the probe the desk's notice reads.
 */
async function demoOrProduction(db: Knex, config: Config, log: (line: string) => void): Promise<DemoSecretsProbe> {
  const [{ n }] = await db('units').count({ n: '*' });
  const empty = Number(n) === 0;
  let seeded: string | null = null;
  if (empty && config.mode === 'demo') {
    const r = await seedCity(db, { dir: config.cityDir, password: config.HOTLINE_DEMO_PASSWORD });
    seeded = `首次启动：已载入城市配置 ${config.cityDir}（${r.units} 个单位，${r.usersCreated} 个用户，初始密码见 HOTLINE_DEMO_PASSWORD）`;
  }
  const passwords = [...new Set([config.HOTLINE_DEMO_PASSWORD, DEFAULT_DEMO_PASSWORD])];
  const probe = new DemoSecretsProbe(db, passwords, [...new Set([...demoApiKeys(), ...demoApiKeys(config.cityDir)])]);
  const secrets = await probe.read();
  const problems = productionProblems({ mode: config.mode, host: config.HOST, trustProxy: config.TRUST_PROXY, secrets, emptyDatabase: empty });
  if (problems.length) throw new StartRefused(refusalText(problems));
  if (config.mode === 'demo') {
    const inUse = secrets.passwordUsers.length ? config.HOTLINE_DEMO_PASSWORD : null;
    for (const line of demoBanner(secrets, inUse)) log(line);
  }
  if (seeded) log(seeded);
  return probe;
}

/** Listen on the configured port; resolves once the server accepts connections. */
export async function listen(h: Hotline, port = h.config.PORT, host = h.config.HOST): Promise<http.Server> {
  const server = http.createServer(h.app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  for (const e of h.extensions) await e.attach?.(server);
  return server;
}

export function describeDb(h: Hotline): string {
  return dbKind(h.db) === 'postgres' ? 'PostgreSQL' : `SQLite ${path.resolve(h.config.DATABASE_URL.replace(/^sqlite:/, ''))}`;
}
