// Cross-instance fan-out: several servers on one PostgreSQL tell each other what their
// own bus heard, over LISTEN/NOTIFY. A ticket travels as its id and new event ids (the
// receiver reads the committed rows: a NOTIFY payload is limited to 8,000 bytes); a call
// event travels whole; a transcript as its recording id (the receiver reads it). On SQLite there is one server and no fan-out.
import crypto from 'node:crypto';
import { Knex } from 'knex';
import { Client } from 'pg';
import type { CallEvent } from '../ivr/telephony';
import type { HotlineEvents } from '../server/events';

export type FanoutMessage =
  | { type: 'ticket'; ticketId: number; eventIds: number[] }
  | { type: 'call'; call: CallEvent }
  | { type: 'alert'; alert: HotlineEvents['alert'] }
  | { type: 'transcript'; recordingId: number }
  /** An account was changed: each server forgets its cached sessions of the user and re-reads their sockets. */
  | { type: 'user'; userId: number };

export interface Fanout {
  readonly origin: string;
  publish(m: FanoutMessage): Promise<void>;
  close(): Promise<void>;
}

/** The channel name: one per database schema, so test schemas on one server stay apart. */
export function channelFor(schema: string | null): string {
  return `hotline_desk_${(schema ?? 'public').replace(/[^a-z0-9_]/gi, '_')}`.slice(0, 63).toLowerCase();
}

export async function startPgFanout(db: Knex, onRemote: (m: FanoutMessage) => void, log: (l: string) => void): Promise<Fanout> {
  const cfg = (db as unknown as { client: { config: { connection: unknown; searchPath?: string | string[] } } }).client.config;
  const schema = Array.isArray(cfg.searchPath) ? cfg.searchPath[0] : (cfg.searchPath ?? null);
  const channel = channelFor(schema);
  const origin = crypto.randomBytes(8).toString('hex');
  let client: Client | null = null;
  let closed = false;
  const connect = async () => {
    const c = new Client(cfg.connection as string);
    c.on('error', (e) => log(`[desk] 推送转发连接出错：${e.message}，5 秒后重连`));
    c.on('end', () => {
      if (!closed) setTimeout(() => void connect().catch((e) => log(`[desk] 推送转发重连失败：${e.message}`)), 5000);
    });
    c.on('notification', (n) => {
      if (!n.payload) return;
      try {
        const { o, m } = JSON.parse(n.payload) as { o: string; m: FanoutMessage };
        if (o !== origin) onRemote(m);
      } catch {
        log('[desk] 收到无法解析的推送转发消息，已忽略');
      }
    });
    await c.connect();
    await c.query(`LISTEN ${channel}`);
    client = c;
  };
  await connect();
  return {
    origin,
    async publish(m) {
      const payload = JSON.stringify({ o: origin, m });
      if (Buffer.byteLength(payload) > 7900) return log(`[desk] 推送转发消息过大（${m.type}），未转发`);
      await db.raw('select pg_notify(?, ?)', [channel, payload]);
    },
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}
