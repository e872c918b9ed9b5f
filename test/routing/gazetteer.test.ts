import assert from 'node:assert/strict';
import { inCityDistrict, maskPlaces, matchSetting } from '../../routing/gazetteer';
import { committedRouting, engineOf } from './support';

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

  it('places a matter in the city district (a street office or a compound, no village named), the other side of the territorial line', () => {
    const e = engineOf(r());
    const city = (text: string, address: string | null, town: string | null) => inCityDistrict(e.units, text, address, town, matchSetting(e.units, text, address, town));
    assert.equal(city('有户人家在自家楼顶搭铁皮棚子', null, 'gucheng'), true, 'a street office, nothing said of a village');
    assert.equal(city('小区门口的路坏了', null, null), true, 'a compound');
    assert.equal(city('俺们村口的路坏了', null, 'gucheng'), false, 'a village in a street office stays the village');
    assert.equal(city('路边有人搭棚子', null, 'taitou'), false, 'a 镇 is no city district');
    assert.equal(city('路边有人搭棚子', null, null), false, 'nowhere said');
  });

  it('masks place names before the matter is read: a village named 北半截河 is not a river, 稻田镇 not a paddy field', () => {
    const g = engineOf(r()).gazetteer;
    assert.equal(maskPlaces(g, '在化龙镇北半截河村 村东头的垃圾池'), '在〇〇镇〇〇〇〇村 村东头的垃圾池');
    assert.equal(maskPlaces(g, '羊口镇 俺是河口村的'), '〇〇镇 俺是〇〇村的');
    assert.equal(maskPlaces(g, '双王城生态经济园区 俺们桥头村里'), '〇〇〇〇〇〇〇园区 俺们〇〇村里');
    // Not names: pronouns and time words stay (去年俺们村), matters ending like a place stay (城中村, 新农村, 老旧小区), crops stay (庄稼).
    for (const t of ['去年俺们村的路', '城中村改造', '新农村建设', '老旧小区没物业', '地里的庄稼', '那条村村通', '双王城水库漏水']) assert.equal(maskPlaces(g, t), t);
    // Where a thing went is no name: 扔到村后, 拉回村里, 搬进村里.
    for (const t of ['死羊 直接扔到村后的沟里', '垃圾又拉回村里了', '外地人搬进村里']) assert.equal(maskPlaces(g, t), t);
    // What the caller asks of a village is no name either: 建议村里, 希望村委会, 找社区, 反映小区 (the fix12 round saw 建议村里 read as a village 建议村, and the suggestion lost its 建议).
    for (const t of ['建议村里在路口装个路灯', '我想建议村委会把坑填上', '希望村里给修修', '俺找社区好几回了', '麻烦村里管管', '要求小区物业退钱', '俺问村里 村里说不归他管']) assert.equal(maskPlaces(g, t), t);
    // A name after such a word is still masked: 找河口村 masks 河口.
    assert.equal(maskPlaces(g, '俺建议 找河口村的人来修修'), '俺建议 找〇〇村的人来修修');
    for (const [text, lead] of [
      ['俺反映个事 在化龙镇北半截河村 村东头的垃圾池好几天没人清了 臭得不行', 'hualong'],
      ['羊口镇 俺是河口村的 村东头那个垃圾池子满了半个月了没人拉', 'yangkou'],
    ]) {
      const s = r().suggest({ text });
      assert.equal(s.leadUnit, lead, `${text}: ${s.explanation}`);
      assert.ok(!s.coUnits.includes('slj'), text);
    }
  });
});
