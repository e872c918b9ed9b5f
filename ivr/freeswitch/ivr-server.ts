// The IVR application's outbound-socket listener: FreeSWITCH connects here for every
// hotline call (dialplan `socket … async full`) and for every answered survey call
// (`&socket(…)` in the originate string). One connection = one call = one flow.
import net from 'node:net';
import { ResumePoint, resumeInboundCall, runInboundCall } from '../flows/inbound';
import { MessageReason } from '../channel';
import { runSurveyCall } from '../flows/survey';
import { FlowSettings } from '../flows/context';
import { HotlineServices } from '../services';
import { CallEvent } from '../telephony';
import { EslCallChannel } from './call-channel';
import { EslConnection, EslEvent, Server, answerConnectFirst, handleFramesDirectly, headersOf, eslLog } from './modesl';

export interface IvrServerOptions {
  host: string;
  port: number;
  promptsDir: string;
  settings: FlowSettings;
  services: HotlineServices;
  now: () => Date;
  report: (e: CallEvent) => void;
  /** Called with each new call before its flow starts (the adapter tracks it). */
  onCall?: (ch: EslCallChannel) => void;
  /** The survey this call was placed for, once (ivr/survey-ledger.ts); null: not a call the dialer placed. */
  claimSurvey: (callId: string, token: string | null) => Promise<{ ticketId: number; attempt: number } | null>;
  /** Called for every event handled (the benchmark measures event → next command). */
  onEventHandled?: (ch: EslCallChannel, receivedAt: number) => void;
}

/** The events a call's flow reads on its own socket (EslCallChannel.handleEvent). */
export const OUTBOUND_EVENTS = ['CHANNEL_EXECUTE_COMPLETE', 'DTMF', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE'];

export class IvrServer {
  private server: net.Server | null = null;
  readonly calls = new Map<string, EslCallChannel>();

  constructor(private o: IvrServerOptions) {}

  async start(): Promise<number> {
    const srv = net.createServer({ noDelay: true });
    srv.on('connection', (sock) => {
      this.sockets.add(sock);
      sock.once('close', () => this.sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(this.o.port, this.o.host, () => resolve());
    });
    this.server = srv;
    // myevents: false, because the connection sends `myevents` itself, with `connect` (setUp).
    const esl = new Server({ server: srv, myevents: false });
    esl.on('connection::open', (conn: EslConnection) => {
      conn.on('error', (err: Error) => eslLog('warn', `IVR socket: ${err.message}`));
      answerConnectFirst(conn);
      setUp(conn);
    });
    esl.on('connection::ready', (conn: EslConnection) => this.onReady(conn));
    return (srv.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const ch of this.calls.values()) ch.close();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  /** Test support: the process died. Every call socket is dropped; the flows never hear of it. */
  async crash(): Promise<void> {
    for (const ch of this.calls.values()) ch.freeze();
    this.calls.clear();
    const srv = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  private readonly sockets = new Set<net.Socket>();

  private onReady(conn: EslConnection): void {
    if (!conn.getInfo()) return;
    const ch = new EslCallChannel(conn, this.o.promptsDir);
    this.calls.set(ch.callId, ch);
    const { report, now } = this.o;
    ch.onDtmf = (digit) => report({ type: 'dtmf', at: now().toISOString(), callId: ch.callId, digit });
    handleFramesDirectly(conn, (evt: EslEvent, headers: Record<string, string>) => {
      const t = performance.now();
      const type = headers['Content-Type'] ?? '';
      if (type === 'text/disconnect-notice') {
        ch.markHungUp('NORMAL_CLEARING');
        return;
      }
      if (!type.startsWith('text/event-')) return;
      ch.handleEvent(headersOf(evt));
      this.o.onEventHandled?.(ch, t);
    });
    conn.on('esl::end', () => ch.markHungUp('SOCKET_CLOSED'));
    // A socket destroyed (an unreadable frame, a reset) closes without 'end'.
    conn.socket?.on('close', () => ch.markHungUp('SOCKET_CLOSED'));
    this.o.onCall?.(ch);
    void this.run(ch);
  }

  private async run(ch: EslCallChannel): Promise<void> {
    const ctx = { channel: ch, services: this.o.services, settings: this.o.settings, now: this.o.now, report: this.o.report };
    try {
      if (ch.variables.return_visit_ticket_id !== undefined || ch.variables.return_visit_token !== undefined) {
        // A survey only on a call the dialer placed, with its token, once; the ticket is the ledger's.
        const placed = await this.o.claimSurvey(ch.callId, ch.variables.return_visit_token ?? '');
        if (placed) await runSurveyCall(ctx, placed);
        else await ch.hangup('CALL_REJECTED');
      } else if (ch.variables.hotline_step) {
        // Handed back by the dialplan after the app went away mid-call (hotline_resume.xml).
        eslLog('info', `call ${ch.callId} handed back by the dialplan at step ${ch.variables.hotline_step}`);
        await resumeInboundCall(ctx, resumePoint(ch.variables));
      } else await runInboundCall(ctx);
      // Every flow ends with a hang-up, or a bridge that lasts until the call ends; the socket
      // closing (switch restart) also counts as the end.
      await ch.ended();
    } catch (err) {
      eslLog('error', `IVR flow of ${ch.callId} failed: ${(err as Error).stack ?? err}`);
      await ch.hangup('NORMAL_TEMPORARY_FAILURE').catch(() => undefined);
    } finally {
      this.calls.delete(ch.callId);
      ch.close();
    }
  }
}

/**
 * A call socket's set-up, sent with `connect` in the same write (answerConnectFirst): FreeSWITCH
 * runs these in order once `connect` is answered, before any command the flow sends later.
 */
function setUp(conn: EslConnection): void {
  const ignore = () => undefined;
  // Bound to its own channel first: no other channel's events, whatever is subscribed after.
  conn.sendRecv('myevents', null, ignore);
  // A plain `linger` keeps the socket open after the hang-up, so that the last events
  // (RECORD_STOP, CHANNEL_HANGUP_COMPLETE) still arrive; we then say `exit` ourselves.
  conn.sendRecv('linger', null, ignore);
  // myevents does not deliver PLAYBACK_*/RECORD_* on an outbound socket: subscribed explicitly (json;
  // modesl's `events` adds the BACKGROUND_JOB and CHANNEL_EXECUTE_COMPLETE it would have subscribed to itself).
  conn.events('json', ['RECORD_START', 'RECORD_STOP', 'PLAYBACK_STOP', 'DTMF'], ignore);
  // Of the ~40 events a call's socket carries (4–9 kB each), the flow reads only these: filters
  // keep the rest off the wire (bench:ivr's burst spent most of its time decoding events nobody read).
  for (const name of OUTBOUND_EVENTS) conn.sendRecv(`filter Event-Name ${name}`, null, ignore);
}

/** Where a call handed back by the dialplan stands, from its channel variables. */
export function resumePoint(v: Readonly<Record<string, string>>): ResumePoint {
  switch (v.hotline_step) {
    case 'queue':
      // Still up after the queue: hangup_after_bridge ends a bridged call, so the wait ran out.
      return { step: 'queue', result: { bridged: false, cancelReason: v.cc_cancel_reason || 'TIMEOUT' } };
    case 'message': {
      const r = v.hotline_message_reason;
      return { step: 'message', reason: (['after_hours', 'overflow', 'caller_choice'].includes(r) ? r : 'caller_choice') as MessageReason };
    }
    case 'done':
      return { step: 'done' };
    default:
      return { step: 'answered' };
  }
}
