// npm run bench:freeswitch-load — the hotline under load on a REAL FreeSWITCH with freeswitch-conf
// installed (the same environment as `npm run test:freeswitch`, see freeswitch-conf/README.md).
// 32 operators' phones (sipp, registered with their generated passwords) answer and hang up after
// a random talk time; sipp citizens call the hotline with 20 / 50 / 100 calls up at once, pressing
// nothing (the menu's default is the operator). Then the 50-call level once more with the app
// killed (as kill -9) a third of the way in and restarted 10 s later. After each level: no agent
// stuck (app and mod_callcenter), exactly one row per call with its recording, every caller
// answered or on the call-back list, the operators' use of their capacity, and the event lag
// (switch's Event-Date-Timestamp → the app handling the event). Results go to BENCHMARKS.md.
//   LOAD_LEVELS (20,50,100)  LOAD_CALLS_PER_LEVEL (2 × level)  LOAD_TALK_S (8-20)  LOAD_WRAP_UP_S (5)
import os from 'node:os';
import { KnexAgentStateStore } from '../../ivr/agent-store';
import { CallLog } from '../../ivr/call-log';
import { parseIvrConfig } from '../../ivr/config';
import { sipPassword } from '../../ivr/freeswitch/directory';
import { FreeSwitchTelephony } from '../../ivr/freeswitch/adapter';
import { EslInbound } from '../../ivr/freeswitch/inbound';
import { setEslLogger } from '../../ivr/freeswitch/modesl';
import { parseAgentList } from '../../ivr/agent-state';
import { KnexSurveyLedger } from '../../ivr/survey-ledger';
import { CallEvent } from '../../ivr/telephony';
import { closeTestDb, openTestDb } from '../support/db';
import { ScenarioHotline } from '../switch/app';
import { Sipp, callerXml, callersCsv, freshPort, listening, phoneXml, registerXml, runSipp } from '../switch/drivers/sipp';
import { writeSection } from './report';

const AGENTS = Array.from({ length: 32 }, (_, i) => String(1001 + i));
const LEVELS = (process.env.LOAD_LEVELS ?? '20,50,100').split(',').map(Number);
const [TALK_MIN_S, TALK_MAX_S] = (process.env.LOAD_TALK_S ?? '8-20').split('-').map(Number);
const WRAP_UP_S = Number(process.env.LOAD_WRAP_UP_S ?? 5);
const SIP = process.env.FREESWITCH_SIP ?? '127.0.0.1:5080';
const PHONES_AT = process.env.FREESWITCH_PHONES ?? '127.0.0.1:5060';
const HOTLINE = process.env.HOTLINE_NUMBER ?? '12345';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
  return true;
}

/**
 * Where an operator's time goes between two calls, measured while callers wait unoffered: the switch's end
 * of the bridge → the app's wrap-up; the app's wrap-up → ready; ready in the app → Available on
 * the switch (its agent-status-change event); Available → the next offer; the offer → the bridge.
 */
class Turnaround {
  readonly gaps = { endToWrap: [] as number[], wrapUp: [] as number[], readyToAvailable: [] as number[], availableToOffer: [] as number[], offerToBridge: [] as number[] };
  private agents = new Map<string, { bridgeEnd?: number; wrap?: number; ready?: number; available?: number; offered?: number }>();
  /** Callers in the queue not being offered to an operator right now. */
  private waiting = new Set<string>();

  private of(agent: string) {
    let a = this.agents.get(agent);
    if (!a) this.agents.set(agent, (a = {}));
    return a;
  }

  onSwitch(h: Record<string, string>): void {
    if (h['Event-Subclass'] !== 'callcenter::info') return;
    const ts = Number(h['Event-Date-Timestamp']) / 1000;
    const member = h['CC-Member-Session-UUID'] ?? '';
    const agent = (h['CC-Agent'] ?? '').split('@')[0];
    const a = agent ? this.of(agent) : null;
    switch (h['CC-Action']) {
      case 'member-queue-start': this.waiting.add(member); break;
      case 'member-queue-end': this.waiting.delete(member); break;
      case 'bridge-agent-end': if (a) a.bridgeEnd = ts; break;
      case 'agent-status-change':
        if (a && h['CC-Agent-Status'] === 'Available' && a.ready !== undefined) {
          if (this.waiting.size) this.gaps.readyToAvailable.push(ts - a.ready);
          a.available = this.waiting.size ? ts : undefined;
          a.ready = undefined;
        }
        break;
      case 'bridge-agent-fail': this.waiting.add(member); break;
      case 'agent-offering':
        this.waiting.delete(member);
        if (a && a.available !== undefined) this.gaps.availableToOffer.push(ts - a.available);
        if (a) { a.available = undefined; a.offered = ts; }
        break;
      case 'bridge-agent-start':
        this.waiting.delete(member);
        if (a && a.offered !== undefined) this.gaps.offerToBridge.push(ts - a.offered);
        if (a) a.offered = undefined;
        break;
    }
  }

  onApp(e: CallEvent): void {
    if (e.type !== 'agent_state_changed') return;
    const a = this.of(e.agent);
    const at = Date.parse(e.at);
    if (e.state.state === 'wrap_up') {
      if (a.bridgeEnd !== undefined && this.waiting.size) this.gaps.endToWrap.push(at - a.bridgeEnd);
      a.bridgeEnd = undefined;
      a.wrap = at;
    } else if (e.state.state === 'ready') {
      if (a.wrap !== undefined && this.waiting.size) this.gaps.wrapUp.push(at - a.wrap);
      a.wrap = undefined;
      a.ready = at;
    }
  }

  summary(): string {
    const f = (xs: number[]) => (xs.length ? `${pct(xs, 50).toFixed(0)} / ${pct(xs, 99).toFixed(0)}` : '–');
    const g = this.gaps;
    return `${f(g.endToWrap)} | ${f(g.wrapUp)} | ${f(g.readyToAvailable)} | ${f(g.availableToOffer)} | ${f(g.offerToBridge)}`;
  }
}

interface Row {
  turnaround: string;
  run: string; calls: number; seconds: number; rows: number; withRecording: number; answered: number; callbacks: number;
  messages: number; sippOk: boolean; lost: number; stuck: string; utilisation: string; lagP50: number; lagP99: number; lagMax: number; waitP50: number; waitP99: number;
}

async function main(): Promise<void> {
  setEslLogger((level, msg) => { if (level === 'error') console.error(`[ivr] ${msg}`); });
  const secret = process.env.HOTLINE_SIP_SECRET;
  if (!process.env.FREESWITCH_ESL || !secret) throw new Error('set FREESWITCH_ESL and HOTLINE_SIP_SECRET (see freeswitch-conf/README.md)');
  const db = await openTestDb();
  const services = new ScenarioHotline(true);
  services.db = db;
  const config = parseIvrConfig({ IVR_QUEUE_ANNOUNCE_S: '45', ...process.env, IVR_WORKING_HOURS: '00:00-23:59' });
  const probe = new EslInbound({ host: config.esl.host, port: config.esl.port, password: config.esl.password, backoff: { initialMs: 200, maxMs: 1000 } });
  await new Promise<void>((r) => { probe.once('up', () => r()); probe.start(); });
  const version = (await probe.api('version')).trim();

  let lags: number[] = [];
  let events: CallEvent[] = [];
  let turn = new Turnaround();
  let log: CallLog | null = null;
  const startApp = async (): Promise<FreeSwitchTelephony> => {
    const tel = new FreeSwitchTelephony({
      config, services, agents: AGENTS, store: new KnexAgentStateStore(db), surveys: new KnexSurveyLedger(db), wrapUpMs: WRAP_UP_S * 1000,
      openCalls: async () => (log ? log.openCallIds() : []), backoff: { initialMs: 200, maxMs: 2000 },
      instrument: {
        onInboundEvent: (h) => {
          const ts = Number(h['Event-Date-Timestamp']);
          if (ts > 0) lags.push(Date.now() - ts / 1000);
          turn.onSwitch(h);
        },
      },
    });
    log = new CallLog(db, { switchKind: 'freeswitch', onError: (err, e) => console.error(`[call log] ${e.type}: ${err.message}`) });
    log.attach(tel);
    tel.onEvent((e) => { events.push(e); turn.onApp(e); });
    const up = new Promise<void>((r) => tel.onEvent((e) => { if (e.type === 'telephony_up') r(); }));
    await tel.start();
    await up;
    return tel;
  };

  // The operators' phones: registered, then answering every call with a random talk time.
  const sipps: Sipp[] = [];
  for (const ext of AGENTS) {
    const port = freshPort();
    const reg = runSipp(registerXml(ext, sipPassword(secret, ext), port, 3600, PHONES_AT), [PHONES_AT, '-m', '1', '-timeout', '20s', '-timeout_error'], port);
    if ((await reg.exited) !== 0) throw new Error(`phone ${ext} could not register`);
    const uas = runSipp(phoneXml({ kind: 'answer', talkMs: [TALK_MIN_S * 1000, TALK_MAX_S * 1000] }), [], port);
    sipps.push(uas);
    await listening(uas);
  }

  let tel = await startApp();
  for (const a of AGENTS) await tel.setAgentState(a, { state: 'ready' });

  const results: Row[] = [];
  const runs = [...LEVELS.map((n) => ({ level: n, crash: false })), { level: LEVELS.includes(50) ? 50 : LEVELS[0], crash: true }];
  let seq = 0;
  for (const run of runs) {
    const total = Number(process.env.LOAD_CALLS_PER_LEVEL ?? 0) || run.level * 2;
    seq++;
    const callers = Array.from({ length: total }, (_, i) => `139${String(seq).padStart(2, '0')}${String(i).padStart(6, '0')}`);
    const mine = new Set(callers);
    events = [];
    lags = [];
    turn = new Turnaround();
    const t0 = Date.now();
    // -l: at most `level` calls up at once; -r: new calls per second until then.
    const uac = runSipp(callerXml(HOTLINE, SIP), [SIP, '-m', String(total), '-l', String(run.level), '-r', String(Math.min(run.level, 10)),
      '-inf', callersCsv(callers), '-timeout', '1200s', '-timeout_error', '-trace_stat', '-stf', `/tmp/hotline-load-${seq}.csv`]);
    if (run.crash) {
      await sleep(Math.max(15000, (total / 10) * 1000 / 3));
      await tel.crashForTests();
      console.log(`${run.level}: app killed at ${new Date().toISOString()}`);
      await sleep(10000);
      tel = await startApp();
      console.log(`${run.level}: app restarted at ${new Date().toISOString()}`);
    }
    const code = await uac.exited;
    const seconds = (Date.now() - t0) / 1000;
    // Agents: back to ready in the app and Available/Waiting on the switch within the wrap-up (+ pacing).
    const settled = async () => {
      const sw = parseAgentList(await probe.api(`callcenter_config queue list agents ${config.queue}`));
      return AGENTS.filter((a) => tel.getAgentState(a).state !== 'ready' || sw.get(`${a}@${config.queue}`)?.status !== 'Available' || sw.get(`${a}@${config.queue}`)?.state !== 'Waiting');
    };
    await until(async () => (await settled()).length === 0, (WRAP_UP_S + 15) * 1000);
    const stuck = await settled();
    await log!.flush();
    const rows = (await db('calls').where({ purpose: 'hotline', direction: 'inbound' }).select()).filter((r) => mine.has(r.caller));
    const ids = rows.map((r) => r.id);
    const recs = ids.length ? await db('recordings').whereIn('call_id', ids).where({ kind: 'call' }).select('call_id') : [];
    const withRec = new Set(recs.map((r) => r.call_id)).size;
    const answered = rows.filter((r) => r.answered_at);
    const cbs = services.callbacks.filter((c) => mine.has(c.callerPhone)).length;
    const msgs = services.drafts.filter((d) => mine.has(d.callerPhone)).length;
    // Capacity: each operator is busy from answer to end plus the wrap-up, counted while callers
    // waited in the queue (see capacityUsed).
    const cap = capacityUsed(rows, AGENTS.length, WRAP_UP_S * 1000);
    const use = run.level > AGENTS.length && answered.length ? `${cap.reachable.toFixed(0)} % (${cap.all.toFixed(0)} %)` : 'n/a (fewer callers than operators)';
    const waits = answered.map((r) => Number(r.queue_wait_ms)).filter((x) => x >= 0);
    const row: Row = {
      turnaround: turn.summary(),
      run: `${run.level} concurrent${run.crash ? ', app killed and restarted after 10 s' : ''}`, calls: total, seconds, rows: rows.length,
      withRecording: withRec, answered: answered.length, callbacks: cbs, messages: msgs, sippOk: code === 0, lost: rows.filter((r) => r.hangup_cause === 'LOST_WHILE_DISCONNECTED').length,
      stuck: stuck.length ? stuck.join(' ') : 'none', utilisation: use,
      lagP50: pct(lags, 50), lagP99: pct(lags, 99), lagMax: Math.max(...lags), waitP50: pct(waits, 50) / 1000, waitP99: pct(waits, 99) / 1000,
    };
    console.log(JSON.stringify(row));
    // The rows closed as lost, to set beside the switch's own record of those calls (CDR, log).
    for (const r of rows.filter((x) => x.hangup_cause === 'LOST_WHILE_DISCONNECTED')) {
      console.log(`lost: ${JSON.stringify(r)}`);
    }
    // Callers both answered by an operator and on the call-back list: each is a fault to look into.
    const answeredCallers = new Set(answered.map((r) => r.caller));
    for (const c of services.callbacks.filter((x) => mine.has(x.callerPhone) && answeredCallers.has(x.callerPhone))) {
      const r = rows.find((x) => x.caller === c.callerPhone);
      console.log(`both answered and on the call-back list: ${JSON.stringify(c)} row ${JSON.stringify(r)}`);
      console.log(`  its events: ${JSON.stringify(events.filter((e) => 'callId' in e && (e.callId === r?.id || e.callId === c.callId)))}`);
    }
    results.push(row);
  }

  await tel.stop();
  for (const s of sipps) await s.stop();
  probe.stop();
  await closeTestDb(db);

  const table = [
    '| run | calls | wall (s) | call rows | rows with their recording | answered by an operator | on the call-back list | messages | sipp callers all completed | rows closed as LOST_WHILE_DISCONNECTED | agents stuck after | operators\' capacity used | event lag p50 / p99 / max (ms) | queue wait p50 / p99 (s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---:|',
    ...results.map((r) => `| ${r.run} | ${r.calls} | ${r.seconds.toFixed(0)} | ${r.rows} | ${r.withRecording} | ${r.answered} | ${r.callbacks} | ${r.messages} | ${r.sippOk ? 'yes' : 'no'} | ${r.lost} | ${r.stuck} | ${r.utilisation} | ${r.lagP50.toFixed(1)} / ${r.lagP99.toFixed(1)} / ${r.lagMax.toFixed(0)} | ${r.waitP50.toFixed(1)} / ${r.waitP99.toFixed(1)} |`),
  ].join('\n');
  const turnTable = [
    '| run | bridge end → wrap-up in the app | wrap-up in the app | ready in the app → Available on the switch | Available → next offer | offer → bridged |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.run} | ${r.turnaround} |`),
  ].join('\n');
  writeSection('freeswitch-load', 'The hotline under load on a real FreeSWITCH (bench:freeswitch-load)', `
Switch: ${version} on this machine (built from source, freeswitch-conf installed with
HOTLINE_SIP_IP=127.0.0.1); load average ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} at the end (the machine is shared).
32 operators' phones (sipp, registered) answer every call and hang up after ${TALK_MIN_S}–${TALK_MAX_S} s (uniform); wrap-up
${WRAP_UP_S} s; queue max wait ${config.queueMaxWaitS} s. Citizens (sipp) call the hotline with the given number of calls up at once
(new calls at up to 10 per second), press nothing (menu default: an operator), and stay on the line until the switch hangs up
(the operator's BYE, or the call-back offer after the longest wait, where they press nothing either). The app runs in this
process with the call log on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'}.
"Capacity used" (when there were more callers than operators): while callers waited in the queue, the operators' talk
time plus wrap-up over the operators those callers could have had — at each moment min(32, operators engaged + callers
waiting) — so an operator idle while a caller waited whom they could have taken is capacity lost, and one idle while the only
waiting caller was being rung on another operator's phone (or while the other callers were still in the menu) is not. In
brackets the stricter earlier figure: over all 32 operators whenever anyone waited. Target (issue 15): at least 90 %. "Event lag": the switch's Event-Date-Timestamp to the app handling the event on its
event connection, every event.

${table}

Where an operator's time went between two calls while callers waited not yet offered to anyone (ms, p50 / p99; the switch's event times and the
app's state changes, one clock): the switch's end of the bridge to the app's wrap-up; the wrap-up (configured ${WRAP_UP_S} s);
ready in the app to Available on the switch (mod_callcenter's agent-status-change); Available to the next offer; the
offer to the bridge (the phone rings and answers).

${turnTable}
`);
}

void main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});

/**
 * The operators' use of their capacity while callers waited, from the call rows: an operator is
 * engaged from the answer to the end of the call plus the wrap-up; a caller waits from joining the
 * queue to the answer (or leaving). `all`: engaged operator-time over every operator × the time
 * anyone waited (an operator idle while the only waiting caller is being rung on another
 * operator's phone, or while the other callers are still in the menu, counts as lost). `reachable`:
 * engaged operator-time over the operators the waiting callers could have had — min(operators,
 * engaged + waiting) at each moment — so an idle operator is lost capacity only while a caller
 * waited whom they could have taken.
 */
function capacityUsed(rows: Array<Record<string, any>>, operators: number, wrapUpMs: number): { all: number; reachable: number } {
  const t = (v: unknown) => (v ? Date.parse(String(v)) : NaN);
  const edges: Array<[number, 'w' | 'e', 1 | -1]> = [];
  for (const r of rows) {
    const q = t(r.queued_at);
    const until = t(r.answered_at) || t(r.abandoned_at) || t(r.ended_at);
    if (Number.isFinite(q) && Number.isFinite(until) && until > q) edges.push([q, 'w', 1], [until, 'w', -1]);
    const a = t(r.answered_at);
    if (Number.isFinite(a)) edges.push([a, 'e', 1], [(t(r.ended_at) || a) + wrapUpMs, 'e', -1]);
  }
  edges.sort((x, y) => x[0] - y[0]);
  let w = 0;
  let e = 0;
  let last = NaN;
  let busy = 0;
  let all = 0;
  let reachable = 0;
  for (const [at, kind, d] of edges) {
    if (w > 0 && Number.isFinite(last)) {
      const dt = at - last;
      const engaged = Math.min(e, operators);
      busy += engaged * dt;
      all += operators * dt;
      reachable += Math.min(operators, engaged + w) * dt;
    }
    last = at;
    if (kind === 'w') w += d;
    else e += d;
  }
  return { all: all ? (100 * busy) / all : NaN, reachable: reachable ? (100 * busy) / reachable : NaN };
}
