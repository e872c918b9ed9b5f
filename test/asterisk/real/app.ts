// The app as the real-Asterisk suite runs it: the Asterisk adapter with the call log, the agent
// states and the survey ledger in a real test database (SQLite file, or PostgreSQL with
// TEST_DATABASE_URL), and in-memory hotline services that keep what the IVR asked for.
// `crash()` throws the app's state away and closes its connections the way a killed process
// does (Asterisk sees its FastAGI and AMI connections close; no agent is logged out, no call
// hung up); a new RealApp on the same database is the restarted app.
import { Knex } from 'knex';
import { AsteriskTelephony } from '../../../ivr/asterisk/adapter';
import { parseAsteriskConfig } from '../../../ivr/asterisk/config';
import { KnexAgentStateStore } from '../../../ivr/agent-store';
import { CallLog } from '../../../ivr/call-log';
import { KnexSurveyLedger } from '../../../ivr/survey-ledger';
import { CallEvent } from '../../../ivr/telephony';
import { InMemoryHotline } from '../../ivr/fake-services';
import { until } from '../harness';

export const AGENTS = ['1001', '1002', '1003', '1004'];

/** Operators with the test phones' extensions (calls.agent_user_id is looked up by extension). */
export async function seedOperators(db: Knex): Promise<Map<string, number>> {
  if (!(await db('units').where({ code: 'SG-CENTER' }).first())) await db('units').insert({ code: 'SG-CENTER', name: '寿光市社会治理服务中心', kind: 'center' });
  const ids = new Map<string, number>();
  for (const ext of AGENTS) {
    const have = await db('users').where({ extension: ext }).first('id');
    if (have) {
      ids.set(ext, Number(have.id));
      continue;
    }
    const [row] = await db('users')
      .insert({ username: `op${ext}`, display_name: `话务员${ext}`, role: 'operator', unit_code: 'SG-CENTER', password_hash: 'x', extension: ext, created_at: new Date().toISOString() })
      .returning('id');
    ids.set(ext, Number(typeof row === 'object' ? row.id : row));
  }
  return ids;
}

export class RealApp {
  readonly tel: AsteriskTelephony;
  readonly events: CallEvent[] = [];
  readonly log: CallLog;
  private detach: () => void;

  constructor(readonly db: Knex, readonly services: InMemoryHotline, env: Record<string, string>) {
    // Draft tickets are rows, as the server makes them, so the call log can link recordings and calls to them.
    const draft = services.createDraftTicket.bind(services);
    services.createDraftTicket = async (req) => {
      const made = await draft(req);
      const at = new Date().toISOString();
      const [row] = await db('tickets')
        .insert({ number: `D${Date.now()}${made.ticketId}`.slice(0, 20), channel: 'hotline', kind: 'complaint', status: 'draft', content: '语音留言', urgency: 'general', accepted_at: at, updated_at: at })
        .returning('id');
      const ticketId = Number(typeof row === 'object' ? row.id : row);
      const d = services.drafts[services.drafts.length - 1];
      d.ticketId = ticketId;
      return { ticketId, ticketNumber: made.ticketNumber };
    };
    const config = parseAsteriskConfig({ ...process.env, ...env });
    this.tel = new AsteriskTelephony({
      config, services, agents: AGENTS, store: new KnexAgentStateStore(db), surveys: new KnexSurveyLedger(db),
      backoff: { initialMs: 200, maxMs: 2000 }, reconcileEveryMs: 5000,
    });
    this.log = new CallLog(db, { switchKind: 'asterisk', onError: (err, e) => console.error(`call log ${e.type}: ${err.message}`) });
    this.detach = this.log.attach(this.tel);
    this.tel.onEvent((e) => this.events.push(e));
  }

  async start(): Promise<void> {
    await this.tel.start();
    await until(() => this.tel.status().connected, 15000, 'AMI login');
  }

  async waitFor<T extends CallEvent['type']>(type: T, pred: (e: Extract<CallEvent, { type: T }>) => boolean = () => true, ms = 60000): Promise<Extract<CallEvent, { type: T }>> {
    let found: CallEvent | undefined;
    try {
      await until(() => !!(found = this.events.find((e) => e.type === type && pred(e as never))), ms, type);
    } catch (err) {
      throw new Error(`${(err as Error).message}; events so far: ${this.events.map((e) => `${e.type}${'agent' in e ? `(${e.agent})` : ''}`).join(', ')}`);
    }
    return found as never;
  }

  /** Every agent logged out (their queue membership removed), the app stopped, the log written. */
  async stop(): Promise<void> {
    for (const a of AGENTS) await this.tel.setAgentState(a, { state: 'logged_out' }).catch(() => undefined);
    await this.crash();
  }

  /** As a killed app: connections closed, state thrown away; nothing said to the switch. */
  async crash(): Promise<void> {
    await this.tel.stop();
    this.detach();
    await this.log.flush();
  }
}
