// The learned second opinion on emergencies (routing/emergency-model.ts) and how the triage
// combines it with the danger rules (routing/urgency.ts).
import assert from 'node:assert/strict';
import { EmergencyModel, readEmergencyModel, trainEmergencyModel, type EmergencyExample } from '../../routing/emergency-model';
import { EMERGENCY_TRAINING_PARTS, emergencyExamples } from '../../routing/casebook';
import { loadRouting } from '../../routing/index';
import { decodeModel, vectorizeColumns } from '../../routing/model';
import { normalize } from '../../routing/text';
import { parseDangers } from '../../routing/urgency';
import { parseTaxonomy, parseUnits } from '../../routing/taxonomy';
import { committedRouting, readJsonFile } from './support';

/** A small world: two dangers, said in a few ways, and everyday matters that share their words. */
function toyExamples(): EmergencyExample[] {
  const em = (text: string, danger: string): EmergencyExample => ({ text: normalize(text), emergency: true, danger, weight: 1 });
  const no = (text: string): EmergencyExample => ({ text: normalize(text), emergency: false, weight: 1 });
  return [
    em('屋里一股臭鸡蛋味 呼呼地响', 'gas'),
    em('厨房臭鸡蛋味 快来人', 'gas'),
    em('一股子臭鸡蛋味 头晕', 'gas'),
    em('臭鸡蛋味越来越大 呼呼响', 'gas'),
    em('楼道里冒黑烟 呛得睁不开眼', 'fire'),
    em('冒黑烟了 呛死人了 快来', 'fire'),
    em('对面冒黑烟 呛得喘不上气', 'fire'),
    em('黑烟往上冒 呛人 快来', 'fire'),
    no('燃气费在哪交'),
    no('燃气费又涨了'),
    no('想问一下燃气费怎么交'),
    no('路灯坏了好几天了'),
    no('路灯不亮 晚上黑'),
    no('垃圾没人清 路灯也坏了'),
    no('楼下烧烤 油烟大'),
    no('烧烤油烟 晚上吵'),
  ];
}

describe('the learned second opinion on emergencies', () => {
  it('training is deterministic, and the fast score equals the score of the whole opinion', () => {
    const a = trainEmergencyModel(toyExamples(), { trainedOn: 'toy', minDf: 2 });
    const b = trainEmergencyModel(toyExamples(), { trainedOn: 'toy', minDf: 2 });
    assert.deepEqual(a, b);
    const m = new EmergencyModel(a);
    for (const t of ['臭鸡蛋味 呼呼响', '燃气费怎么交', '冒黑烟 呛人', '路灯坏了', '', '123 abc']) {
      const text = normalize(t);
      assert.ok(Math.abs(m.score(text) - m.opinion(text).score) < 1e-9, t);
    }
    assert.ok(m.score(normalize('家里臭鸡蛋味 呼呼响')) > 0, 'like the emergencies');
    assert.ok(m.score(normalize('燃气费怎么交 路灯坏了')) < 0, 'like the everyday matters');
    assert.equal(m.opinion(normalize('家里臭鸡蛋味 呼呼响 头晕')).danger, 'gas');
    assert.equal(m.opinion(normalize('冒黑烟 呛得慌')).danger, 'fire');
    assert.ok(m.opinion(normalize('家里臭鸡蛋味 呼呼响')).cues.some((c) => '臭鸡蛋味呼呼响'.includes(c)));
  });

  it('a model file that is not one is refused with what is wrong', () => {
    const good = trainEmergencyModel(toyExamples(), { trainedOn: 'toy', minDf: 2 });
    assert.throws(() => readEmergencyModel({ ...good, format: 'x' }), /格式/);
    assert.throws(() => readEmergencyModel({ ...good, flag: good.flag.slice(1) }), /keys 与 flag/);
    assert.throws(() => readEmergencyModel({ ...good, dangerBias: [] }), /dangerBias/);
    assert.ok(readEmergencyModel(good) instanceof EmergencyModel);
  });

  it('combined with the rules, each path: the model alone (with its reason and the unit of its danger), a rule finding vetoed, a dismissed danger kept dismissed, a few words left to the rules', () => {
    const units = parseUnits(readJsonFile('city/demo/units.json'));
    const taxonomy = parseTaxonomy(readJsonFile('city/demo/event-types.json'), units);
    const triage = parseDangers(readJsonFile('city/demo/dangers.json'), taxonomy, units);
    // Made-up cue words the rules cannot know: 嘀嗒咕呱 for an emergency (gas), 哗啦 for an everyday matter.
    const em = (text: string): EmergencyExample => ({ text: normalize(text), emergency: true, danger: 'gas', weight: 1 });
    const no = (text: string): EmergencyExample => ({ text: normalize(text), emergency: false, weight: 1 });
    const toy = trainEmergencyModel(
      [em('嘀嘀嗒嗒 咕咕呱呱'), em('咕咕呱呱 嘀嘀嗒嗒 嘀嗒'), em('嘀嗒嘀嗒 咕呱咕呱'), no('哗啦哗啦 哗哗啦啦'), no('哗啦 哗啦啦 哗哗'), no('啦啦哗哗 哗啦')],
      { trainedOn: 'toy', minDf: 2, thresholds: { flag: 0.2, keep: -0.2 } },
    );
    const gas = (readJsonFile('city/demo/dangers.json').dangers as Array<{ code: string; eventType: string }>).find((d) => d.code === 'gas')!;
    const before = triage.triage(normalize('楼下着火了 哗啦哗啦哗啦哗啦 哗哗啦啦'));
    assert.equal(before.emergency, true, 'the rules alone');
    triage.useModel(new EmergencyModel(toy));
    const alone = triage.triage(normalize('嘀嘀嗒嗒 咕咕呱呱 嘀嗒嘀嗒'));
    assert.equal(alone.emergency, true);
    assert.equal(alone.findings[0].code, 'gas');
    assert.equal(alone.dispatch?.eventType, gas.eventType);
    assert.match(alone.reason, /研判模型/);
    const vetoed = triage.triage(normalize('楼下着火了 哗啦哗啦哗啦哗啦 哗哗啦啦'));
    assert.equal(vetoed.emergency, false);
    assert.equal(vetoed.dismissed[0].code, 'fire');
    assert.match(vetoed.dismissed[0].why, /研判模型/);
    assert.match(vetoed.reason, /未按紧急处理/);
    assert.equal(triage.triage(normalize('嘀嗒咕呱')).emergency, false, 'a few words: the rules alone');
    const negated = triage.triage(normalize('没有着火 嘀嘀嗒嗒 咕咕呱呱 嘀嗒嘀嗒'));
    assert.equal(negated.dismissed[0]?.code, 'fire');
    assert.equal(negated.emergency, false, 'a negated danger stays dismissed, however the model scores the rest');
    assert.equal(triage.triage(normalize('楼下着火了 嘀嘀嗒嗒')).emergency, true, 'a rule finding the model agrees with');
  });

  it('combined with the rules: a rule finding stands unless the model is sure; the model alone flags only strong cases, with its reason; a dismissed danger stays dismissed; a keyword alone is the rules\' to judge', () => {
    const rulesOnly = loadRouting({ emergencyModelFile: null });
    const withModel = committedRouting();
    const model = readEmergencyModel(readJsonFile('routing/emergency-model.json'));
    const { flag, keep } = model.thresholds;
    // Wordings of the blind fresh7 part the rules missed on its first pass (the model was trained on them since).
    for (const text of ['快快快 着了 着了 三楼 三楼阳台 火', '工地上 挖的沟塌了 埋进去一个工人 就露个头在外面']) {
      const score = model.score(normalize(text));
      const rules = rulesOnly.triage(text);
      const both = withModel.triage(text);
      if (rules.emergency) assert.equal(both.emergency, score > keep, text);
      else if (rules.dismissed.length === 0) {
        assert.equal(both.emergency, score > flag, text);
        if (both.emergency) {
          assert.match(both.reason, /研判模型/, text);
          assert.ok(both.dispatch?.eventType, text);
          assert.equal(both.findings[0].index, -1, text);
        }
      }
    }
    // Every spoken danger word (the keyword spotter's list) is still triaged as its danger on its own.
    for (const w of withModel.spokenDangerWords().slice(0, 60)) assert.equal(withModel.triage(w).emergency, rulesOnly.triage(w).emergency, w);
    // A danger the rules set aside is not brought back by the model.
    const past = '去年冬天俺家煤气中毒过一回 差点没了 现在想问问装个报警器补贴不';
    const r1 = rulesOnly.triage(past);
    if (r1.dismissed.length && !r1.emergency) assert.equal(withModel.triage(past).emergency, false);
  });

  it('the training examples: every casebook part trained on, look-alikes and routing cases, and the board as non-emergencies', function () {
    const ex = emergencyExamples(EMERGENCY_TRAINING_PARTS, null);
    assert.ok(ex.length > 1500);
    assert.ok(ex.filter((e) => e.emergency).every((e) => e.weight > 0));
    assert.ok(ex.some((e) => !e.emergency && e.weight === 1), 'look-alikes');
    assert.ok(ex.some((e) => e.weight === 0.5), 'routing cases');
    const file = readJsonFile('routing/emergency-model.json');
    const codes = new Set((readJsonFile('city/demo/dangers.json').dangers as Array<{ code: string }>).map((d) => d.code));
    for (const d of file.dangers as string[]) assert.ok(codes.has(d), `the model's danger ${d} is a rule of dangers.json`);
  });

  it('attached to the classifier, its score is read from the classifier\'s walk of the n-grams: the same number as its own walk, bit for bit, and the classifier\'s vector unchanged', () => {
    const f = readJsonFile('routing/emergency-model.json');
    const alone = new EmergencyModel(f);
    const shared = new EmergencyModel(f);
    const file = readJsonFile('routing/trained-model.json');
    const plain = decodeModel(file);
    const m = decodeModel(file, { grams: shared.grams(), side: shared.side });
    shared.attach(m);
    const texts = ['厨房里一股煤气味 呲呲响', '电梯卡在六楼了 里面有人', '路灯坏了好几天了', '', '，。', 'a1b2 煤气', '着火了着火了着火了', '俺家老人走丢了 找了一上午'];
    // Random texts over the characters of the model's n-grams, with breaks between runs.
    const chars = [...new Set((f.keys as number[]).filter((k) => k % 4 === 1).map((k) => String.fromCharCode((k - 1) / 4)).concat(['，', ' ', '。']))];
    let seed = 11;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    for (let n = 0; n < 300; n++) texts.push([...Array(1 + Math.floor(next() * 60))].map(() => chars[Math.floor(next() * chars.length)]).join(''));
    for (let k = 0; k + 1 < texts.length; k++) {
      const [title, body] = [normalize(texts[k]), normalize(texts[texts.length - 1 - k])];
      const all = title && body ? [title, body].join(' ') : title || body;
      const x = vectorizeColumns(m, [], title, body);
      const got = { idx: Array.from(x.idx), val: Array.from(x.val) };
      assert.equal(shared.walkScore(m), alone.score(all), `${title} / ${body}`);
      assert.equal(shared.score(all), alone.score(all));
      const y = vectorizeColumns(plain, [], title, body);
      assert.deepEqual(got, { idx: Array.from(y.idx), val: Array.from(y.val) });
    }
    assert.equal(alone.walkScore(m), undefined, 'a model not attached to it reads nothing from its walk');
  });
});
