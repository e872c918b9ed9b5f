// The scenarios against the ESL test server (test/esl/server.ts): FreeSWITCH as the recorded
// sessions show it, in `npm test`.
import net from 'node:net';
import { parseIvrConfig } from '../../../ivr/config';
import { FreeSwitchTelephony } from '../../../ivr/freeswitch/adapter';
import { Telephony } from '../../../ivr/telephony';
import { CalleeBehaviour, CallerPlan, Capability, AppParts, SwitchDriver, PhoneBehaviour, AgentPhone, CitizenCall } from '../driver';
import { EslTestServer, SimChannel } from '../../esl/server';

const PASSWORD = 'scenario-secret';
const QUEUE_MAX_WAIT_MS = 1500;
/** The directories and queue of the app's configuration below, which the "dialplan" uses too. */
const DIALPLAN = { recordingsDir: '/var/lib/freeswitch/recordings/hotline', promptsDir: '/usr/share/freeswitch/sounds/hotline', queue: 'hotline' };

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export class FreeSwitchSimDriver implements SwitchDriver {
  readonly name = 'FreeSWITCH (ESL test server)';
  readonly queueMaxWaitS = QUEUE_MAX_WAIT_MS / 1000;
  fs = new EslTestServer({ password: PASSWORD, queueMaxWaitMs: QUEUE_MAX_WAIT_MS, callees: {}, dialplan: DIALPLAN });
  /** Where the app's IVR listener is: fixed, so a restarted app is where the "dialplan" points. */
  private ivrPort = 0;
  private eslPort = 0;
  private calleeSeq = 0;

  cannot(_c: Capability): string | null {
    return null;
  }

  async setUp(): Promise<void> {
    this.eslPort = await this.fs.listen();
    this.ivrPort = await freePort();
  }

  /** Between scenarios: no call left, and mod_callcenter's agents gone (the next app adds its own, with no pause left over). */
  async reset(): Promise<void> {
    for (const ch of [...this.fs.channels.values()]) ch.hangup('NORMAL_CLEARING');
    this.fs.callcenter.agents.clear();
    this.fs.db.clear();
    this.fs.callcenter.tiers.splice(0);
  }

  async tearDown(): Promise<void> {
    await this.fs.close();
  }

  adapter(p: AppParts): Telephony {
    const config = parseIvrConfig({
      FREESWITCH_ESL: `127.0.0.1:${this.eslPort}:${PASSWORD}`, IVR_LISTEN: `127.0.0.1:${this.ivrPort}`,
      IVR_RECORDINGS_DIR: DIALPLAN.recordingsDir, IVR_PROMPTS_DIR: DIALPLAN.promptsDir,
      IVR_WORKING_HOURS: p.workingHours, IVR_QUEUE_MAX_WAIT_S: String(Math.max(10, this.queueMaxWaitS)), IVR_QUEUE_ANNOUNCE_S: '0',
      SURVEY_DIAL: 'sofia/external/{phone}@127.0.0.1:5070', SURVEY_PACING_MS: '0',
    });
    return new FreeSwitchTelephony({
      config, services: p.services, agents: p.agents, store: p.store, surveys: p.surveys, wrapUpMs: p.wrapUpS * 1000, openCalls: p.openCalls,
      backoff: { initialMs: 20, maxMs: 200 }, reconcileEveryMs: 500,
    });
  }

  async crash(t: Telephony): Promise<void> {
    const fst = t as FreeSwitchTelephony;
    // Like kill -9: every socket of the app is gone at once, nothing is said or flushed.
    await fst.crashForTests();
  }

  async phone(extension: string, b: PhoneBehaviour): Promise<AgentPhone> {
    const fs = this.fs;
    fs.callcenter.phones.set(extension, b.kind === 'answer' ? { kind: 'answer', talkMs: b.talkMs } : b.kind === 'reject' ? { kind: 'reject' } : { kind: 'no_answer', ringMs: 100 });
    fs.dispatch({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'sofia::register', 'profile-name': 'internal', 'from-user': extension });
    return {
      extension,
      async unregister() {
        fs.callcenter.phones.set(extension, { kind: 'unregistered' });
        fs.dispatch({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'sofia::unregister', 'profile-name': 'internal', 'from-user': extension, expires: '0' });
      },
      async close() {
        fs.callcenter.phones.delete(extension);
      },
    };
  }

  async call(plan: CallerPlan): Promise<CitizenCall> {
    const ch: SimChannel = this.fs.placeCall({
      caller: plan.caller, app: { host: '127.0.0.1', port: this.ivrPort },
      script: { inputs: plan.keys ?? [], talkMs: plan.talkMs },
    });
    if (plan.hangUpInQueue) {
      const after = plan.hangUpInQueue.afterMs;
      const timer = setInterval(() => {
        if (this.fs.callcenter.waiting.some((m) => m.ch === ch)) {
          clearInterval(timer);
          setTimeout(() => ch.hangup('NORMAL_CLEARING'), after);
        } else if (!ch.up) clearInterval(timer);
      }, 10);
    }
    return {
      callId: async () => ch.uuid,
      hangUp: async () => ch.hangup('NORMAL_CLEARING'),
      done: () => new Promise<void>((r) => {
        if (!ch.up) return r();
        const t = setInterval(() => {
          if (!ch.up) {
            clearInterval(t);
            r();
          }
        }, 10);
      }),
    };
  }

  async callee(b: CalleeBehaviour): Promise<string> {
    const number = `03012${String(++this.calleeSeq).padStart(5, '0')}`;
    this.fs.options.callees![number] = b.kind === 'answer' ? { kind: 'answer', caller: { inputs: b.keys } } : b.kind === 'busy' ? { kind: 'busy' } : { kind: 'no_answer', afterMs: 200 };
    return number;
  }

  async restartSwitch(): Promise<void> {
    await this.fs.shutdown();
    const next = new EslTestServer({ password: PASSWORD, queueMaxWaitMs: QUEUE_MAX_WAIT_MS, callees: this.fs.options.callees, dialplan: DIALPLAN });
    await next.listen(this.eslPort);
    this.fs = next;
  }

  async dropControl(): Promise<void> {
    for (const c of this.fs.connections) if (c.mode === 'inbound') c.socket.destroy();
  }

  appsRun(callId: string): { app: string; arg: string }[] {
    return this.fs.executed.filter((x) => x.uuid === callId);
  }

  recordingFile(): string | null {
    return null;
  }
}
