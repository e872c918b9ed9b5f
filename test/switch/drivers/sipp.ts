// sipp as the citizens and the operators' phones of the real-switch scenarios and the load
// run. Scenarios are written to a temp folder per run; every process gets a port of its own
// (a port is never reused within a run: sipp can outlive one SIGTERM and keep its socket),
// and stopping one waits until it has really exited.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentPhone, PhoneBehaviour } from '../driver';

export const SIPP = process.env.SIPP ?? 'sipp';
let nextPort = Number(process.env.SIPP_PORT_BASE ?? 15060);
/** A fresh local port for a sipp process. */
export const freshPort = (): number => nextPort++;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-sipp-'));
let seq = 0;

export interface Sipp {
  proc: ChildProcess;
  port: number;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Whether a UDP port is bound on this machine (/proc/net/udp, /proc/net/udp6). */
function udpBound(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
    try {
      if (fs.readFileSync(f, 'utf8').split('\n').some((l) => l.trim().split(/\s+/)[1]?.endsWith(hex))) return true;
    } catch {
      /* no such table */
    }
  }
  return false;
}

/**
 * Resolves once a sipp process listens on its port (a phone must be there before the switch
 * rings it: an INVITE to a port nobody has bound yet fails at once, NORMAL_TEMPORARY_FAILURE).
 */
export async function listening(s: Sipp, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!udpBound(s.port)) {
    if (s.proc.exitCode !== null || s.proc.signalCode !== null) throw new Error(`sipp on port ${s.port} exited (${s.proc.exitCode ?? s.proc.signalCode})`);
    if (Date.now() > deadline) throw new Error(`sipp on port ${s.port} is not listening after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs sipp with a scenario given as XML text, from `ip` (Asterisk's test carrier is 127.0.0.2). */
export function runSipp(xml: string, args: string[], port = freshPort(), ip = '127.0.0.1'): Sipp {
  const file = path.join(dir, `s${++seq}.xml`);
  fs.writeFileSync(file, xml);
  const proc = spawn(SIPP, ['-sf', file, '-i', ip, '-p', String(port), '-nostdin', '-trace_err', '-error_file', `${file}.err`, ...args], { stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc, port, exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      // sipp may stay after one SIGTERM (it waits for calls to end): a second, then SIGKILL.
      const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1500))]);
      if (!gone) {
        proc.kill('SIGTERM');
        const again = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1500))]);
        if (!again) proc.kill('SIGKILL');
      }
      await exited;
    },
  };
}

const SDP = `v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 0 101
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
`;

const withLength = (head: string, body = '') => `${head}Content-Type: application/sdp\nContent-Length: [len]\n\n${body}`;

/** A phone's REGISTER with digest auth (Expires 0: unregister). */
export function registerXml(ext: string, password: string, contactPort: number, expires: number, server = '127.0.0.1:5060'): string {
  const req = (cseq: number, auth: string) => `<![CDATA[
REGISTER sip:${server} SIP/2.0
Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
From: <sip:${ext}@${server.split(':')[0]}>;tag=[call_number]
To: <sip:${ext}@${server.split(':')[0]}>
Call-ID: [call_id]
CSeq: ${cseq} REGISTER
Contact: <sip:${ext}@127.0.0.1:${contactPort}>
${auth}Max-Forwards: 70
Expires: ${expires}
Content-Length: 0

]]>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register ${ext}">
  <send retrans="500">${req(1, '')}</send>
  <recv response="401" auth="true"/>
  <send retrans="500">${req(2, `[authentication username=${ext} password=${password}]\n`)}</send>
  <recv response="200"/>
</scenario>`;
}

/**
 * An operator's phone: answers after a short ring and hangs up after a random talk time between
 * `talkMs[0]` and `talkMs[1]` (or rejects with 603, or rings until cancelled). Serves call after call.
 */
export function phoneXml(b: { kind: 'answer'; talkMs: [number, number] } | { kind: 'reject' } | { kind: 'no_answer' }): string {
  const head = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="operator phone">
  <recv request="INVITE">${b.kind !== 'answer' ? '' : `
    <action>
      <!-- For the phone's own BYE: it goes to the switch's Contact, with From and To the other way round. -->
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_party"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="local_party"/>
      <ereg regexp="sip:[^>]*" search_in="hdr" header="Contact:" assign_to="remote_contact"/>
    </action>
  `}</recv>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
`;
  if (b.kind === 'reject') {
    return `${head}  <send><![CDATA[
SIP/2.0 603 Decline
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <recv request="ACK"/>
</scenario>`;
  }
  if (b.kind === 'no_answer') {
    return `${head}  <recv request="CANCEL"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <send><![CDATA[
SIP/2.0 487 Request Terminated
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
CSeq: [cseq] INVITE
Content-Length: 0

]]></send>
  <recv request="ACK"/>
</scenario>`;
  }
  return `${head}  <pause milliseconds="300"/>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
${withLength('', SDP)}]]></send>
  <recv request="ACK" rtd="true"/>
  <!-- A caller who hangs up first: sipp's default behaviour answers the BYE with 200 and ends the call. -->
  <pause distribution="uniform" min="${b.talkMs[0]}" max="${b.talkMs[1]}"/>
  <send retrans="500"><![CDATA[
BYE [$remote_contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: [$local_party];tag=[pid]SIPpTag01[call_number]
To: [$remote_party]
[last_Call-ID:]
CSeq: 2 BYE
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>`;
}

/**
 * Endless audio from a raw a-law file (see `silenceAlaw`) once the call is up: a recording with
 * silence detection (Asterisk's RECORD FILE s=, Record()) only ends on frames it hears.
 */
const streamXml = (rtp?: string) => (rtp ? `\n  <nop><action><exec rtp_stream="${rtp},-1,8"/></action></nop>` : '');

/** A raw a-law file of 10 s of silence, for `rtp` of callerXml / calleesXml. */
export function silenceAlaw(): string {
  const file = path.join(dir, 'silence.alaw');
  if (!fs.existsSync(file)) fs.writeFileSync(file, Buffer.alloc(80000, 0xd5));
  return file;
}

/**
 * A citizen calling the hotline: INVITE from their number, ACK, then on the line until the switch
 * hangs up (the flow ends, the operator hangs up, or the test ends the call through the switch),
 * accepting the switch's re-INVITEs meanwhile (hold, unhold).
 * `rtp`: a raw a-law file the citizen streams meanwhile, over and over.
 */
export function callerXml(hotline: string, server: string, rtp?: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="citizen">
  <send retrans="500"><![CDATA[
INVITE sip:${hotline}@${server} SIP/2.0
Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${hotline}@${server}>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:[field0]@[local_ip]:[local_port]>
Max-Forwards: 70
${withLength('', SDP)}]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
ACK sip:${hotline}@${server} SIP/2.0
Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
From: <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:[field0]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>${streamXml(rtp)}
  <label id="talk"/>
  <recv request="INVITE" optional="true" next="reinvite"/>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <nop next="end"/>
  <!-- The switch's re-INVITE (the operator's hold and unhold) is accepted, as a phone does. -->
  <label id="reinvite"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[field0]@[local_ip]:[local_port]>
${withLength('', SDP)}]]></send>
  <recv request="ACK" next="talk"/>
  <label id="end"/>
</scenario>`;
}

/**
 * Survey callees on one port: the number's prefix says what they do — 0302… busy (486),
 * 0303… never answers (until CANCEL), anything else answers and stays until the switch hangs up.
 */
export function calleesXml(rtp?: string): string {
  const reply = (code: string, sdp = false) => `<send><![CDATA[
SIP/2.0 ${code}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
${sdp ? withLength('', SDP) : 'Content-Length: 0\n\n'}]]></send>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="survey callees">
  <recv request="INVITE">
    <action>
      <ereg regexp="INVITE sip:0302" search_in="msg" check_it="false" assign_to="busy"/>
      <ereg regexp="INVITE sip:0303" search_in="msg" check_it="false" assign_to="silent"/>
    </action>
  </recv>
  <nop hide="true" test="busy" next="busy"/>
  <nop hide="true" test="silent" next="silent"/>
  ${reply('180 Ringing')}
  <pause milliseconds="200"/>
  ${reply('200 OK', true)}
  <recv request="ACK"/>${streamXml(rtp)}
  <recv request="BYE"/>
  ${reply('200 OK')}
  <nop next="end"/>
  <label id="busy"/>
  ${reply('486 Busy Here')}
  <recv request="ACK" next="end"/>
  <label id="silent"/>
  ${reply('180 Ringing')}
  <recv request="CANCEL"/>
  ${reply('200 OK')}
  <send><![CDATA[
SIP/2.0 487 Request Terminated
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
CSeq: [cseq] INVITE
Content-Length: 0

]]></send>
  <recv request="ACK"/>
  <label id="end"/>
</scenario>`;
}

/** A one-line CSV injection file for sipp's [field0] (the caller's number), one line per call. */
export function callersCsv(numbers: string[]): string {
  const file = path.join(dir, `callers-${++seq}.csv`);
  fs.writeFileSync(file, `SEQUENTIAL\n${numbers.join('\n')}\n`);
  return file;
}

/**
 * An operator's phone as sipp: registers with `password` at `registrar` from the port it answers on
 * (the switch sends calls where the REGISTER came from), then answers, rejects or lets ring as told.
 * Every sipp it runs is kept in `running` while it runs, so a driver can stop what is left.
 */
export async function sippPhone(extension: string, password: string, registrar: string, b: PhoneBehaviour, running: Set<Sipp>): Promise<AgentPhone> {
  const port = freshPort();
  const register = async (expires: number) => {
    const reg = runSipp(registerXml(extension, password, port, expires, registrar), [registrar, '-m', '1', '-timeout', '20s', '-timeout_error'], port);
    const code = await reg.exited;
    if (code !== 0) throw new Error(`phone ${extension} could not ${expires ? 'register' : 'unregister'} (sipp exit ${code})`);
  };
  await register(300);
  let uas: Sipp | null = runSipp(phoneXml(b.kind === 'answer' ? { kind: 'answer', talkMs: [b.talkMs, b.talkMs] } : b), [], port);
  running.add(uas);
  await listening(uas);
  const hangUpPhone = async () => {
    if (!uas) return;
    await uas.stop();
    running.delete(uas);
    uas = null;
  };
  return {
    extension,
    unregister: async () => {
      await hangUpPhone();
      await register(0);
    },
    close: async () => {
      if (!uas) return;
      await hangUpPhone();
      await register(0).catch(() => undefined);
    },
  };
}
