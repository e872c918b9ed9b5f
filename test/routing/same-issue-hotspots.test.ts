import assert from 'node:assert/strict';
import { findSameIssue, hotSpots, hotWords, type OpenTicket } from '../../routing/index';

const ticket = (id: number, content: string, address: string | null, acceptedAt: string, eventType = 'CX-0120', town: string | null = 'shengcheng'): OpenTicket => ({
  id,
  number: `20261123${String(id).padStart(4, '0')}`,
  eventType,
  town,
  address,
  content,
  acceptedAt,
});

describe('same issue (并案) and hot spots', () => {
  const open = [
    ticket(1, '农圣街和渤海路路口自来水管爆了，水一直往外冒', '圣城街道农圣街渤海路路口', '2026-11-23T08:00:00Z'),
    ticket(2, '小区楼道灯不亮', '圣城街道某小区3号楼', '2026-11-23T07:00:00Z', 'CX-0101'),
    ticket(3, '农圣街渤海路口水管破了', '圣城街道农圣街渤海路路口', '2026-11-10T08:00:00Z'),
  ];

  it('a second caller about the same burst pipe at the same corner is offered the open ticket to link', () => {
    const m = findSameIssue(
      { text: '渤海路农圣街路口的水管破了，水冒得满街都是', address: '农圣街渤海路口', eventType: 'CX-0120', town: 'shengcheng' },
      open,
      { now: '2026-11-23T09:00:00Z' },
    );
    assert.equal(m[0]?.id, 1);
    assert.match(m[0].reason, /建议并案/);
    assert.ok(!m.some((x) => x.id === 3), 'a ticket older than the window is not offered');
    assert.ok(!m.some((x) => x.id === 2), 'another type is not the same issue');
  });

  it('the same kind of matter in another town is not the same issue', () => {
    const m = findSameIssue({ text: '水管爆了', eventType: 'CX-0120', town: 'yangkou' }, open, { now: '2026-11-23T09:00:00Z' });
    assert.deepEqual(m, []);
  });

  it('bad rows are skipped, not thrown on', () => {
    assert.deepEqual(findSameIssue({ text: '' }, open), []);
    assert.deepEqual(findSameIssue({ text: '水管爆了' }, [{ id: 9, acceptedAt: 'not a date' } as OpenTicket]), []);
  });

  it('warns when a type rises in a town beyond its own baseline, and not for its usual level', () => {
    const now = '2026-11-23T12:00:00Z';
    const rows = [];
    // Usual: one water complaint a day in 圣城 for four weeks; one lamp complaint a day in 文家.
    for (let d = 1; d <= 28; d++) {
      const at = new Date(Date.parse(now) - d * 86400000 - 3600000).toISOString();
      rows.push({ eventType: 'CX-0120', town: 'shengcheng', at }, { eventType: 'CX-0101', town: 'wenjia', at });
    }
    // Today: eight water complaints in 圣城, the usual one lamp complaint in 文家.
    for (let h = 1; h <= 8; h++) rows.push({ eventType: 'CX-0120', town: 'shengcheng', at: new Date(Date.parse(now) - h * 3600000).toISOString() });
    rows.push({ eventType: 'CX-0101', town: 'wenjia', at: new Date(Date.parse(now) - 3600000).toISOString() });
    const spots = hotSpots(rows, now);
    assert.equal(spots.length, 1);
    assert.equal(spots[0].eventType, 'CX-0120');
    assert.equal(spots[0].count, 8);
    assert.equal(spots[0].baseline, 1);
  });

  it('hot words of a day are the words in many of its appeals that were rare before', () => {
    const days = [
      { period: '2026-11-21', texts: ['路灯坏了', '小区停车难', '噪音扰民'] },
      { period: '2026-11-22', texts: ['路灯坏了', '物业不管', '小区停车难'] },
      { period: '2026-11-23', texts: ['小区停水三天了', '停水了没人通知', '又停水了', '路灯坏了'] },
    ];
    const out = hotWords(days, { minCount: 2 });
    assert.equal(out.length, 3);
    assert.equal(out[2].words[0].word, '停水');
    assert.equal(out[2].words[0].count, 3);
  });
});
