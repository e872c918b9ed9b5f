import assert from 'node:assert/strict';
import { startTestHotline, TestHotline } from '../support/hotline';

const MONDAY_10 = Date.parse('2026-11-23T02:00:00Z');

describe('bulletins: the daily bulletin of a working day', function () {
  let h: TestHotline;
  let now = MONDAY_10;
  before(async () => {
    h = await startTestHotline({ now: () => new Date(now), env: { SCHEDULER_INTERVAL_MS: '0' } });
  });
  after(async () => h.close());

  it('counts intake by channel and kind, closures on time and satisfaction, and ranks the units', async () => {
    const op = await h.as('op01');
    const cgj = await h.as('cgj');
    const lamp = (await op('POST', '/api/routing/suggest', { text: '路灯坏了' })).body.eventTypes[0].code;
    for (const [kind, channel] of [['complaint', 'hotline'], ['complaint', 'web'], ['consult', 'hotline']] as const) {
      await op('POST', '/api/tickets', { channel, kind, content: '金光街路灯坏了', town: 'shengcheng', eventType: lamp, ...(kind === 'consult' ? {} : { dispatch: { leadUnit: 'cgj', coUnits: [] } }) });
    }
    const id = (await op('GET', '/api/tickets?status=dispatched')).body.items[0].id;
    await cgj('POST', `/api/tickets/${id}/transitions`, { action: 'acknowledge' });
    await cgj('POST', `/api/tickets/${id}/transitions`, { action: 'reply', reason: '已修复' });
    await op('POST', `/api/tickets/${id}/transitions`, { action: 'review_approve' });
    await op('POST', `/api/tickets/${id}/transitions`, { action: 'record_return_visit', input: { outcome: 'satisfied' } });

    const sup = await h.as('sup01');
    const r = await sup('GET', '/api/bulletins/daily?date=2026-11-23');
    assert.equal(r.status, 200);
    assert.equal(r.body.intake.total, 3);
    assert.deepEqual(r.body.intake.byChannel, { hotline: 2, web: 1 });
    assert.deepEqual(r.body.intake.byKind, { complaint: 2, consult: 1 });
    assert.deepEqual(r.body.intake.byCategory, { 城乡建设: 3 });
    assert.deepEqual(r.body.intake.byTown, { shengcheng: 3 });
    assert.equal(r.body.kpis.city.closed, 1);
    assert.equal(r.body.kpis.city.onTimeRate, 1);
    assert.equal(r.body.kpis.city.satisfactionRate, 1);
    assert.deepEqual(r.body.ranking.map((x: any) => [x.rank, x.unit]), [[1, 'cgj']]);
    assert.equal((await sup('GET', '/api/bulletins/daily?date=2026-11-24')).body.intake.total, 0);
    assert.equal((await sup('GET', '/api/bulletins/monthly')).status, 400);
    assert.equal((await op('GET', '/api/bulletins/daily')).status, 403);
  });
});
