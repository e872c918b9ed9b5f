import assert from 'node:assert/strict';
import { rankingLine } from '../../server/cli/main';
import { computeKpis, RankedUnit } from '../../workflow/kpi';

describe('the printed unit ranking', () => {
  const blank = computeKpis([], [], { from: '2026-11-23T00:00:00+08:00', to: '2026-11-24T00:00:00+08:00' }).city;
  const ranked = (over: Partial<RankedUnit['kpis']>): RankedUnit => ({
    rank: 2, unit: 'cgj', score: 91.5, kpis: { ...blank, unit: 'cgj', closed: 8, onTimeRate: 0.875, satisfactionRate: 1, ...over },
  });

  it('shows returns and the hours from return to re-dispatch when the unit returned tickets', () => {
    assert.equal(
      rankingLine(ranked({ returns: 2, hoursLostToReturns: 5.5 }), '城市管理局'),
      '   2. 城市管理局　　　　　　　 91.50 分  办结 8  按时 87.5%  满意 100.0%  退单 2 件（退回至改派耗时 5.5 小时）',
    );
  });

  it('leaves them out when it returned none', () => {
    assert.doesNotMatch(rankingLine(ranked({}), '城市管理局'), /退单/);
  });
});
