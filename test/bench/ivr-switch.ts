// The switch side of `npm run bench:ivr`, in its own process so that the simulated
// FreeSWITCH does not share the app's event loop. Driven over IPC by test/bench/ivr.ts.
import { EslTestServer } from '../esl/server';

type Msg = { cmd: 'place'; calls: number; rampMs: number; playbackMs: number; app: { host: string; port: number } } | { cmd: 'stop' };

async function main(): Promise<void> {
  // Events as heavy as the recorded ones (a few kB of channel variables each).
  // Without the logs tests read (every command and application kept): nothing on the wire changes.
  const fs = new EslTestServer({ password: 'bench-secret', padEventsBytes: 4000, keepLogs: false });
  fs.latencies = [];
  const port = await fs.listen();
  process.send?.({ ready: port });
  process.on('message', (m: Msg) => {
    if (m.cmd === 'stop') {
      void fs.close().then(() => process.exit(0));
      return;
    }
    const req = m;
    fs.invalidPlayed.length = 0;
    fs.latencies = [];
    fs.latencySteps = [];
    fs.latencyTimes = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let ended = 0;
    const started = Date.now();
    const rampMs = req.rampMs;
    fs.options.playbackMs = req.playbackMs;
    for (let i = 0; i < req.calls; i++) setTimeout(() => place(i), (i * rampMs) / req.calls);
    function place(i: number): void {
      const caller = `03${String(10000000 + i)}`;
      // menu 2 = leave a message: answer, record, greeting, menu, prompt, tone, record, saved, goodbye, hangup
      const ch = fs.placeCall({ caller, app: req.app, script: { inputs: ['2'] } });
      ch.onGone = () => {
        if (++ended === req.calls) {
          const cpu = process.cpuUsage(cpu0);
          process.send?.({
            done: req.calls, ms: Date.now() - started, latencies: fs.latencies, cpuS: (cpu.user + cpu.system) / 1e6,
            steps: fs.latencySteps, times: fs.latencyTimes?.map((t) => t - t0),
          });
        }
      };
    }
  });
}

void main();
