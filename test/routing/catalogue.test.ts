import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseCsvObjects } from '../../routing/csv';
import { buildRouting, RoutingConfigError } from '../../routing/index';
import { parseTaxonomy, parseUnits } from '../../routing/taxonomy';
import { parseGazetteer } from '../../routing/gazetteer';
import { committedRouting, readJsonFile, requireSharedData, sharedData } from './support';

const units = () => readJsonFile('city/demo/units.json');
const catalogue = () => readJsonFile('city/demo/event-types.json');

describe('event-type catalogue', () => {
  it('has 178 event types, each with a unique code, an owning department and existing co-handling units', () => {
    const r = committedRouting();
    const all = r.taxonomy.eventTypes;
    assert.equal(all.length, 178);
    assert.equal(new Set(all.map((t) => t.code)).size, 178);
    for (const t of all) {
      assert.equal(r.units.byCode.get(t.owner)?.kind, 'department', `${t.code} owner`);
      for (const c of t.coUnits) assert.ok(r.units.byCode.has(c), `${t.code} co-unit ${c}`);
      assert.ok(t.keywords.length > 0 && t.examples.length > 0, `${t.code} has keywords and an example phrasing`);
    }
  });

  it('covers all 26 departments of the demo city', () => {
    const r = committedRouting();
    const owners = new Set(r.taxonomy.eventTypes.map((t) => t.owner));
    const departments = r.units.units.filter((u) => u.kind === 'department').map((u) => u.code);
    assert.equal(departments.length, 26);
    assert.deepEqual(departments.filter((d) => !owners.has(d)), []);
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
    assert.equal(list.length, 178);
    const light = list.find((s) => s.name === '路灯损坏')!;
    assert.equal(light.group, '城乡建设');
    assert.ok(light.keywords.includes('路灯'));
    assert.equal(committedRouting().eventType(light.code)?.owner, 'cgj');
    assert.equal(committedRouting().eventType('XX-9999'), null);
  });
});
