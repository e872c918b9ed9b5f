// One app process (the FreeSWITCH adapter with its IVR listener) against the ESL test
// server, with a fixed clock and in-memory services.
import { parseIvrConfig, IvrConfig } from '../../ivr/config';
import { FreeSwitchTelephony, FreeSwitchOptions } from '../../ivr/freeswitch/adapter';
import { setEslLogger } from '../../ivr/freeswitch/modesl';
import { CallEvent } from '../../ivr/telephony';
import { EslTestServer, EslTestServerOptions } from '../esl/server';
import { InMemoryHotline } from './fake-services';

export const ESL_PASSWORD = 'test-secret';
/** Monday 23 Nov 2026, 10:00 in Shouguang (a working day, within working hours). */
export const WORKING_TIME = new Date('2026-11-23T02:00:00Z');
/** Sunday 22 Nov 2026, 21:00 in Shouguang. */
export const AFTER_HOURS = new Date('2026-11-22T13:00:00Z');

export const logs: string[] = [];
const captureLogs = () => setEslLogger((level, message) => logs.push(`${level}: ${message}`));
captureLogs();

export interface Harness {
  fs: EslTestServer;
  tel: FreeSwitchTelephony;
  services: InMemoryHotline;
  events: CallEvent[];
  config: IvrConfig;
  app: { host: string; port: number };
  waitFor<T extends CallEvent['type']>(type: T, pred?: (e: Extract<CallEvent, { type: T }>) => boolean, ms?: number): Promise<Extract<CallEvent, { type: T }>>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: { server?: EslTestServerOptions; now?: Date; agents?: string[]; env?: Record<string, string>; adapter?: Partial<FreeSwitchOptions> } = {},
): Promise<Harness> {
  // Another file's tests may have put their own ESL logger in place (modesl.test.ts): the harness's logs again.
  captureLogs();
  const fs = new EslTestServer({ password: ESL_PASSWORD, ...opts.server });
  const port = await fs.listen();
  const config = parseIvrConfig({
    FREESWITCH_ESL: `127.0.0.1:${port}:${ESL_PASSWORD}`,
    IVR_LISTEN: '127.0.0.1:0',
    IVR_RECORDINGS_DIR: '/var/lib/freeswitch/recordings/hotline',
    IVR_PROMPTS_DIR: '/usr/share/freeswitch/sounds/hotline',
    SURVEY_DIAL: 'sofia/external/{phone}@127.0.0.1:5070',
    ...opts.env,
  });
  const services = new InMemoryHotline();
  const now = opts.now ?? WORKING_TIME;
  const tel = new FreeSwitchTelephony({
    config, services, agents: opts.agents ?? ['1001', '1002'], now: () => now,
    backoff: { initialMs: 20, maxMs: 100 }, ...opts.adapter,
  });
  const events: CallEvent[] = [];
  const waiters: (() => void)[] = [];
  tel.onEvent((e) => {
    events.push(e);
    for (const w of waiters.splice(0)) w();
  });
  await tel.start();
  const h: Harness = {
    fs, tel, services, events, config, app: { host: '127.0.0.1', port: tel.ivrPort },
    async waitFor(type, pred = () => true, ms = 3000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = events.find((e) => e.type === type && pred(e as never));
        if (found) return found as never;
        if (Date.now() > deadline) throw new Error(`no ${type} event within ${ms} ms; got ${events.map((e) => e.type).join(', ')}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, 50);
          waiters.push(() => { clearTimeout(t); r(); });
        });
      }
    },
    async close() {
      await tel.stop();
      await fs.close();
    },
  };
  await h.waitFor('telephony_up');
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
