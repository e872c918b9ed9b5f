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

  it('reads such a short name in the text where the caller says it is a place (俺是台头的, 住在古城那边)', () => {
    assert.equal(r().matchTown('俺是台头的，俺们庄里的垃圾池满了').town, 'taitou');
    assert.equal(r().matchTown('俺家在稻田，村里的路坏了').town, 'daotian');
    assert.equal(r().matchTown('住在古城那边，停水一天了').town, 'gucheng');
    assert.equal(r().matchTown('发票台头开错了').town, null);
    assert.equal(r().matchTown('古城墙边上的路灯坏了').town, null);
    assert.equal(r().matchTown('戴上口罩去医院').town, null);
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
