// A second hotline server in its own process on the same PostgreSQL schema, for the
// fan-out test. Prints {"port": N} once it listens. Each line on stdin is a call event
// published on this server's bus (as its switch adapter would).
import readline from 'node:readline';
import { AddressInfo } from 'node:net';
import { openDb } from '../../../storage/db';
import { loadConfig } from '../../../server/config';
import { createHotline, listen } from '../../../server/hotline';
import { loadRoutingForServer } from '../../../server/routing-port';
import { INITIAL_PASSWORD } from '../../support/users';

(async () => {
  const db = await openDb({ url: process.env.DESK_TEST_DB_URL!, schema: process.env.DESK_TEST_SCHEMA });
  const config = loadConfig({ HOTLINE_DEMO_PASSWORD: INITIAL_PASSWORD, PORT: '0', HOST: '127.0.0.1', SCHEDULER_INTERVAL_MS: '0' });
  const h = await createHotline(config, { db, routing: loadRoutingForServer(), log: () => {} });
  const server = await listen(h, 0, '127.0.0.1');
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim()) h.bus.emit('call', JSON.parse(line));
  });
  const stop = async () => {
    server.closeAllConnections?.();
    server.close();
    await h.close();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop());
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
