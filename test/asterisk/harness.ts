// One app process (the Asterisk adapter) against the AMI test server, with a fixed
// clock and in-memory services.
import { setAmiLogger } from '../../ivr/asterisk/ami';
import { AsteriskTelephony, AsteriskOptions } from '../../ivr/asterisk/adapter';
import { AsteriskConfig, parseAsteriskConfig } from '../../ivr/asterisk/config';
import { CallEvent } from '../../ivr/telephony';
import { AmiTestServer, AmiTestServerOptions } from '../ami/server';
import { InMemoryHotline } from '../ivr/fake-services';

export const AMI_USER = 'hotline';
export const AMI_SECRET = 'test-ami-secret';
/** Monday 23 Nov 2026, 10:00 in Shouguang (a working day, within working hours). */
export const WORKING_TIME = new Date('2026-11-23T02:00:00Z');

export const logs: string[] = [];
setAmiLogger((level, message) => logs.push(`${level}: ${message}`));

export interface Harness {
  ast: AmiTestServer;
  tel: AsteriskTelephony;
  services: InMemoryHotline;
  events: CallEvent[];
  config: AsteriskConfig;
  waitFor<T extends CallEvent['type']>(type: T, pred?: (e: Extract<CallEvent, { type: T }>) => boolean, ms?: number): Promise<Extract<CallEvent, { type: T }>>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: { server?: AmiTestServerOptions; secret?: string; env?: Record<string, string>; agents?: string[]; adapter?: Partial<AsteriskOptions>; waitUp?: boolean } = {},
): Promise<Harness> {
  const ast = new AmiTestServer({ username: AMI_USER, secret: AMI_SECRET, authFailDelayMs: 20, surveyContext: 'hotline-survey', ...opts.server });
  const port = await ast.listen();
  const config = parseAsteriskConfig({ ASTERISK_AMI: `127.0.0.1:${port}:${AMI_USER}:${opts.secret ?? AMI_SECRET}`, ASTERISK_AGI_LISTEN: '127.0.0.1:0', ...opts.env });
  const services = new InMemoryHotline();
  const tel = new AsteriskTelephony({
    config, services, agents: opts.agents ?? ['1001', '1002'], now: () => WORKING_TIME,
    backoff: { initialMs: 20, maxMs: 100 }, pingEveryMs: 0, actionTimeoutMs: 2000, ...opts.adapter,
  });
  const events: CallEvent[] = [];
  const waiters: (() => void)[] = [];
  tel.onEvent((e) => {
    events.push(e);
    for (const w of waiters.splice(0)) w();
  });
  await tel.start();
  const h: Harness = {
    ast, tel, services, events, config,
    async waitFor(type, pred = () => true, ms = 3000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = events.find((e) => e.type === type && pred(e as never));
        if (found) return found as never;
        if (Date.now() > deadline) throw new Error(`no ${type} event within ${ms} ms; got ${events.map((e) => e.type).join(', ')}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, 20);
          waiters.push(() => { clearTimeout(t); r(); });
        });
      }
    },
    async close() {
      await tel.stop();
      await ast.close();
    },
  };
  if (opts.waitUp !== false) await h.waitFor('telephony_up');
  return h;
}

/** Waits until `cond` holds (polling), for state that is not an event. */
export async function until(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
