import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseCsvObjects } from '../../routing/csv';
import { buildRouting, RoutingConfigError } from '../../routing/index';
import { parseGovernmentTaxonomy, parseTaxonomy, parseUnits } from '../../routing/taxonomy';
import { parseGazetteer } from '../../routing/gazetteer';
import { committedRouting, readJsonFile, repoRoot, requireSharedData, sharedData } from './support';

const units = () => readJsonFile('city/demo/units.json');
const catalogue = () => readJsonFile('city/demo/event-types.json');

describe('event-type catalogue', () => {
  it('has at least the 178 original event types, each with a unique code, an owning department and existing co-handling units', () => {
    const r = committedRouting();
    const all = r.taxonomy.eventTypes;
    assert.ok(all.length >= 178, `${all.length} types`);
    assert.equal(new Set(all.map((t) => t.code)).size, all.length);
    for (const t of all) {
      assert.equal(r.units.byCode.get(t.owner)?.kind, 'department', `${t.code} owner`);
      for (const c of t.coUnits) assert.ok(r.units.byCode.has(c), `${t.code} co-unit ${c}`);
      assert.ok(t.keywords.length > 0 && t.examples.length > 0, `${t.code} has keywords and an example phrasing`);
    }
  });

  it('covers all 30 departments of the demo city (the 26 bureaus and utilities, the fire brigade, 120, the gas and heating companies)', () => {
    const r = committedRouting();
    const involved = new Set(r.taxonomy.eventTypes.flatMap((t) => [t.owner, ...t.coUnits]));
    const departments = r.units.units.filter((u) => u.kind === 'department').map((u) => u.code);
    assert.equal(departments.length, 30);
    assert.deepEqual(departments.filter((d) => !involved.has(d)), [], 'every department leads or co-handles some type');
    for (const d of ['xfjy', 'jjzx', 'rqgs', 'rlgs']) assert.ok(departments.includes(d), d);
  });

  it('every event type carries its path in the government taxonomy (level1/level2/level3), checked at load for all', () => {
    const gov = new Set(
      parseCsvObjects(fs.readFileSync(path.join(repoRoot, 'city/demo/appeal-taxonomy.csv'), 'utf8')).map((r) => `${r.level1}/${r.level2}/${r.level3}`),
    );
    assert.equal(gov.size, 517);
    for (const t of committedRouting().taxonomy.eventTypes) {
      assert.ok(t.taxonomyClasses.length > 0, t.code);
      for (const c of t.taxonomyClasses) assert.ok(gov.has(`${t.category}/${t.subcategory}/${c}`), `${t.code} ${t.category}/${t.subcategory}/${c}`);
    }
    const doc = catalogue();
    doc.eventTypes[0].taxonomyClasses = ['不存在的三级分类'];
    assert.throws(() => parseTaxonomy(doc, parseUnits(units()), parseGovernmentTaxonomy(parseCsvObjects(fs.readFileSync(path.join(repoRoot, 'city/demo/appeal-taxonomy.csv'), 'utf8')))), /政府分类表中没有 .*不存在的三级分类/);
  });

  it('the committed government taxonomy is the one in ../shared/data', function () {
    requireSharedData(this);
    assert.equal(fs.readFileSync(path.join(repoRoot, 'city/demo/appeal-taxonomy.csv'), 'utf8'), fs.readFileSync(path.join(sharedData, 'appeal-taxonomy.csv'), 'utf8'));
  });

  it('follows the government where the old catalogue disagreed: buses under 城乡建设/公共汽车, lifts under 商贸旅游/特种设备管理', () => {
    const r = committedRouting();
    const bus = r.taxonomy.eventTypes.find((t) => t.name === '公交线路与服务')!;
    assert.deepEqual([bus.category, bus.subcategory, bus.taxonomyClasses[0]], ['城乡建设', '城市建设和市政管理', '公共汽车']);
    const lift = r.taxonomy.eventTypes.find((t) => t.name === '电梯故障')!;
    assert.deepEqual([lift.category, lift.subcategory, lift.taxonomyClasses[0], lift.owner], ['商贸旅游', '质监检验检疫', '特种设备管理', 'scj']);
  });

  it('refuses per-type emergency triggers (emergencies come from the danger rules) and a rural counterpart that is not town-led', () => {
    const doc = catalogue();
    doc.eventTypes[0].emergencyTriggers = ['着火'];
    assert.throws(() => parseTaxonomy(doc, parseUnits(units())), /emergencyTriggers 已不再使用/);
    const doc2 = catalogue();
    doc2.eventTypes.find((t: { code: string }) => t.code === 'CX-0107').rural = 'CX-0101';
    assert.throws(() => parseTaxonomy(doc2, parseUnits(units())), /必须是属地镇街牵头/);
    const doc3 = catalogue();
    doc3.eventTypes.find((t: { code: string }) => t.code === 'CX-0107').rural = 'XX-0000';
    assert.throws(() => parseTaxonomy(doc3, parseUnits(units())), /XX-0000 不存在/);
  });

  it('uses the government taxonomy’s first-level names exactly, and merges only its real second/third-level classes', function () {
    requireSharedData(this);
    const rows = parseCsvObjects(fs.readFileSync(path.join(sharedData, 'appeal-taxonomy.csv'), 'utf8'));
    const known = new Set(rows.map((r) => `${r.level1}/${r.level2}/${r.level3}`));
    for (const t of committedRouting().taxonomy.eventTypes)
      for (const c of t.taxonomyClasses) assert.ok(known.has(`${t.category}/${t.subcategory}/${c}`), `${t.code} ${t.category}/${t.subcategory}/${c}`);
  });

  it('refuses a catalogue with a duplicate code, an unknown owner or an unknown co-handling unit, naming each problem', () => {
    const doc = catalogue();
    doc.eventTypes[1].code = doc.eventTypes[0].code;
    doc.eventTypes[2].owner = 'nosuchdept';
    doc.eventTypes[3].coUnits = ['ghost'];
    assert.throws(
      () => parseTaxonomy(doc, parseUnits(units())),
      (e: Error) => e instanceof RoutingConfigError && /编码重复/.test(e.message) && /nosuchdept/.test(e.message) && /ghost/.test(e.message),
    );
  });

  it('refuses a town as the competent department of a type (towns lead by the territorial rule, not as owners)', () => {
    const doc = catalogue();
    doc.eventTypes[0].owner = 'shengcheng';
    assert.throws(() => parseTaxonomy(doc, parseUnits(units())), /不是职能部门/);
  });

  it('refuses a gazetteer that misses a town or points a place at an unknown one', () => {
    const g = readJsonFile('city/demo/gazetteer.json');
    g.towns = g.towns.filter((t: { code: string }) => t.code !== 'yangkou');
    g.places.push({ name: '某村', kind: 'village', town: 'atlantis' });
    assert.throws(() => parseGazetteer(g, parseUnits(units())), (e: Error) => /yangkou/.test(e.message) && /atlantis/.test(e.message));
  });

  it('refuses a model file of another format with a message that says to retrain', () => {
    assert.throws(
      () => buildRouting({ units: units(), taxonomy: catalogue(), gazetteer: readJsonFile('city/demo/gazetteer.json'), model: { format: 'other' } }),
      /routing train/,
    );
  });

  it('lists every event type for the Open311 service list with its first-level group', () => {
    const list = committedRouting().eventTypes();
    assert.equal(list.length, committedRouting().taxonomy.eventTypes.length);
    const light = list.find((s) => s.name === '路灯损坏')!;
    assert.equal(light.group, '城乡建设');
    assert.ok(light.keywords.includes('路灯'));
    assert.equal(committedRouting().eventType(light.code)?.owner, 'cgj');
    assert.equal(committedRouting().eventType('XX-9999'), null);
  });
});
