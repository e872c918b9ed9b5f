// The modules that plug into the hotline at start-up (the desk, telephony, speech, the
// scheduler …). Each gets the shared context and returns what to mount. Adding a module
// is one line in EXTENSIONS; nothing else in the start-up changes.
import http from 'node:http';
import express from 'express';
import { Knex } from 'knex';
import { Config } from './config';
import { TicketService } from './services/tickets';
import type { VisitService, SurveyDialer } from './services/visits';
import type { NoticeService } from './services/notices';
import { EventBus } from './events';
import { UnitInfo } from '../workflow/lifecycle';
import { ClockPolicy } from '../workflow/clocks';
import type { RoutingPort } from './hotline';
import type { Telephony } from '../ivr/telephony';
import type { DemoFlag } from './security-mode';

export interface HotlineContext {
  config: Config;
  db: Knex;
  tickets: TicketService;
  visits: VisitService;
  /** 督办通知单 (numbered documents of the 督办 / 升级 transitions). */
  notices: NoticeService;
  /** The telephony side hands its return-visit dialer here once it runs (null: it stopped). */
  setDialer(dialer: SurveyDialer | null): void;
  bus: EventBus;
  routing: RoutingPort;
  /** The switch, when one is configured; its call events are also published on the bus as 'call'. */
  telephony: Telephony | null;
  /** The clock policy in force (working calendar included); it changes when an admin loads a year's schedule. */
  policy(): ClockPolicy;
  /** Reload the working calendar if another server loaded a schedule. */
  refreshCalendar(): Promise<void>;
  units: () => Map<string, UnitInfo>;
  now: () => Date;
  log: (line: string) => void;
  /** Whether the hotline runs on demo secrets, and the notice every desk page shows then (server/security-mode.ts). */
  demo: () => Promise<DemoFlag>;
}

export interface Extension {
  name: string;
  /** Routers mounted under /api, after the session middleware (req.user is set when logged in). */
  apiRouters?: express.Router[];
  /** Routers mounted at the site root, before /api (static pages and the like). */
  rootRouters?: express.Router[];
  /** Called once the HTTP server listens (e.g. to accept WebSocket upgrades). */
  attach?(server: http.Server): void | Promise<void>;
  close?(): Promise<void>;
}

export type ExtensionFactory = (ctx: HotlineContext) => Extension | Promise<Extension>;

import { scheduler } from './scheduler';
import { speech } from './speech';

import { desk } from '../agent-desk/extension';

export const EXTENSIONS: ExtensionFactory[] = [scheduler, speech, desk];
