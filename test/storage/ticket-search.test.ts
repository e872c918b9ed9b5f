// The search's SQL against the same question asked of the tickets in plain code, on a few
// thousand tickets (enough for a page to be read from the key's end on SQLite): filters,
// text by character pairs (an exact substring after normalization), order, capped count.
import assert from 'node:assert/strict';
import { Knex } from 'knex';
import { closeTestDb, openTestDb } from '../support/db';
import { COUNT_CAP, insertTicket, searchTickets, TicketFilter } from '../../storage/tickets';
import { normalizeForSearch, queryGrams } from '../../storage/search-text';
import { newTicket, appealInput } from '../../workflow/intake';
import { Ticket } from '../../workflow/types';

describe('ticket search SQL agrees with the tickets themselves', function () {
  this.timeout(120_000);
  let db: Knex;
  const all: Ticket[] = [];
  const now = new Date('2026-12-07T02:00:00Z');
  const towns = ['shengcheng', 'wenjia', 'gucheng'];
  const texts = ['小区路灯坏了好几天', '楼下烧烤店噪音太大', '物业不给修电梯', '路灯杆倒了很危险', '公司拖欠工资三个月', '下水道堵了，臭味很大', '路口灯不亮'];

  before(async () => {
    db = await openTestDb();
    await db('units').insert({ code: 'cgj', name: '城市管理局', kind: 'department' });
    await db.transaction(async (trx) => {
      for (let i = 0; i < 2600; i++) {
        const input = appealInput.parse({ channel: i % 3 ? 'hotline' : 'web', kind: i % 5 ? 'complaint' : 'consult', content: `${texts[i % texts.length]}（第${i}次）`, citizenName: i % 2 ? '王先生' : '李女士', citizenPhone: `1381234${String(i).padStart(4, '0')}`, address: `${i % 4 ? '金光街' : '农圣街'}${i}号`, town: towns[i % 3] });
        const at = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 3600_000);
        const t = { ...newTicket(input, null, at), number: `2026${String(i).padStart(8, '0')}`, status: (i % 7 === 0 ? 'closed' : 'accepted') as Ticket['status'], leadUnit: i % 2 ? 'cgj' : null, coUnits: i % 11 === 0 ? ['zjj'] : i % 13 === 0 ? ['cgj'] : [], urgency: (i % 50 === 0 ? 'emergency' : 'general') as Ticket['urgency'] };
        all.push(await insertTicket(trx, t));
      }
    });
  });
  after(async () => closeTestDb(db));

  const expect = (pred: (t: Ticket) => boolean) => all.filter(pred).sort((a, b) => b.id - a.id);
  const check = async (f: TicketFilter, pred: (t: Ticket) => boolean, pageSize = 20, page = 1) => {
    const want = expect(pred);
    const got = await searchTickets(db, f, page, pageSize, now);
    assert.deepEqual([got.total, got.totalCapped], [Math.min(want.length, COUNT_CAP), want.length > COUNT_CAP], JSON.stringify(f));
    assert.deepEqual(got.items.map((t) => t.id), want.slice((page - 1) * pageSize, page * pageSize).map((t) => t.id), JSON.stringify(f));
  };
  const has = (t: Ticket, q: string) => normalizeForSearch(`${t.title ?? ''}${t.content}`).includes(normalizeForSearch(q));

  it('broad filters (more than a page of thousands): newest first, the same tickets as in code', async () => {
    await check({}, () => true);
    await check({ status: ['accepted'] }, (t) => t.status === 'accepted', 50, 3);
    await check({ towns: ['wenjia'], kind: ['complaint'] }, (t) => t.town === 'wenjia' && t.kind === 'complaint');
    await check({ units: ['cgj'], channel: ['hotline'] }, (t) => t.leadUnit === 'cgj' && t.channel === 'hotline', 20, 10);
    await check({ from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' }, (t) => t.acceptedAt >= '2026-02-01T00:00:00.000Z' && t.acceptedAt < '2026-03-01T00:00:00.000Z');
    await check({ name: '王' }, (t) => t.citizenName === '王先生');
  });

  it('text: the characters in a row, punctuation ignored; two characters are enough', async () => {
    for (const q of ['路灯', '路灯坏了', '噪音太大', '堵了臭味', '灯不亮', '工资']) {
      await check({ text: queryGrams(q)! }, (t) => has(t, q));
    }
    await check({ text: queryGrams('路灯')!, status: ['closed'] }, (t) => has(t, '路灯') && t.status === 'closed');
    await check({ addressText: queryGrams('农圣街')! }, (t) => (t.address ?? '').includes('农圣街'));
    await check({ text: queryGrams('坏了路灯')! }, (t) => has(t, '坏了路灯'));
  });

  it("a unit's tickets: those it leads and those it co-handles, counted in two parts", async () => {
    await check({ visibleToUnit: 'zjj' }, (t) => t.coUnits.includes('zjj'));
    await check({ visibleToUnit: 'cgj' }, (t) => t.leadUnit === 'cgj' || t.coUnits.includes('cgj'), 20, 7);
    await check({ visibleToUnit: 'cgj', text: queryGrams('路灯')!, status: ['accepted'] }, (t) => (t.leadUnit === 'cgj' || t.coUnits.includes('cgj')) && has(t, '路灯') && t.status === 'accepted');
    await check({ visibleToUnit: 'zjj', towns: ['wenjia'] }, (t) => t.coUnits.includes('zjj') && t.town === 'wenjia');
  });

  it('words with a unit, a status or a date range: every page in either order, the same as in code', async () => {
    const cgj = (t: Ticket) => t.leadUnit === 'cgj' || t.coUnits.includes('cgj');
    // 路灯 is in two texts of seven: a few hundred matches, pages 1, 3 and the last.
    for (const page of [1, 3, 9]) await check({ visibleToUnit: 'cgj', text: queryGrams('路灯')! }, (t) => cgj(t) && has(t, '路灯'), 20, page);
    await check({ visibleToUnit: 'zjj', text: queryGrams('工资')! }, (t) => t.coUnits.includes('zjj') && has(t, '工资'));
    await check({ units: ['cgj'], status: ['closed'], text: queryGrams('噪音')! }, (t) => t.leadUnit === 'cgj' && t.status === 'closed' && has(t, '噪音'));
    // 第1 (第1次, 第10次 … 第1999次): 1,111 matches, past the count's cap; a page beyond it still loads.
    await check({ text: queryGrams('第1')! }, (t) => has(t, '第1'), 50, 21);
    await check({ text: queryGrams('第1')! }, (t) => has(t, '第1'), 50, 20);
    const from = '2026-02-01T00:00:00.000Z';
    const to = '2026-03-01T00:00:00.000Z';
    await check({ text: queryGrams('物业')!, from, to }, (t) => has(t, '物业') && t.acceptedAt >= from && t.acceptedAt < to);
    const oldestFirst = all.filter((t) => cgj(t) && has(t, '噪音')).sort((a, b) => a.id - b.id);
    const got = await searchTickets(db, { visibleToUnit: 'cgj', text: queryGrams('噪音')! }, 2, 10, now, 'acceptedAt');
    assert.deepEqual(got.items.map((t) => t.id), oldestFirst.slice(10, 20).map((t) => t.id));
    assert.equal(got.total, oldestFirst.length);
  });

  it('selective filters: emergencies, a phone, a number prefix', async () => {
    await check({ urgency: ['emergency'] }, (t) => t.urgency === 'emergency');
    await check({ phone: '13812340042' }, (t) => t.citizenPhone === '13812340042');
    await check({ numberPrefix: '20260000012' }, (t) => t.number.startsWith('20260000012'));
  });
});
