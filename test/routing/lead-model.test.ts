// The learned second opinion on the lead unit (routing/lead-model.ts): training, the committed file, how it is combined
// with the rules (never for a danger, a coherent ticket when it overrides) and shown to the operator, and the figures of
// leaving a part out (routing/README.md, "The lead unit: the learned second opinion").
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { LEAD_TRAINING_PARTS, LEAD_UNTRAINED_PARTS, UNTRAINED_PARTS } from '../../routing/casebook';
import { serializeModel } from '../../routing/cli';
import { DEFAULT_FILES, loadRouting } from '../../routing/index';
import { leadCases, leadLeaveOnePartOut, trainingRows } from '../../routing/lead-cv';
import { checkLeadModel, LEAD_TRAINING, LeadModel, predictLead, TOWN, trainLeadModel, type LeadModelFile, type LeadRow } from '../../routing/lead-model';
import { committedRouting, engineOf } from './support';

/** A small world: rows of made-up features, each lead with its own words. */
function toyRows(): LeadRow[] {
  const row = (names: string[], label: string): LeadRow => ({ names, val: names.map(() => 1 / Math.sqrt(names.length)), chars: 10, ruleClass: 'cgj', basis: 'ranking', rankConfidence: 0.5, town: null, typeRank: {}, label });
  const out: LeadRow[] = [];
  for (let i = 0; i < 12; i++) {
    out.push(row(['工钱', `a${i}`], 'rsj'));
    out.push(row(['垃圾池', '村里', `b${i}`], TOWN));
    out.push(row(['路灯', `c${i}`], 'cgj'));
  }
  return out;
}

/** A model that gives `unit` every appeal, surely (its bias), over the committed classifier's columns. */
function sureOf(cls: string, settings = LEAD_TRAINING): LeadModelFile {
  const classes = ['cgj', 'rsj', 'zjj', TOWN];
  return { format: 'hotline-lead-model/1', trainedOn: 'test', settings: { ...settings }, classes, features: ['工钱'], weights: classes.map(() => [0]), bias: classes.map((c) => (c === cls ? 10 : 0)), scale: 1 };
}

describe('the learned lead model', function () {
  this.timeout(120000);

  it('training is deterministic and learns the toy world', () => {
    const a = trainLeadModel(toyRows(), LEAD_TRAINING, 'toy');
    assert.equal(serializeModel(a), serializeModel(trainLeadModel(toyRows(), LEAD_TRAINING, 'toy')));
    assert.deepEqual(a.classes, ['cgj', 'rsj', TOWN]);
    const probe = (names: string[]) => predictLead(a, { names, val: names.map(() => 1 / Math.sqrt(names.length)) }).cls;
    assert.equal(probe(['工钱']), 'rsj');
    assert.equal(probe(['垃圾池', '村里']), TOWN);
    assert.equal(probe(['路灯']), 'cgj');
  });

  it('training on casebook rows recorded through suggest() is deterministic, byte for byte', () => {
    const rows = trainingRows(leadCases(loadRouting({ leadModelFile: null }), ['fresh']));
    assert.ok(rows.length > 40);
    assert.equal(serializeModel(trainLeadModel(rows, LEAD_TRAINING, 'fresh')), serializeModel(trainLeadModel(rows, LEAD_TRAINING, 'fresh')));
  });

  it('the committed model loads, with the shipped settings, trained on the training parts only', () => {
    const f = checkLeadModel(JSON.parse(fs.readFileSync(DEFAULT_FILES.leadModelFile, 'utf8')));
    assert.deepEqual(f.settings, { ...LEAD_TRAINING });
    for (const p of LEAD_TRAINING_PARTS) assert.ok(f.trainedOn.split(/[ /]/).includes(p), p);
    for (const p of LEAD_UNTRAINED_PARTS) assert.ok(!f.trainedOn.split(/[ /]/).includes(p), `${p} is not trained on`);
    // fresh12 joined after its one look (the settings fixed before); any other blind part stays out.
    assert.deepEqual(LEAD_UNTRAINED_PARTS, UNTRAINED_PARTS.filter((p) => p !== 'fresh12'));
    assert.equal(f.classes.at(-1), TOWN);
    const e = engineOf(committedRouting());
    assert.ok(e.leadJudge instanceof LeadModel);
    assert.equal((e.leadJudge as LeadModel).missingFeatures(), 0, 'every feature is a column of the committed classifier');
    assert.deepEqual(committedRouting().warnings.filter((w) => w.includes('牵头单位')), []);
  });

  it('never overrides a danger: an emergency keeps the unit that acts, whatever the model says', () => {
    const rules = loadRouting({ leadModelFile: null });
    const sure = loadRouting({}, undefined, undefined, sureOf('rsj'));
    for (const text of ['我家厨房煤气味很大 快来人', '电梯里困着人 出不来了', '楼下着火了 烟很大']) {
      const a = rules.suggest({ text });
      const b = sure.suggest({ text });
      assert.equal(b.urgency, 'emergency', text);
      assert.equal(b.leadUnit, a.leadUnit, text);
      assert.deepEqual(b.coUnits, a.coUnits, text);
      assert.deepEqual(b.eventTypes, a.eventTypes, text);
      assert.notEqual(b.eventTypes[0].basis, 'model', text);
      assert.doesNotMatch(b.explanation, /牵头单位：/, text);
    }
  });

  it('a lead decided by the division of duties (a written principle) is overruled only when the model is at least dutyThreshold sure', () => {
    /** A model `p` sure of `cls` (softmax of the biases at scale 1). */
    const at = (cls: string, p: number): LeadModelFile => {
      const f = sureOf(cls);
      f.bias = f.classes.map((c) => (c === cls ? Math.log((p * (f.classes.length - 1)) / (1 - p)) : 0));
      return f;
    };
    const text = '在工地上干了仨月 包工头一分钱工钱没给';
    const rules = loadRouting({ leadModelFile: null }).suggest({ text });
    assert.equal(rules.leadUnit, 'rsj');
    assert.match(rules.explanation, /按职责划分/);
    assert.ok(LEAD_TRAINING.dutyThreshold > 0.7 && LEAD_TRAINING.threshold < 0.7);
    const fairlySure = loadRouting({}, undefined, undefined, at('zjj', 0.7)).suggest({ text });
    assert.equal(fairlySure.leadUnit, 'rsj', 'at 0.7 the duty stands');
    assert.match(fairlySure.explanation, /未达采用门槛|按职责/);
    const sure = loadRouting({}, undefined, undefined, sureOf('zjj')).suggest({ text });
    assert.equal(sure.leadUnit, 'zjj', 'at 0.99 the model overrules it');
  });

  it('an override makes a coherent ticket: the type put first is led by the model\'s unit, decide() gives lead and co-handlers, the operator sees why', () => {
    const routing = loadRouting({}, undefined, undefined, sureOf('rsj'));
    const text = '小区门口的路灯坏了好几天了 晚上黑乎乎的';
    const rules = loadRouting({ leadModelFile: null }).suggest({ text });
    assert.notEqual(rules.leadUnit, 'rsj');
    const s = routing.suggest({ text });
    assert.equal(s.leadUnit, 'rsj');
    assert.equal(s.eventTypes[0].basis, 'model');
    const type = engineOf(routing).taxonomy.byCode.get(s.eventTypes[0].code)!;
    assert.equal(type.owner, 'rsj');
    const d = routing.decide(type.code, s.town, s.kind);
    assert.equal(d.leadUnit, s.leadUnit);
    // decide()'s co-handlers for the type, and the unit the rules chose.
    assert.deepEqual(s.coUnits, [...d.coUnits.filter((c) => c !== rules.leadUnit), rules.leadUnit]);
    assert.equal(s.reason, d.reason);
    assert.match(s.explanation, /牵头单位：研判模型判断为“人力资源和社会保障局”（100%），规则为“城市管理局”（按[^）]+），改为协办/);
    assert.match(s.explanation, /按研判模型判断的牵头单位选定/);
    // 'town': the town the gazetteer found leads, with a town-led type.
    const village = loadRouting({}, undefined, undefined, sureOf(TOWN)).suggest({ text: '俺是台头镇的 工钱一直没给' });
    assert.equal(village.town, 'taitou');
    assert.equal(village.leadUnit, 'taitou');
    assert.equal(engineOf(routing).taxonomy.byCode.get(village.eventTypes[0].code)!.territory, 'town');
    // Without a town, 'town' stands for no unit: the rules stand.
    const noTown = loadRouting({}, undefined, undefined, sureOf(TOWN)).suggest({ text: '工钱一直没给 老板跑了' });
    assert.equal(noTown.leadUnit, 'rsj');
    assert.match(noTown.explanation, /研判模型倾向“属地镇街”，100%，未识别出镇街/);
  });

  it('a long written appeal and a confident ranking stay the rules\'; where the committed model is asked, the operator sees it', () => {
    const sure = loadRouting({}, undefined, undefined, sureOf('rsj'));
    const long = `${'小区门口的路灯坏了好几天了，晚上黑乎乎的，老人孩子出门都不方便。'.repeat(6)}请尽快修好。`;
    assert.ok(long.length > LEAD_TRAINING.maxChars);
    assert.equal(sure.suggest({ text: long }).leadUnit, loadRouting({ leadModelFile: null }).suggest({ text: long }).leadUnit);
    // A ranking at least 0.8 sure of its first type stands: the model is not asked, and says nothing.
    const wage = committedRouting().suggest({ text: '在工地上干了半年活 工钱一分没给' });
    assert.equal(wage.leadUnit, 'rsj');
    assert.doesNotMatch(wage.explanation, /牵头单位：/);
    // Where it is asked and agrees, the operator sees it.
    const leak = committedRouting().suggest({ text: '楼上漏水把我家天花板泡了 物业不管' });
    assert.equal(leak.leadUnit, 'zjj');
    assert.match(leak.explanation, /牵头单位：按规则（研判模型同意，\d+%）/);
  });

  it('left out of training, the blend on fresh11 is at the level measured (routing/README.md, "The lead unit")', () => {
    // fresh11 left out of a model trained on every other training part (fresh12 among them), against today's rules
    // (fixed against fresh11 since the lead11 round, so their figure is a development one). Measured 8 Dec 2026 01:33 UTC
    // with the shipped settings: rules 92.2 %, model alone 83.7 %, blend 86.5 % (86.2 % after the fix12 round's rules).
    const routing = loadRouting({ leadModelFile: null });
    const cases = leadCases(routing, LEAD_TRAINING_PARTS);
    const [r] = leadLeaveOnePartOut(cases, engineOf(routing).units, LEAD_TRAINING_PARTS, ['fresh11'], LEAD_TRAINING, [LEAD_TRAINING.threshold]);
    console.log(`      fresh11 left out: ${JSON.stringify(r)}`);
    assert.ok(r.model >= 83, JSON.stringify(r));
    assert.ok(r.blend[0] >= 86, JSON.stringify(r));
  });
});
