// Reads the recorded FreeSWITCH sessions in ../shared/esl-traces and replays their
// client side against a server, comparing what comes back frame by frame.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { FrameReader, ParsedFrame, decodeEvent } from './frames';

export const TRACES_DIR = path.resolve(__dirname, '../../../shared/esl-traces');
export const tracesAvailable = (): boolean => fs.existsSync(TRACES_DIR);

export interface TraceStep {
  /** The exact bytes the client sent for this command (all its pieces joined). */
  command: string;
  /** Its first line, e.g. "api status". */
  line: string;
  /** Summaries of the server frames that followed, up to the next command. */
  replies: string[];
}

export interface Trace {
  greeting: string[];
  steps: TraceStep[];
  /** Frames of the whole server side, decoded (for tests that look at values). */
  serverFrames: ParsedFrame[];
}

/** One comparable line per server frame: type, reply text or api body, event name and key headers. */
export function summarize(f: ParsedFrame): string {
  const type = f.headers['Content-Type'];
  if (type === 'command/reply') {
    if (f.headers['Event-Name'] === 'CHANNEL_DATA') return `reply|${f.headers['Reply-Text']}|CHANNEL_DATA`;
    return `reply|${f.headers['Reply-Text']}`;
  }
  if (type === 'api/response') return `api|${normalizeBody(f.body)}`;
  if (type === 'text/disconnect-notice') {
    return `notice|${f.headers['Content-Disposition'] ?? ''}|${f.headers['Linger-Time'] ?? ''}|${f.body}`;
  }
  if (type === 'auth/request') return 'auth/request';
  if (type?.startsWith('text/event-')) {
    const e = decodeEvent(f) ?? {};
    const parts = [type.slice('text/event-'.length), e['Event-Name']];
    for (const k of ['Event-Subclass', 'CC-Action', 'CC-Agent', 'CC-Agent-Status', 'CC-Agent-State', 'Application', 'Application-Response', 'Hangup-Cause', 'DTMF-Digit', 'Job-Command', 'Channel-State']) {
      if (e[k] && !(k === 'Channel-State' && e['Event-Name'] !== 'CHANNEL_STATE')) parts.push(`${k}=${e[k]}`);
    }
    if (e._body !== undefined) parts.push(`body=${normalizeBody(e._body)}`);
    return parts.join('|');
  }
  return `other|${type}`;
}

/** Bodies that depend on the moment (uptime, live channel rows) are reduced to their shape. */
function normalizeBody(b: string): string {
  if (b.startsWith('UP ')) return 'UP…';
  // callcenter_config lists: pipe-separated header, rows, "+OK". Columns differ by version; keep the records.
  const lines = b.split('\n');
  if (lines.length > 2 && lines[0].includes('|') && lines.includes('+OK')) {
    const rows = lines.slice(1, lines.indexOf('+OK')).map((l) => l.split('|')[0]);
    return `table ${lines[0].split('|')[0]}: ${rows.join(', ')}`;
  }
  const rows = b.match(/^\{"row_count":\s*(\d+)/);
  if (rows) return `row_count=${rows[1]}`;
  return b.trim().replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
}

function splitCommand(raw: string): string[] {
  // Client commands carry no Content-Length: each ends at an empty line.
  const out: string[] = [];
  let rest = raw;
  for (;;) {
    const end = rest.indexOf('\n\n');
    if (end < 0) break;
    out.push(rest.slice(0, end + 2));
    rest = rest.slice(end + 2);
  }
  return out;
}

export function readTrace(relPath: string): Trace {
  const lines = fs.readFileSync(path.join(TRACES_DIR, relPath), 'utf8').split('\n').filter(Boolean);
  const reader = new FrameReader();
  let c2s = '';
  const greeting: string[] = [];
  const steps: TraceStep[] = [];
  const serverFrames: ParsedFrame[] = [];
  for (const l of lines) {
    const rec = JSON.parse(l) as { dir: 'c2s' | 's2c'; data?: string };
    if (rec.data === undefined) continue;
    if (rec.dir === 'c2s') {
      c2s += rec.data;
      for (const cmd of splitCommand(c2s)) {
        steps.push({ command: cmd, line: cmd.split('\n')[0], replies: [] });
        c2s = c2s.slice(cmd.length);
      }
    } else {
      for (const f of reader.push(rec.data)) {
        serverFrames.push(f);
        (steps.length ? steps[steps.length - 1].replies : greeting).push(summarize(f));
      }
    }
  }
  return { greeting, steps, serverFrames };
}

/** Collects frames from a socket and hands them out by count. */
export class FrameCollector {
  private reader = new FrameReader();
  private frames: ParsedFrame[] = [];
  private waiter: (() => void) | null = null;
  ended = false;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.frames.push(...this.reader.push(d));
      this.waiter?.();
    });
    socket.on('end', () => { this.ended = true; this.waiter?.(); });
  }

  async take(n: number, timeoutMs = 2000): Promise<ParsedFrame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < n && !this.ended && Date.now() < deadline) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiter = () => { clearTimeout(t); this.waiter = null; r(); };
      });
    }
    return this.frames.splice(0, n);
  }

  /** Frames that arrive within `ms` beyond what was expected. */
  async extra(ms = 30): Promise<ParsedFrame[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.frames.splice(0);
  }
}

export interface ReplayResult {
  expected: string[];
  actual: string[];
}

/**
 * Sends each recorded command and collects as many frames as FreeSWITCH sent before
 * the next one. `map` rewrites ids of the recording into ids of the live server;
 * `hooks` run after a command's frames arrived (to make the switch do something).
 */
export async function replay(
  socket: net.Socket,
  trace: Trace,
  opts: {
    map?: () => Map<string, string>;
    /** Run after the first frame of the step whose command line is the key. */
    hooks?: Record<string, () => void | Promise<void>>;
    /** The same, for steps told apart by more than their first line (sendmsg <uuid> …). */
    hookWhen?: { match: (s: TraceStep) => boolean; run: () => void | Promise<void> }[];
    only?: (s: TraceStep) => boolean;
    /** How long to wait for a step's frames (FreeSWITCH closes a `linger 5` socket after 5 s). */
    stepTimeoutMs?: number;
  } = {},
): Promise<ReplayResult> {
  const col = new FrameCollector(socket);
  const expected: string[] = [...trace.greeting];
  const actual: string[] = (await col.take(trace.greeting.length)).map(summarize);
  const back = (s: string) => {
    for (const [from, to] of opts.map?.() ?? []) s = s.split(to).join(from);
    return s;
  };
  for (const step of trace.steps.filter(opts.only ?? (() => true))) {
    let cmd = step.command;
    for (const [from, to] of opts.map?.() ?? []) cmd = cmd.split(from).join(to);
    const hook = opts.hooks?.[step.line] ?? opts.hookWhen?.find((hw) => hw.match(step))?.run;
    if (!socket.destroyed) socket.write(cmd);
    const n = step.replies.length;
    const got = await col.take(Math.min(1, n));
    if (hook) await hook();
    got.push(...(await col.take(n - got.length, opts.stepTimeoutMs)));
    expected.push(`>> ${step.line}`, ...step.replies);
    actual.push(`>> ${step.line}`, ...got.map((f) => back(summarize(f))));
  }
  actual.push(...(await col.extra()).map((f) => back(summarize(f))));
  return { expected, actual };
}

const isReply = (summary: string) => summary.startsWith('reply|') || summary.startsWith('api|');

/**
 * For sessions where FreeSWITCH itself is not consistent about when an event comes (events
 * are written between commands: after this command's reply or after the next one): the
 * replies must be the same, in order; the events the same, in any order.
 */
export async function replayLoose(socket: net.Socket, trace: Trace, stepCount: number): Promise<{ expected: { replies: string[]; events: string[] }; actual: { replies: string[]; events: string[] } }> {
  const col = new FrameCollector(socket);
  const steps = trace.steps.slice(0, stepCount);
  // What followed the last command's reply belongs to later activity (calls), not to these commands.
  const last = steps[steps.length - 1].replies;
  const lastUpToReply = last.slice(0, last.findIndex(isReply) + 1);
  const all = [...trace.greeting, ...steps.slice(0, -1).flatMap((s) => s.replies), ...lastUpToReply];
  const expected = { replies: all.filter(isReply), events: all.filter((x) => !isReply(x)).sort() };
  const got: string[] = (await col.take(trace.greeting.length)).map(summarize);
  for (const step of steps) {
    socket.write(step.command);
    for (;;) {
      const [f] = await col.take(1);
      if (!f) break;
      const sum = summarize(f);
      got.push(sum);
      if (isReply(sum)) break;
    }
  }
  got.push(...(await col.extra(100)).map(summarize));
  return { expected, actual: { replies: got.filter(isReply), events: got.filter((x) => !isReply(x)).sort() } };
}
