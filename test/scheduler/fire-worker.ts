// A second (and third) server process for the scheduler tests: opens the same test
// database, fires due alarms until none is left, prints how many events it wrote.
import { openDb } from '../../storage/db';
import { loadConfig } from '../../server/config';
import { createHotline } from '../../server/hotline';
import { loadRoutingForServer } from '../../server/routing-port';
import { INITIAL_PASSWORD } from '../support/users';

async function main() {
  const [url, schema, nowIso] = process.argv.slice(2);
  const db = await openDb({ url, schema: schema || undefined });
  const h = await createHotline(loadConfig({ SCHEDULER_INTERVAL_MS: '0', HOTLINE_DEMO_PASSWORD: INITIAL_PASSWORD }), {
    db, routing: loadRoutingForServer(), extensions: [], now: () => new Date(nowIso), log: () => {},
  });
  let total = 0;
  for (;;) {
    const events = await h.tickets.fireDueAlarms(20);
    total += events.length;
    const [{ n }] = await db('tickets').whereNotNull('next_alarm_at').where('next_alarm_at', '<=', nowIso).count({ n: '*' });
    if (Number(n) === 0) break;
  }
  process.stdout.write(JSON.stringify({ events: total }) + '\n');
  await db.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
