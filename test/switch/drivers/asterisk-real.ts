// The scenarios against a real Asterisk with asterisk-conf/ installed by `install.sh --test` (see
// its README). Citizens, operators' phones and survey callees are sipp processes on loopback:
// citizens call from 127.0.0.2 (the test "carrier"), phones register 1001–1004 from 127.0.0.1,
// survey callees answer on 127.0.0.1 behind `PJSIP/carrier/sip:{phone}@127.0.0.1:<port>`. The keys
// a person presses are put on their channel with AMI `PlayDTMF … Receive: true` (as if they came
// from the phone) when the flow starts collecting digits — the app's FastAGI `STREAM FILE` with
// escape digits or `GET DATA` (AGIExecStart), the survey dialplan's `Read` (Newexten) — seen through
// the driver's own AMI account `hotline-test` (install.sh --test).
//   ASTERISK_AMI=127.0.0.1:5038:hotline:<secret>   the app's account (the driver logs in as hotline-test with the same secret)
//   ASTERISK_TEST_SIP (127.0.0.1:5160)             the test transport of pjsip_hotline_test.conf
//   HOTLINE_NUMBER (12345), IVR_PROMPTS_DIR, IVR_RECORDINGS_DIR as install.sh was given them
//   ASTERISK_RECORDINGS_LOCAL                      the recordings folder as this host sees it (default IVR_RECORDINGS_DIR)
import { AsteriskTelephony } from '../../../ivr/asterisk/adapter';
import { AmiConnection, AmiMessage, field } from '../../../ivr/asterisk/ami';
import { parseAsteriskConfig } from '../../../ivr/asterisk/config';
import { Telephony } from '../../../ivr/telephony';
import { AgentPhone, AppParts, CalleeBehaviour, CallerPlan, Capability, CitizenCall, PhoneBehaviour, SwitchDriver } from '../driver';
import { Sipp, callerXml, calleesXml, callersCsv, freshPort, listening, runSipp, silenceAlaw, sippPhone } from './sipp';

const EVENTS = ['Newchannel', 'Hangup', 'AGIExecStart', 'Newexten', 'QueueCallerJoin', 'AgentConnect', 'FullyBooted', 'Shutdown'] as const;

export class AsteriskRealDriver implements SwitchDriver {
  readonly name: string;
  /** Short, so that the overflow scenarios do not take two minutes each. */
  readonly queueMaxWaitS = Number(process.env.IVR_QUEUE_MAX_WAIT_S ?? 20);
  private probe: AmiConnection | null = null;
  private readonly ami = parseAsteriskConfig(process.env).ami;
  private readonly sip = process.env.ASTERISK_TEST_SIP ?? '127.0.0.1:5160';
  private readonly hotline = process.env.HOTLINE_NUMBER ?? '12345';
  private calleesPort = 0;
  private sipps = new Set<Sipp>();
  /** Keys still to press, by uniqueid. */
  private keys = new Map<string, string[]>();
  /** Keys for calls not yet seen, by caller number (inbound) or callee number (survey). */
  private keysByNumber = new Map<string, string[]>();
  /** Channel names by uniqueid. */
  private channels = new Map<string, string>();
  /** Calls whose intro was let play out with nothing keyed: the GET DATA after it is the same question. */
  private skipGetData = new Set<string>();
  private listeners = new Set<(e: AmiMessage) => void>();
  private calleeSeq = 0;
  /** Keys of survey callees not yet called, in order; survey legs seen. */
  private surveyKeys: string[][] = [];
  private surveyLegs = new Set<string>();
  /** What ran on each call: dialplan applications (Newexten) and the app's AGI commands (AGIExecStart, as app `AGI`). */
  private executed = new Map<string, { app: string; arg: string }[]>();
  /** The app's adapter last made (dropControl cuts its AMI connection). */
  private last: AsteriskTelephony | null = null;

  constructor() {
    this.name = `Asterisk at ${this.ami.host}:${this.ami.port}`;
  }

  cannot(c: Capability): string | null {
    if (c === 'recording_files' && !process.env.IVR_RECORDINGS_DIR) return 'IVR_RECORDINGS_DIR is not set';
    return null;
  }

  async setUp(): Promise<void> {
    this.probe = new AmiConnection({
      host: this.ami.host, port: this.ami.port, username: process.env.ASTERISK_TEST_AMI_USER ?? 'hotline-test', secret: this.ami.secret,
      events: EVENTS, backoff: { initialMs: 200, maxMs: 1000 }, pingEveryMs: 0,
    });
    const up = new Promise<void>((resolve, reject) => {
      this.probe!.once('up', () => resolve());
      this.probe!.once('login_failed', (m: string) => reject(new Error(`the driver's AMI account hotline-test: ${m} (install.sh --test makes it)`)));
    });
    this.probe.on('event', (e: AmiMessage) => this.onEvent(e));
    this.probe.start();
    await up;
    this.calleesPort = freshPort();
    const callees = runSipp(calleesXml(silenceAlaw()), ['-aa'], this.calleesPort);
    this.sipps.add(callees);
    await listening(callees);
  }

  /** Between scenarios: every call still on the switch is hung up, and no member is left in the queue. */
  async reset(): Promise<void> {
    await this.command('channel request hangup all');
    const deadline = Date.now() + 15000;
    for (;;) {
      const n = (await this.probe!.list({ action: 'CoreShowChannels' })).filter((r) => field(r, 'event') === 'CoreShowChannel').length;
      if (n === 0) break;
      if (Date.now() > deadline) throw new Error(`${n} channels still up on Asterisk after hangup all`);
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const m of await this.probe!.list({ action: 'QueueStatus', queue: 'hotline' })) {
      if (field(m, 'event') === 'QueueMember') await this.probe!.action({ action: 'QueueRemove', queue: 'hotline', interface: field(m, 'location') }).catch(() => undefined);
    }
    // What the dialplan handed over and no app took (a scenario that ended mid-way) is not the next one's.
    for (const family of ['hotline_message', 'hotline_survey', 'hotline_callback']) await this.probe!.action({ action: 'DBDelTree', family }).catch(() => undefined);
    this.keys.clear();
    this.skipGetData.clear();
    this.surveyKeys = [];
    this.surveyLegs.clear();
    this.executed.clear();
  }

  async tearDown(): Promise<void> {
    for (const s of [...this.sipps]) await s.stop();
    this.sipps.clear();
    this.probe?.stop();
  }

  private async command(cmd: string): Promise<void> {
    await this.probe!.action({ action: 'Command', command: cmd }, 15000).catch(() => undefined);
  }

  private onEvent(e: AmiMessage): void {
    for (const l of [...this.listeners]) l(e);
    const name = field(e, 'event');
    const id = field(e, 'uniqueid');
    if ((name === 'Newexten' || name === 'AGIExecStart') && id) {
      const run = this.executed.get(id) ?? [];
      run.push(name === 'Newexten' ? { app: field(e, 'application'), arg: field(e, 'appdata') } : { app: 'AGI', arg: field(e, 'command') });
      this.executed.set(id, run);
    }
    if (name === 'Newchannel' && id) {
      this.channels.set(id, field(e, 'channel'));
      // A citizen: the carrier's leg into the hotline.
      const number = field(e, 'calleridnum');
      const k = this.keysByNumber.get(number);
      if (k && field(e, 'context') === 'hotline-inbound') {
        this.keysByNumber.delete(number);
        this.keys.set(id, k);
      }
    }
    if (name === 'AGIExecStart' && id) {
      const cmd = field(e, 'command');
      if (/^GET DATA /.test(cmd)) {
        if (this.skipGetData.delete(id)) return;
        this.press(id);
      } else if (/^STREAM FILE \S+ "[^"]+"/.test(cmd)) {
        // The greeting, stopped by a menu key: nothing planned here means the caller waits the menu out.
        if (this.press(id) === '') this.skipGetData.add(id);
      }
    }
    if (name === 'Newexten' && id && field(e, 'context') === 'hotline-survey') {
      if (!this.keys.has(id) && !this.surveyLegs.has(id) && this.surveyKeys.length) this.keys.set(id, this.surveyKeys.shift()!);
      this.surveyLegs.add(id);
      if (field(e, 'application') === 'Read') this.press(id);
    }
    if (name === 'Hangup' && id) {
      this.keys.delete(id);
      this.skipGetData.delete(id);
      this.channels.delete(id);
    }
  }

  /** Keys the next digits planned for a call a moment after the prompt starts; returns them (null: nothing planned). */
  private press(id: string): string | null {
    const k = this.keys.get(id);
    if (!k || k.length === 0) return null;
    const digits = k.shift()!;
    const channel = this.channels.get(id);
    if (digits && channel) {
      void (async () => {
        await new Promise((r) => setTimeout(r, 500));
        for (const d of digits) {
          await this.probe!.action({ action: 'PlayDTMF', channel, digit: d, duration: '120', receive: 'true' }).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 150));
        }
      })();
    }
    return digits;
  }

  /** The first event (from now on) that matches. */
  private next(pred: (e: AmiMessage) => boolean, ms = 60000): Promise<AmiMessage> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.listeners.delete(l);
        reject(new Error('timed out waiting for an Asterisk event'));
      }, ms);
      const l = (e: AmiMessage) => {
        if (!pred(e)) return;
        clearTimeout(t);
        this.listeners.delete(l);
        resolve(e);
      };
      this.listeners.add(l);
    });
  }

  adapter(p: AppParts): Telephony {
    const config = parseAsteriskConfig({
      SURVEY_DIAL: `PJSIP/carrier/sip:{phone}@127.0.0.1:${this.calleesPort}`, SURVEY_PACING_MS: '0', SURVEY_ORIGINATE_TIMEOUT_S: '10',
      ...process.env, IVR_QUEUE_MAX_WAIT_S: String(this.queueMaxWaitS), IVR_WORKING_HOURS: p.workingHours,
    });
    this.last = new AsteriskTelephony({
      config, services: p.services, agents: p.agents, store: p.store, surveys: p.surveys, wrapUpMs: p.wrapUpS * 1000,
      openCalls: p.openCalls, backoff: { initialMs: 200, maxMs: 2000 }, reconcileEveryMs: 5000,
    });
    return this.last;
  }

  appsRun(callId: string): { app: string; arg: string }[] {
    return this.executed.get(callId) ?? [];
  }

  async crash(t: Telephony): Promise<void> {
    await (t as AsteriskTelephony).crashForTests();
  }

  async phone(extension: string, b: PhoneBehaviour): Promise<AgentPhone> {
    return sippPhone(extension, `test-phone-${extension}`, this.sip, b, this.sipps);
  }

  async call(plan: CallerPlan): Promise<CitizenCall> {
    this.keysByNumber.set(plan.caller, [...(plan.keys ?? [])]);
    const created = this.next((e) => field(e, 'event') === 'Newchannel' && field(e, 'context') === 'hotline-inbound' && field(e, 'calleridnum') === plan.caller);
    const uac = runSipp(callerXml(this.hotline, this.sip, silenceAlaw()), [this.sip, '-m', '1', '-inf', callersCsv([plan.caller]), '-timeout', '900s', '-timeout_error'], freshPort(), '127.0.0.2');
    this.sipps.add(uac);
    const first = await created;
    const id = field(first, 'uniqueid');
    const channel = field(first, 'channel');
    const ended = this.next((e) => field(e, 'event') === 'Hangup' && field(e, 'uniqueid') === id, 600000);
    // The citizen's own hang-up is the switch ending their leg (sipp then gets the BYE).
    const hangUp = async () => {
      await this.probe!.action({ action: 'Hangup', channel, cause: '16' }).catch(() => undefined);
    };
    if (plan.hangUpInQueue) {
      const after = plan.hangUpInQueue.afterMs;
      void this.next((e) => field(e, 'event') === 'QueueCallerJoin' && field(e, 'uniqueid') === id)
        .then(() => new Promise((r) => setTimeout(r, after))).then(hangUp).catch(() => undefined);
    }
    if (plan.talkMs !== undefined) {
      const talk = plan.talkMs;
      void this.next((e) => field(e, 'event') === 'AgentConnect' && field(e, 'uniqueid') === id)
        .then(() => new Promise((r) => setTimeout(r, talk))).then(hangUp).catch(() => undefined);
    }
    return {
      callId: async () => id,
      hangUp,
      done: async () => {
        await ended;
        await uac.exited;
        this.sipps.delete(uac);
      },
    };
  }

  async callee(b: CalleeBehaviour): Promise<string> {
    const prefix = b.kind === 'busy' ? '0302' : b.kind === 'no_answer' ? '0303' : '0301';
    const number = `${prefix}${String(Date.now() % 100000).padStart(5, '0')}${String(++this.calleeSeq).padStart(2, '0')}`;
    // The survey leg is the app's Originate: its keys go to the next leg the survey dialplan runs
    // (the scenarios place one survey at a time).
    if (b.kind === 'answer') this.surveyKeys.push([...b.keys]);
    return number;
  }

  async restartSwitch(): Promise<void> {
    const down = new Promise<void>((r) => this.probe!.once('down', () => r()));
    await this.command('core restart now');
    await down;
    const deadline = Date.now() + 120000;
    while (!this.probe!.connected) {
      if (Date.now() > deadline) throw new Error('Asterisk did not come back within 120 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await this.command('core waitfullybooted');
  }

  async dropControl(): Promise<void> {
    // Asterisk has no action that ends another AMI session: the app's TCP connection dies under
    // it instead, as a network fault would.
    const m = (this.last!.ami as unknown as { m: { disconnect(): void } | null }).m;
    if (!m) throw new Error('the app has no AMI connection to drop');
    m.disconnect();
  }

  recordingFile(path: string): string | null {
    const local = process.env.ASTERISK_RECORDINGS_LOCAL;
    const remote = process.env.IVR_RECORDINGS_DIR;
    if (local && remote && path.startsWith(remote)) return local + path.slice(remote.length);
    return path;
  }
}
