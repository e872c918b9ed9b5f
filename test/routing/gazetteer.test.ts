import assert from 'node:assert/strict';
import { committedRouting } from './support';

describe('address matcher', () => {
  const r = () => committedRouting();

  it('finds the street office named in the operator’s notes', () => {
    const m = r().matchTown('我家楼下的路灯坏了一个星期了，在圣城街道');
    assert.equal(m.town, 'shengcheng');
    assert.equal(m.source, 'text');
  });

  it('prefers the address field over a town mentioned in passing', () => {
    const m = r().matchTown('我从羊口镇搬过来的，现在小区停水', '寿光市文家街道');
    assert.equal(m.town, 'wenjia');
    assert.equal(m.source, 'address');
  });

  it('reads a short name that is also an ordinary word (稻田) only in the address field', () => {
    assert.equal(r().matchTown('稻田里全是垃圾').town, null);
    assert.equal(r().matchTown('地里全是垃圾', '稻田').town, 'daotian');
  });

  it('maps a named village to its street office', () => {
    assert.equal(r().matchTown('三元朱村的大棚被雪压塌了').town, 'sunjiaji');
  });

  it('asks the operator when two towns are named', () => {
    const m = r().matchTown('化龙镇和营里镇交界的河堤有裂缝');
    assert.equal(m.town, null);
    assert.deepEqual([...m.candidates].sort(), ['hualong', 'yingli']);
  });

  it('returns no town, without error, for text that names none (or is not text)', () => {
    assert.equal(r().matchTown('路灯坏了').town, null);
    assert.equal(r().matchTown(undefined as unknown as string, 42 as unknown as string).town, null);
  });
});
