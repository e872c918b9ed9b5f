// The FastAGI listener: Asterisk connects here for every hotline call (extensions.conf
// `AGI(agi://…/hotline)`). One connection = one call = one run of the inbound flow.
import net from 'node:net';
import { FlowSettings } from '../flows/context';
import { ResumePoint, resumeInboundCall, runInboundCall } from '../flows/inbound';
import { MessageReason } from '../channel';
import { HotlineServices } from '../services';
import { CallEvent } from '../telephony';
import { AgiCallChannel } from './agi-channel';
import { amiLog } from './ami';

export interface AgiServerOptions {
  host: string;
  port: number;
  promptsDir: string;
  queueMaxWaitS: number;
  settings: FlowSettings;
  services: HotlineServices;
  now: () => Date;
  report: (e: CallEvent) => void;
  onCall?: (ch: AgiCallChannel) => void;
}

/** Reads the `agi_*: value` block up to the empty line; the rest of the chunk is kept. */
export function parseAgiEnvironment(text: string): { env: Record<string, string>; rest: string } | null {
  const end = text.search(/\r?\n\r?\n/);
  if (end < 0) return null;
  const env: Record<string, string> = {};
  for (const line of text.slice(0, end).split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) env[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { env, rest: text.slice(end).replace(/^\r?\n\r?\n/, '') };
}

export class AgiServer {
  private server: net.Server | null = null;
  readonly calls = new Map<string, AgiCallChannel>();

  constructor(private o: AgiServerOptions) {}

  async start(): Promise<number> {
    const srv = net.createServer({ noDelay: true }, (sock) => this.onConnection(sock));
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(this.o.port, this.o.host, () => resolve());
    });
    this.server = srv;
    return (srv.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    // Destroyed, not ended: Asterisk reads a FastAGI socket only between commands, so one in the
    // middle of EXEC Queue would never close, and the listener would wait for it for ever. The
    // calls go on in Asterisk; the dialplan hands them back (AGI …,resume) when the step ends.
    for (const ch of this.calls.values()) ch.destroy();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  private onConnection(sock: net.Socket): void {
    sock.setEncoding('utf8');
    let head = '';
    const timer = setTimeout(() => sock.destroy(), 10000);
    const onHead = (d: string) => {
      head += d;
      const parsed = parseAgiEnvironment(head);
      if (!parsed) {
        if (head.length > 16384) sock.destroy();
        return;
      }
      clearTimeout(timer);
      sock.off('data', onHead);
      if (!parsed.env.agi_uniqueid) {
        amiLog('warn', 'FastAGI connection without agi_uniqueid: closed');
        sock.destroy();
        return;
      }
      const ch = new AgiCallChannel(sock, parsed.env, parsed.rest, { promptsDir: this.o.promptsDir, queueMaxWaitS: this.o.queueMaxWaitS });
      this.calls.set(ch.callId, ch);
      this.o.onCall?.(ch);
      void this.run(ch);
    };
    sock.on('data', onHead);
    sock.on('error', () => undefined);
  }

  /** Where a call handed back by the dialplan (`AGI(…,resume)`) stands, from its channel variables. */
  private async resumePoint(ch: AgiCallChannel): Promise<ResumePoint> {
    const step = await ch.getVariable('HOTLINE_STEP');
    if (step === 'queue') {
      const result = await ch.queueResult();
      // Bridged, and the operator hung up first: the call ends, as after enterQueue.
      if (result.bridged) await ch.hangup();
      return { step, result };
    }
    if (step === 'message') {
      const reason = await ch.getVariable('HOTLINE_MESSAGE_REASON');
      return { step, reason: (['after_hours', 'overflow', 'caller_choice'].includes(reason) ? reason : 'caller_choice') as MessageReason };
    }
    if (step === 'done') return { step };
    return { step: 'answered' };
  }

  private async run(ch: AgiCallChannel): Promise<void> {
    const ctx = { channel: ch, services: this.o.services, settings: this.o.settings, now: this.o.now, report: this.o.report };
    try {
      if (ch.variables.agi_arg_1 === 'resume') {
        amiLog('info', `call ${ch.callId} handed back by the dialplan`);
        await resumeInboundCall(ctx, await this.resumePoint(ch));
      } else await runInboundCall(ctx);
      await ch.ended();
    } catch (err) {
      amiLog('error', `IVR flow of ${ch.callId} failed: ${(err as Error).stack ?? err}`);
      await ch.hangup().catch(() => undefined);
    } finally {
      this.calls.delete(ch.callId);
      ch.close();
    }
  }
}
