// The scenarios against a real FreeSWITCH with freeswitch-conf/ installed (see its README).
// Citizens and operators' phones are sipp processes on loopback; the keys a caller presses are
// put on their channel with `uuid_recv_dtmf` when the flow starts collecting digits (as if they
// came from the phone), seen through an Event Socket connection of the driver's own.
//   FREESWITCH_ESL=127.0.0.1:8021:<password>   the switch
//   HOTLINE_SIP_SECRET                          the secret install.sh generated the phones from
//   FREESWITCH_SIP (127.0.0.1:5080)             where the carrier's calls come in (profile external, context public)
//   FREESWITCH_PHONES (127.0.0.1:5060)          where the operators' phones register (profile internal)
//   HOTLINE_NUMBER (12345), IVR_LISTEN, IVR_PROMPTS_DIR, IVR_RECORDINGS_DIR as for the app
//   SURVEY_CALLEES_PORT (5070)                  where the survey callees answer
import { parseAgentList } from '../../../ivr/agent-state';
import { parseIvrConfig } from '../../../ivr/config';
import { sipPassword } from '../../../ivr/freeswitch/directory';
import { AGENT_RING_S, FreeSwitchTelephony } from '../../../ivr/freeswitch/adapter';
import { EslInbound } from '../../../ivr/freeswitch/inbound';
import { Telephony } from '../../../ivr/telephony';
import { AgentPhone, AppParts, CalleeBehaviour, CallerPlan, Capability, CitizenCall, PhoneBehaviour, SwitchDriver } from '../driver';
import { Sipp, callerXml, calleesXml, callersCsv, listening, runSipp, sippPhone } from './sipp';

type H = Record<string, string>;

export class FreeSwitchRealDriver implements SwitchDriver {
  readonly name: string;
  readonly queueMaxWaitS = Number(process.env.IVR_QUEUE_MAX_WAIT_S ?? 120);
  private probe: EslInbound | null = null;
  private readonly esl = parseIvrConfig(process.env).esl;
  private readonly sip = process.env.FREESWITCH_SIP ?? '127.0.0.1:5080';
  private readonly phonesAt = process.env.FREESWITCH_PHONES ?? '127.0.0.1:5060';
  private readonly hotline = process.env.HOTLINE_NUMBER ?? '12345';
  private readonly calleesPort = Number(process.env.SURVEY_CALLEES_PORT ?? 5070);
  private callees: Sipp | null = null;
  private sipps = new Set<Sipp>();
  /** Keys still to press, by channel uuid (inbound callers and survey legs). */
  private keys = new Map<string, string[]>();
  /** Keys for calls not yet seen, by caller number (inbound) or callee number (survey). */
  private keysByNumber = new Map<string, string[]>();
  private listeners = new Set<(h: H) => void>();
  /** Channels whose next keys wait for the end of this "invalid" prompt (a retry of play_and_get_digits). */
  private retryAfter = new Map<string, string>();
  private calleeSeq = 0;

  constructor() {
    this.name = `FreeSWITCH at ${process.env.FREESWITCH_ESL?.split(':').slice(0, 2).join(':')}`;
  }

  cannot(c: Capability): string | null {
    if (c === 'recording_files' && process.env.IVR_LOCAL_RECORDINGS_DIR === undefined && !process.env.IVR_RECORDINGS_DIR) return 'IVR_RECORDINGS_DIR is not set';
    return null;
  }

  async setUp(): Promise<void> {
    if (!process.env.HOTLINE_SIP_SECRET) throw new Error('HOTLINE_SIP_SECRET must be the one install.sh generated the phones from');
    this.probe = new EslInbound({ host: this.esl.host, port: this.esl.port, password: this.esl.password, backoff: { initialMs: 200, maxMs: 1000 }, extraEvents: ['CHANNEL_EXECUTE', 'PLAYBACK_STOP'] });
    const up = new Promise<void>((r) => this.probe!.once('up', () => r()));
    this.probe.on('event', (h: H) => this.onEvent(h));
    this.probe.start();
    await up;
    await this.checkQueueWait();
    this.callees = runSipp(calleesXml(), ['-aa'], this.calleesPort);
    this.sipps.add(this.callees);
    await listening(this.callees);
  }

  /**
   * The queue's max wait on the switch must be what the suite was told (IVR_QUEUE_MAX_WAIT_S), and
   * longer than an operator's phone rings (AGENT_RING_S) plus the next offer: mod_callcenter does
   * not time a caller out while an operator's phone rings, but does at its next look once the ring
   * ends, racing the offer to the next operator. With both at 20 s (seen on a real 1.10.12) the caller
   * whose first operator let it ring out was timed out to the message / call-back offer in the same
   * millisecond, and "the next operator gets it" failed.
   */
  private async checkQueueWait(): Promise<void> {
    const [head, ...rows] = (await this.api('callcenter_config queue list')).split('\n').filter((l) => l && l !== '+OK');
    const cols = (head ?? '').split('|');
    const queue = rows.map((r) => Object.fromEntries(r.split('|').map((v, i) => [cols[i], v]))).find((q) => q.name === 'hotline');
    if (!queue) throw new Error('the switch has no queue "hotline": is freeswitch-conf installed?');
    const onSwitch = Number(queue.max_wait_time);
    if (onSwitch !== this.queueMaxWaitS) {
      throw new Error(`the queue's max-wait-time on the switch is ${onSwitch} s, IVR_QUEUE_MAX_WAIT_S says ${this.queueMaxWaitS} s: set them alike`);
    }
    if (onSwitch < AGENT_RING_S + 10) {
      throw new Error(`the queue's max-wait-time (${onSwitch} s) must be at least ${AGENT_RING_S + 10} s: an operator's phone rings ${AGENT_RING_S} s before the caller goes to the next one`);
    }
  }

  /**
   * Between scenarios: every call still on the switch is hung up, so that none is adopted by the next
   * scenario's app, and mod_callcenter's agents are deleted (the next app adds its own), so that no
   * pause after a declined offer carries over.
   */
  async reset(): Promise<void> {
    await this.api('hupall NORMAL_CLEARING');
    this.executed.clear();
    for (const name of parseAgentList(await this.api('callcenter_config queue list agents hotline')).keys()) {
      await this.api(`callcenter_config tier del hotline ${name}`);
      await this.api(`callcenter_config agent del ${name}`);
    }
    const deadline = Date.now() + 15000;
    for (;;) {
      const n = (JSON.parse(await this.api('show channels as json')) as { row_count?: number }).row_count ?? 0;
      if (n === 0) break;
      if (Date.now() > deadline) throw new Error(`${n} channels still up on the switch after hupall`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // What the dialplan left for the app (hotline_resume.xml) belongs to this scenario only.
    for (const realm of ['hotline_message', 'hotline_fallback']) {
      for (const key of (await this.api(`db list/${realm}`)).trim().split(',').filter(Boolean)) await this.api(`db delete/${realm}/${key}`);
    }
  }

  async tearDown(): Promise<void> {
    for (const s of [...this.sipps]) await s.stop();
    this.sipps.clear();
    this.probe?.stop();
  }

  private async api(cmd: string): Promise<string> {
    return this.probe!.api(cmd);
  }

  /** The dialplan applications seen run, by channel (CHANNEL_EXECUTE). */
  private executed = new Map<string, { app: string; arg: string }[]>();

  appsRun(callId: string): { app: string; arg: string }[] {
    return this.executed.get(callId) ?? [];
  }

  private onEvent(h: H): void {
    for (const l of this.listeners) l(h);
    const id = h['Unique-ID'];
    if (h['Event-Name'] === 'CHANNEL_EXECUTE' && id) {
      if (!this.executed.has(id)) this.executed.set(id, []);
      this.executed.get(id)!.push({ app: h.Application ?? '', arg: h['Application-Data'] ?? '' });
    }
    if (h['Event-Name'] === 'CHANNEL_CREATE' && id) {
      const number = h['Call-Direction'] === 'inbound' ? h['Caller-Caller-ID-Number'] : h['Caller-Destination-Number'];
      const k = this.keysByNumber.get(number);
      if (k) {
        this.keysByNumber.delete(number);
        this.keys.set(id, k);
      }
    }
    if (h['Event-Name'] === 'CHANNEL_EXECUTE' && h.Application === 'play_and_get_digits' && id) {
      // <min> <max> <tries> <timeout> <terminators> <prompt> <invalid prompt> <variable> <regexp> …
      const [, , tries, , , , invalid, , pattern] = (h['Application-Data'] ?? '').split(' ');
      const digits = this.press(id);
      // A wrong key with tries left: the next keys go when the "invalid" prompt has been played.
      if (digits && Number(tries) > 1 && pattern && !new RegExp(pattern).test(digits)) this.retryAfter.set(id, invalid);
    }
    if (h['Event-Name'] === 'PLAYBACK_STOP' && id && this.retryAfter.get(id) === h['Playback-File-Path']) {
      this.retryAfter.delete(id);
      this.press(id);
    }
    if (h['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && id) {
      this.keys.delete(id);
      this.retryAfter.delete(id);
    }
  }

  /** Keys the next digits planned for a channel, a moment after the prompt starts (as a caller who knows the menu presses at once). */
  private press(id: string): string | null {
    const k = this.keys.get(id);
    if (!k || k.length === 0) return null;
    const digits = k.shift()!;
    if (digits) setTimeout(() => void this.api(`uuid_recv_dtmf ${id} ${digits}`).catch(() => undefined), 400);
    return digits;
  }

  /** The first event (from now on) that matches. */
  private next(pred: (h: H) => boolean, ms = 60000): Promise<H> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.listeners.delete(l);
        reject(new Error('timed out waiting for a FreeSWITCH event'));
      }, ms);
      const l = (h: H) => {
        if (!pred(h)) return;
        clearTimeout(t);
        this.listeners.delete(l);
        resolve(h);
      };
      this.listeners.add(l);
    });
  }

  adapter(p: AppParts): Telephony {
    const config = parseIvrConfig({
      SURVEY_DIAL: `sofia/external/{phone}@127.0.0.1:${this.calleesPort}`, SURVEY_PACING_MS: '0', IVR_QUEUE_ANNOUNCE_S: '0',
      ...process.env, IVR_WORKING_HOURS: p.workingHours,
    });
    return new FreeSwitchTelephony({
      config, services: p.services, agents: p.agents, store: p.store, surveys: p.surveys, wrapUpMs: p.wrapUpS * 1000,
      openCalls: p.openCalls, backoff: { initialMs: 200, maxMs: 2000 }, reconcileEveryMs: 5000,
    });
  }

  async crash(t: Telephony): Promise<void> {
    await (t as FreeSwitchTelephony).crashForTests();
  }

  async phone(extension: string, b: PhoneBehaviour): Promise<AgentPhone> {
    return sippPhone(extension, sipPassword(process.env.HOTLINE_SIP_SECRET!, extension), this.phonesAt, b, this.sipps);
  }

  async call(plan: CallerPlan): Promise<CitizenCall> {
    this.keysByNumber.set(plan.caller, [...(plan.keys ?? [])]);
    const created = this.next((h) => h['Event-Name'] === 'CHANNEL_CREATE' && h['Call-Direction'] === 'inbound' && h['Caller-Caller-ID-Number'] === plan.caller);
    const uac = runSipp(callerXml(this.hotline, this.sip), [this.sip, '-m', '1', '-inf', callersCsv([plan.caller]), '-timeout', '900s', '-timeout_error']);
    this.sipps.add(uac);
    const id = (await created)['Unique-ID'];
    const ended = this.next((h) => h['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && h['Unique-ID'] === id, 600000);
    // The citizen's own hang-up is the switch ending their leg (sipp then gets the BYE).
    const hangUp = async () => {
      await this.api(`uuid_kill ${id} NORMAL_CLEARING`).catch(() => undefined);
    };
    if (plan.hangUpInQueue) {
      const after = plan.hangUpInQueue.afterMs;
      void this.next((h) => h['Event-Subclass'] === 'callcenter::info' && h['CC-Action'] === 'member-queue-start' && h['CC-Member-Session-UUID'] === id)
        .then(() => new Promise((r) => setTimeout(r, after))).then(hangUp).catch(() => undefined);
    }
    if (plan.talkMs !== undefined) {
      const talk = plan.talkMs;
      void this.next((h) => h['Event-Subclass'] === 'callcenter::info' && h['CC-Action'] === 'bridge-agent-start' && h['CC-Member-Session-UUID'] === id)
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
    if (b.kind === 'answer') this.keysByNumber.set(number, [...b.keys]);
    return number;
  }

  async restartSwitch(): Promise<void> {
    await this.api('fsctl shutdown restart').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 3000));
    await new Promise<void>((r) => (this.probe!.connected ? r() : this.probe!.once('up', () => r())));
  }

  async dropControl(): Promise<void> {
    // Reloading mod_event_socket drops every Event Socket connection (the probe reconnects too).
    await this.probe!.bgapi('reload', 'mod_event_socket', 10000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    await new Promise<void>((r) => (this.probe!.connected ? r() : this.probe!.once('up', () => r())));
  }

  recordingFile(path: string): string | null {
    const local = process.env.IVR_LOCAL_RECORDINGS_DIR;
    const remote = process.env.IVR_RECORDINGS_DIR;
    if (local && remote && path.startsWith(remote)) return local + path.slice(remote.length);
    return path;
  }
}
