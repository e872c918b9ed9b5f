// sipp as the people around a real switch, for the real-switch suites: a citizen who calls the
// hotline and keys digits, an operator's phone that registers and answers (or rejects, or lets
// it ring), a citizen called back for the survey. Scenarios are written per call from steps, so
// each test says what the person does. Every sipp runs on a fresh port, ends by itself
// (`-m 1`, a global time-out) and is killed (SIGKILL) and awaited at clean-up: sipp does not
// always exit on one SIGTERM, and the next scenario must be able to bind.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SIPP = process.env.SIPP ?? 'sipp';
export const PCAP = process.env.SIPP_PCAP_DIR ?? '/usr/share/sip-tester';
export const sippAvailable = (): boolean => spawnSync(SIPP, ['-v']).status !== null && fs.existsSync(path.join(PCAP, 'g711a.pcap'));

// Above both switches' RTP ranges (Asterisk 10000–20000, FreeSWITCH 16384–32768): a port taken there makes sipp exit 254.
let nextPort = 42000 + (process.pid % 300) * 20;
/** A UDP port no earlier scenario of this process used. */
export const freshPort = (): number => (nextPort += 10);

const SDP = `Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 0 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=sendrecv`;

/** What a person does once the call is up. */
export type Step =
  | { pauseMs: number }
  | { keys: string; gapMs?: number }
  /** About 8 s of speech (sipp's g711a.pcap). */
  | { speak: true };

/** The headers of an in-dialog request from this side: a caller (UAC) or the called side (UAS). */
interface Dialog {
  uri: string;
  from: string;
  to: string;
}

const uacDialog = (caller: string, number: string): Dialog => ({
  uri: `sip:${number}@[remote_ip]:[remote_port]`,
  from: `"Citizen" <sip:${caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]`,
  to: `<sip:${number}@[remote_ip]:[remote_port]>[peer_tag_param]`,
});
const UAS_DIALOG: Dialog = { uri: '[$contact_uri]', from: '[$to_hdr];tag=[pid]SIPpTag01[call_number]', to: '[$from_hdr]' };

const request = (d: Dialog, method: string, cseq: number, body = '') => `<send retrans="500"><![CDATA[
      ${method} ${d.uri} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: ${d.from}
      To: ${d.to}
      Call-ID: [call_id]
      CSeq: ${cseq} ${method}
      Max-Forwards: 70
      ${body ? `Content-Type: application/dtmf-relay
      Content-Length: [len]

      ${body}` : 'Content-Length: 0'}
    ]]></send>
  <recv response="200" crlf="true"/>`;

/**
 * The steps as sipp XML; keys go as SIP INFO (application/dtmf-relay), one request each: sipp's
 * RFC 2833 pcaps all carry the same RTP timestamps, and Asterisk takes a repeated event for the
 * same key press, so a number keyed that way loses digits. Returns the next CSeq.
 */
function stepsXml(steps: Step[], d: Dialog, cseq: number): { xml: string; cseq: number } {
  const out: string[] = [];
  for (const s of steps) {
    if ('pauseMs' in s) out.push(`<pause milliseconds="${s.pauseMs}"/>`);
    else if ('keys' in s) {
      for (const k of s.keys) {
        out.push(request(d, 'INFO', cseq++, `Signal=${k}
      Duration=250`));
        out.push(`<pause milliseconds="${s.gapMs ?? 400}"/>`);
      }
    } else out.push(`<nop><action><exec play_pcap_audio="${path.join(PCAP, 'g711a.pcap')}"/></action></nop>`, '<pause milliseconds="8200"/>');
  }
  return { xml: out.join('\n  '), cseq };
}

const xml = (name: string, body: string) => `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="${name}">
  ${body}
</scenario>
`;

/** A citizen calls `number`, does `steps`, then hangs up (`end: 'bye'`) or waits for the switch to (`'wait'`). */
export function citizenCallXml(o: { caller: string; number: string; steps: Step[]; end: 'bye' | 'wait' }): string {
  const d = uacDialog(o.caller, o.number);
  const steps = stepsXml(o.steps, d, 2);
  const end = o.end === 'bye' ? request(d, 'BYE', steps.cseq) : RECV_BYE;
  return xml('citizen_call', `<send retrans="500"><![CDATA[
      INVITE ${d.uri} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: ${d.from}
      To: <sip:${o.number}@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:${o.caller}@[local_ip]:[local_port]>
      Max-Forwards: 70
      ${SDP}
    ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
      ACK ${d.uri} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: ${d.from}
      To: ${d.to}
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]></send>
  ${steps.xml}
  ${end}`);
}

/** Waits (up to 10 min) for the other side to hang up, and says OK. */
const RECV_BYE = `<recv request="BYE" timeout="600000"/>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]></send>`;

/**
 * A phone (or a citizen's line) that is called: `answer` (after ringing `ringMs`, then `steps`,
 * then hangs up or waits for the caller to), `reject` (603 Decline), `busy` (486), `ring` (rings
 * until the caller gives up: CANCEL → 487).
 */
export type Answering =
  | { kind: 'answer'; ringMs?: number; steps?: Step[]; end: 'bye' | 'wait' }
  | { kind: 'reject' }
  | { kind: 'busy' }
  | { kind: 'ring' };

const reply = (status: string, extra = 'Content-Length: 0') => `<send><![CDATA[
      SIP/2.0 ${status}
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port]>
      ${extra}
    ]]></send>`;

export function answeringXml(a: Answering): string {
  const invite = `<recv request="INVITE" crlf="true"/>`;
  if (a.kind === 'reject' || a.kind === 'busy') {
    return xml('phone_refuses', `${invite}
  ${reply(a.kind === 'busy' ? '486 Busy Here' : '603 Decline')}
  <recv request="ACK"/>`);
  }
  if (a.kind === 'ring') {
    return xml('phone_rings', `${invite}
  ${reply('180 Ringing')}
  <recv request="CANCEL" timeout="600000"/>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]></send>
  ${reply('487 Request Terminated')}
  <recv request="ACK"/>`);
  }
  const steps = stepsXml(a.steps ?? [], UAS_DIALOG, 1);
  const end = a.end === 'bye' ? request(UAS_DIALOG, 'BYE', steps.cseq) : RECV_BYE;
  return xml('phone_answers', `<recv request="INVITE" crlf="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="from_hdr"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="to_hdr"/>
      <ereg regexp="sip:[^&gt;;]*" search_in="hdr" header="Contact:" assign_to="contact_uri"/>
      <!-- sipp refuses a scenario that sets a variable it never reads: read them once here -->
      <log message="call from [$from_hdr] to [$to_hdr] at [$contact_uri]"/>
    </action>
  </recv>
  ${reply('180 Ringing')}
  <pause milliseconds="${a.ringMs ?? 500}"/>
  ${reply('200 OK', SDP)}
  <recv request="ACK" rtd="true" crlf="true"/>
  ${steps.xml}
  ${end}`);
}

/** An operator's phone registers `ext` with `contact` as where it takes calls (Expires 0 = unregisters). */
export function registerXml(o: { ext: string; password: string; contact: string; expires: number }): string {
  const head = (cseq: number) => `REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:${o.ext}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:${o.ext}@[remote_ip]>
      Call-ID: [call_id]
      CSeq: ${cseq} REGISTER
      Contact: <sip:${o.ext}@${o.contact}>
      Expires: ${o.expires}
      Max-Forwards: 70`;
  return xml('phone_registers', `<send retrans="500"><![CDATA[
      ${head(1)}
      Content-Length: 0
    ]]></send>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
      ${head(2)}
      [authentication username=${o.ext} password=${o.password}]
      Content-Length: 0
    ]]></send>
  <recv response="200"/>`);
}

export interface Sipp {
  proc: ChildProcess;
  port: number;
  /** Resolves with sipp's exit code (0: every call succeeded) when it ends. */
  done: Promise<number | null>;
  /** Ends it now (SIGKILL) and waits for the end. */
  kill(): Promise<void>;
}

const running = new Set<Sipp>();

/** Runs sipp on `scenario` (XML text) from `ip:port` towards `remote` ('' = wait for calls). */
export function runSipp(o: { scenario: string; ip: string; port?: number; remote?: string; calls?: number; timeoutS?: number; extra?: string[] }): Sipp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipp-'));
  const file = path.join(dir, 'scenario.xml');
  fs.writeFileSync(file, o.scenario);
  const port = o.port ?? freshPort();
  const args = ['-sf', file, '-i', o.ip, '-p', String(port), '-mp', String(port + 1000), '-m', String(o.calls ?? 1),
    '-timeout', `${o.timeoutS ?? 300}s`, '-timeout_error', '-nostdin', '-trace_err', '-error_file', path.join(dir, 'errors.log'), ...(process.env.SIPP_TRACE ? ['-trace_msg'] : []), ...(o.extra ?? [])];
  if (o.remote) args.unshift(o.remote);
  const proc = spawn(SIPP, args, { stdio: 'ignore', cwd: dir });
  const done = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const s: Sipp = {
    proc, port, done,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await done;
      running.delete(s);
    },
  };
  running.add(s);
  void done.then(() => running.delete(s));
  return s;
}

/** Ends every sipp still running (after each test). */
export async function killAllSipp(): Promise<void> {
  await Promise.all([...running].map((s) => s.kill()));
}
