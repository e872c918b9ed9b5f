// The app under test in the switch scenarios: the driver's adapter, the real call log on a real
// database, the agent-state store and the survey ledger on it, in-memory hotline services.
import { Knex } from 'knex';
import { KnexAgentStateStore } from '../../ivr/agent-store';
import { CallLog } from '../../ivr/call-log';
import { KnexSurveyLedger } from '../../ivr/survey-ledger';
import { CallEvent, Telephony } from '../../ivr/telephony';
import { WorkingCalendar } from '../../workflow/calendar';
import { InMemoryHotline } from '../ivr/fake-services';
import { SwitchDriver } from './driver';

/** Every day a working day, or none: whether the hotline is "in hours" is the scenario's choice. */
export class ScenarioHotline extends InMemoryHotline {
  /** Where draft tickets are written (calls.ticket_id refers to them); set by startApp. */
  db: Knex | null = null;
  constructor(private inHours: boolean) {
    super(new WorkingCalendar());
  }
  override isWorkingDay(): boolean {
    return this.inHours;
  }
  override async createDraftTicket(req: Parameters<InMemoryHotline['createDraftTicket']>[0]) {
    const r = await super.createDraftTicket(req);
    const at = new Date().toISOString();
    const id = 900000 + r.ticketId;
    await this.db!('tickets').insert({ id, number: `9${r.ticketNumber}`, channel: 'hotline', kind: 'complaint', status: 'draft', content: '语音留言', urgency: 'general', accepted_at: at, updated_at: at, call_id: req.callId });
    await this.db!('calls').where({ id: req.callId }).whereNull('ticket_id').update({ ticket_id: id });
    const d = this.drafts[this.drafts.length - 1];
    d.ticketId = id;
    return { ticketId: id, ticketNumber: r.ticketNumber };
  }
}

export interface App {
  tel: Telephony;
  services: ScenarioHotline;
  events: CallEvent[];
  db: Knex;
  log: CallLog;
  /** The first event (seen so far or to come) that matches. */
  waitFor<T extends CallEvent['type']>(type: T, pred?: (e: Extract<CallEvent, { type: T }>) => boolean, ms?: number): Promise<Extract<CallEvent, { type: T }>>;
  /** The `calls` row of a call, once the call log has written what it heard. */
  row(callId: string): Promise<Record<string, any> | undefined>;
  recordings(callId: string): Promise<Record<string, any>[]>;
  stop(): Promise<void>;
}

export interface AppOptions {
  agents?: string[];
  inHours?: boolean;
  wrapUpS?: number;
  /** Services kept from an app that crashed (the database keeps the rest). */
  services?: ScenarioHotline;
}

export async function startApp(d: SwitchDriver, db: Knex, o: AppOptions = {}): Promise<App> {
  const services = o.services ?? new ScenarioHotline(o.inHours ?? true);
  services.db = db;
  let log: CallLog | null = null;
  const tel = d.adapter({
    openCalls: async () => (log ? log.openCallIds() : []),
    services, agents: o.agents ?? ['1001', '1002'], store: new KnexAgentStateStore(db), surveys: new KnexSurveyLedger(db),
    workingHours: '00:00-23:59', wrapUpS: o.wrapUpS ?? 2,
  });
  log = new CallLog(db, { switchKind: tel.kind, onError: (err, e) => console.error(`    [call log] ${e.type}: ${err.message}`) });
  log.attach(tel);
  const events: CallEvent[] = [];
  tel.onEvent((e) => events.push(e));
  await tel.start();
  const app: App = {
    tel, services, events, db, log,
    async waitFor(type, pred = () => true, ms = 10000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = events.find((e) => e.type === type && pred(e as never));
        if (found) return found as never;
        if (Date.now() > deadline) throw new Error(`no ${type} within ${ms} ms; got ${events.map((e) => e.type).join(', ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async row(callId) {
      await log!.flush();
      return db('calls').where({ id: callId }).first();
    },
    async recordings(callId) {
      await log!.flush();
      return db('recordings').where({ call_id: callId }).orderBy('id');
    },
    async stop() {
      await tel.stop();
      await log!.flush();
    },
  };
  await app.waitFor('telephony_up', () => true, 15000);
  return app;
}

/** Polls until `cond` holds. */
export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out (${ms} ms) waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
