// Charts data and bulletins over any range (issue 14, defect 8's data side): trends with the
// same days a year before, distributions, rankings; never a day after today.
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startTestHotline, TestHotline, Caller } from '../support/hotline';

const WED_10 = Date.parse('2026-12-09T02:00:00Z'); // Wednesday 10:00 in the city

describe('charts and bulletins over a range', function () {
  let h: TestHotline;
  let now = WED_10;
  let op: Caller, sup: Caller, cgj: Caller;
  before(async () => {
    h = await startTestHotline({ now: () => new Date(now), env: { SCHEDULER_INTERVAL_MS: '0' } });
    [op, sup, cgj] = await Promise.all(['op01', 'sup01', 'cgj'].map((u) => h.as(u)));
    const lamp = (await op('POST', '/api/routing/suggest', { text: '路灯坏了' })).body.eventTypes[0].code;
    const at = async (iso: string, body: Record<string, unknown>) => {
      now = Date.parse(iso);
      const r = await op('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: '金光街路灯坏了', ...body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.ticket;
    };
    await at('2025-12-08T03:00:00Z', { town: 'shengcheng', eventType: lamp }); // a year before Tuesday
    await at('2026-12-07T01:00:00Z', { town: 'shengcheng', eventType: lamp, channel: 'web' }); // Monday
    await at('2026-12-08T03:00:00Z', { town: 'wenjia', eventType: lamp }); // Tuesday
    const t = await at('2026-12-08T16:30:00Z', { town: 'wenjia', content: '深夜有人在河边倾倒垃圾', kind: 'report', dispatch: { leadUnit: 'cgj', coUnits: [] } }); // Wed 00:30 city
    now = WED_10;
    await cgj('POST', `/api/tickets/${t.id}/transitions`, { action: 'acknowledge' });
    await cgj('POST', `/api/tickets/${t.id}/transitions`, { action: 'reply', reason: '已清理' });
    await op('POST', `/api/tickets/${t.id}/transitions`, { action: 'review_approve' });
    await op('POST', `/api/return-visits/${t.id}`, { outcome: 'satisfied' });
  });
  after(async () => h?.close());

  it('the 7-day trend ends today, counts by city day, and compares with the same days a year before', async () => {
    const r = await sup('GET', '/api/stats/trend?days=7&to=2026-12-31');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.to, '2026-12-09', 'no future day');
    assert.deepEqual(r.body.days.map((d: any) => d.day), ['2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07', '2026-12-08', '2026-12-09']);
    const byDay = Object.fromEntries(r.body.days.map((d: any) => [d.day, d]));
    assert.deepEqual([byDay['2026-12-07'].intake, byDay['2026-12-08'].intake, byDay['2026-12-09'].intake], [1, 1, 1]);
    assert.equal(byDay['2026-12-09'].closed, 1);
    assert.equal(byDay['2026-12-08'].lastYear, 1);
    assert.deepEqual([r.body.total, r.body.lastYearTotal, r.body.yoy], [3, 1, 2]);
  });

  it('distributions by town and category, biggest first, with labels', async () => {
    const towns = (await sup('GET', '/api/stats/distribution?by=town&from=2026-12-01')).body;
    assert.deepEqual(towns.items.map((i: any) => [i.label, i.count]), [['文家街道', 2], ['圣城街道', 1]]);
    const cats = (await sup('GET', '/api/stats/distribution?by=category&from=2026-12-01')).body;
    assert.deepEqual(cats.items.map((i: any) => [i.key, i.count]), [['城乡建设', 2], ['未分类', 1]]);
    assert.equal((await sup('GET', '/api/stats/distribution?by=mood')).status, 400);
    assert.equal((await sup('GET', '/api/stats/distribution?by=town&from=2026-12-09&to=2026-12-01')).status, 400);
    assert.equal((await cgj('GET', '/api/stats/distribution?by=town')).status, 403);
  });

  it('ranking, hot spots and KPIs of a range; the weekly bulletin plots no day after today (defect 8)', async () => {
    const rank = (await sup('GET', '/api/stats/ranking?from=2026-12-07&to=2026-12-09')).body;
    assert.deepEqual(rank.ranking.map((x: any) => [x.unitName, x.rank]), [['城市管理局', 1]]);
    const kpis = (await sup('GET', '/api/kpis?from=2026-12-07')).body;
    assert.equal(kpis.city.closed, 1);
    assert.equal((await sup('GET', '/api/stats/hotspots?from=2026-12-01')).status, 200);
    const week = (await sup('GET', '/api/bulletins/weekly?date=2026-12-09')).body;
    assert.deepEqual(week.intake.trend.map((d: any) => d.day), ['2026-12-07', '2026-12-08', '2026-12-09']);
    const range = (await sup('GET', '/api/bulletins/range?from=2026-12-07&to=2027-01-31')).body;
    assert.equal(range.period.days.at(-1), '2026-12-09');
    assert.equal(range.intake.total, 3);
    assert.equal((await sup('GET', '/api/bulletins/range?from=2026-01-01&to=2026-12-09')).status, 400, 'at most 92 days');
  });

  it('a bulletin downloads as a workbook', async () => {
    const login = await fetch(`${h.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sup01', password: 'test-password-1' }) });
    const token = (await login.json()).token;
    const res = await fetch(`${h.base}/api/bulletins/weekly.xlsx?date=2026-12-09`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as any);
    assert.deepEqual(wb.worksheets.map((w) => w.name), ['概况', '渠道', '诉求类型', '分类', '镇街', '趋势', '单位排名', '热词', '热点']);
    assert.equal(wb.getWorksheet('概况')!.getRow(3).getCell(2).value, 3);
    // A running week stops today, as on the desk: no period to Sunday, no future days in the trend.
    assert.equal(wb.getWorksheet('概况')!.getRow(2).getCell(2).value, '2026-12-07 至 2026-12-09（截至今日）');
    const trend = wb.getWorksheet('趋势')!.getColumn(1).values.slice(2);
    assert.deepEqual(trend, ['2026-12-07', '2026-12-08', '2026-12-09']);
  });
});
