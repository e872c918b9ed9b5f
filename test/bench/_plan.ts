import knexFactory from 'knex';
import { applyTicketFilter } from '../../storage/tickets';
const db = knexFactory({ client: 'better-sqlite3', connection: { filename: '/tmp/hotline-bench-search/tickets-1000000.db', readonly: true } as any, useNullAsDefault: true });
const now = new Date('2026-12-07T02:00:00Z');
const cases: Record<string, any> = {
  unitAll: { visibleToUnit: 'cgj' }, unitSmall: { visibleToUnit: 'daotian' }, unitText: { visibleToUnit: 'cgj', text: ['路灯'] }, overdue: { overdue: true },
  nameWang: { name: '王' }, latest: {}, unitStatus: { units: ['cgj'], status: ['dispatched', 'acknowledged', 'supervised'] },
  townKindDate: { towns: ['wenjia'], kind: ['complaint'], from: '2026-03-01T00:00:00.000Z', to: '2026-11-20T00:00:00.000Z' },
  phone: { phone: '13812345678' }, emergency: { urgency: ['emergency'], status: ['dispatched', 'acknowledged'] }, textStatus: { text: ['路灯'], status: ['dispatched', 'acknowledged', 'replied'], from: '2026-11-07T00:00:00.000Z' },
  addr: { addressText: ['金光', '光街'] }, text2: { text: ['噪音'] },
};
(async () => {
  for (const [name, f] of Object.entries(cases)) {
    const q = applyTicketFilter(db('tickets'), f, now, 'scan').select('tickets.*').orderBy(f.text || f.addressText ? 'ticket_text.rowid' : 'tickets.id', 'desc').limit(20).toSQL().toNative();
    const c = applyTicketFilter(db('tickets'), f, now).select(db.raw('1')).limit(10001).toSQL().toNative();
    const t0 = Date.now();
    const n = await db.raw(`select count(*) n from (${c.sql})`, c.bindings as any);
    const t1 = Date.now();
    await db.raw(q.sql, q.bindings as any);
    console.log(name, n[0].n, 'count', t1 - t0, 'ms; page', Date.now() - t1, 'ms');
  }
  await db.destroy();
})();
