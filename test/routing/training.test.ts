import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildRouting } from '../../routing/index';
import { parseTaxonomy, parseUnits } from '../../routing/taxonomy';
import { crossValidate } from '../../routing/estimate';
import { DEFAULT_PARAMS, isTuningRow, readTrainingData, softLabelled, trainModel, type TrainingData } from '../../routing/train';
import { categoryScores, decodeWeights, vectorize } from '../../routing/model';
import { tuningScore } from '../../routing/estimate';
import { RoutingConfigError } from '../../routing/index';
import { serializeModel } from '../../routing/cli';
import { readJsonFile, repoRoot, requireSharedData, sharedData } from './support';

describe('training', () => {
  let small: TrainingData;
  const docs = () => ({ units: readJsonFile('city/demo/units.json'), taxonomy: readJsonFile('city/demo/event-types.json'), gazetteer: readJsonFile('city/demo/gazetteer.json') });
  const taxonomy = () => parseTaxonomy(docs().taxonomy, parseUnits(docs().units));

  before(function () {
    requireSharedData(this);
    const all = readTrainingData(sharedData);
    // A small real slice: 30 gold appeals per category, 200 silver, 50 labelled by their reply, 100 unlabelled.
    const per = new Map<string, number>();
    const gold = all.gold.filter((g) => {
      per.set(g.category, (per.get(g.category) ?? 0) + 1);
      return per.get(g.category)! <= 30;
    });
    small = { gold, silver: all.silver.slice(0, 200), replyLabelled: all.replyLabelled.slice(0, 50), unlabelled: all.unlabelled.slice(0, 100), taxonomyRows: all.taxonomyRows };
  });

  it('is deterministic: the same data give the same model file, byte for byte', () => {
    const a = serializeModel(trainModel(small, taxonomy()).model);
    const b = serializeModel(trainModel(small, taxonomy()).model);
    assert.equal(a, b);
  });

  it('an operator’s corrections teach the next model: a type it could not tell becomes the suggestion', () => {
    const text = '我们村口那个老槐树底下的碾盘被人挪走了';
    const before = buildRouting({ ...docs(), model: trainModel(small, taxonomy()).model }).suggest({ text });
    const code = taxonomy().eventTypes.find((t) => t.name === '村务公开与集体资产')!.code;
    assert.notEqual(before.eventTypes[0]?.code, code);
    const corrections = [
      { text: '村口老槐树底下的碾盘被人挪走了，村里的东西', eventType: code },
      { title: '碾盘', text: '集体的碾盘被挪走卖了', eventType: code },
    ];
    const after = buildRouting({ ...docs(), model: trainModel(small, taxonomy(), corrections).model }).suggest({ text });
    assert.equal(after.eventTypes[0].code, code);
  });

  it('skips corrections that name an event type not in the catalogue, and counts them', () => {
    const r = trainModel(small, taxonomy(), [{ text: '路灯不亮', eventType: 'XX-0000' }]);
    assert.equal(r.summary.skippedCorrections, 1);
    assert.equal(r.summary.corrections, 0);
  });

  it('a third of each label’s gold appeals is held for tuning, the same rows on every run', () => {
    const all = readTrainingData(sharedData);
    const a = isTuningRow(all.gold);
    assert.deepEqual(isTuningRow(all.gold), a);
    for (const label of new Set(all.gold.map((g) => g.category))) {
      const rows = all.gold.map((g, i) => [g.category, a[i]] as const).filter(([c]) => c === label);
      assert.equal(rows.filter(([, t]) => t).length, Math.round(rows.length / 3), label);
    }
  });

  it('the estimate never scores an appeal the settings were tuned on, and scores every other gold appeal once', () => {
    const m = crossValidate(small, docs());
    const tuning = isTuningRow(small.gold).filter(Boolean).length;
    assert.equal(m.n, small.gold.length - tuning);
    assert.equal(
      m.classes.reduce((s, c) => s + c.support, 0),
      m.n,
    );
  });

  describe('opt-in training settings (semi-supervised, silver check, calibration; all off by default)', () => {
    const decoded = (model: ReturnType<typeof trainModel>['model']) => {
      const words = model.vocab.split('\n');
      return { categories: model.categories, vec: { vocab: new Map(words.map((w, i) => [w, i])), idf: Float64Array.from(model.idf) }, w: model.weights.map((e) => decodeWeights(e, words.length)), scale: model.probabilityScale };
    };

    it('each option is off by default, and each one, switched on, changes the model and stays deterministic', () => {
      const plain = serializeModel(trainModel(small, taxonomy()).model);
      for (const over of [{ emWeight: 0.5, emIterations: 1 }, { denseWeight: 1, denseDim: 8 }, { spreadWeight: 0.5 }, { silverDisagreeWeight: 0 }, { calibrateBias: true }]) {
        const p = { ...DEFAULT_PARAMS, ...over };
        const a = serializeModel(trainModel(small, taxonomy(), [], p).model);
        const learned = (f: string) => JSON.stringify([JSON.parse(f).weights, JSON.parse(f).categoryBias ?? null]);
        assert.notEqual(learned(a), learned(plain), JSON.stringify(over));
        assert.equal(serializeModel(trainModel(small, taxonomy(), [], p).model), a, `deterministic: ${JSON.stringify(over)}`);
      }
    });

    it('EM’s E-step spreads each unlabelled appeal’s weight λ over the categories by the model’s posterior', () => {
      const m = decoded(trainModel(small, taxonomy()).model);
      const texts = [['路灯', '不亮', '晚上'], ['拖欠', '工资', '老板'], ['完全没见过的词']];
      const soft = softLabelled(m, texts, m.scale, 0.4);
      const byText = texts.map((t) => soft.filter((d) => d.tokens === t));
      assert.equal(byText[2].length, 0, 'an appeal with no known word adds nothing');
      for (const ds of byText.slice(0, 2)) {
        const sum = ds.reduce((s, d) => s + d.weight, 0);
        assert.ok(sum <= 0.4 + 1e-9 && sum > 0.4 * 0.9, `weights sum to about λ (${sum})`);
      }
      const top = (ds: typeof soft) => [...ds].sort((a, b) => b.weight - a.weight)[0].category;
      assert.equal(top(byText[0]), '城乡建设');
      assert.equal(top(byText[1]), '劳动和社会保障');
    });

    it('silver rows the silver-free model disagrees with are down-weighted: wrong silver labels then mislead the model less', () => {
      // Every silver label replaced by 环境保护; scored on the gold appeals outside the small training slice.
      const wrong = { ...small, silver: small.silver.map((s) => ({ ...s, category: '环境保护' })) };
      const heldOut = readTrainingData(sharedData).gold.filter((g) => !small.gold.some((x) => x.text === g.text && x.title === g.title));
      const predictedEnv = (over: object) => {
        const r = buildRouting({ ...docs(), model: trainModel(wrong, taxonomy(), [], { ...DEFAULT_PARAMS, silverWeight: 2, ...over }).model });
        return heldOut.filter((g) => g.category !== '环境保护' && r.suggest({ title: g.title, text: g.text }).category === '环境保护').length;
      };
      assert.ok(predictedEnv({ silverDisagreeWeight: 0 }) < predictedEnv({}));
    });

    it('tuningScore scores the tuning rows only, through the pipeline and the classifier alone', () => {
      const r = tuningScore(small, docs());
      const tuning = isTuningRow(small.gold).filter(Boolean).length;
      assert.equal(r.pipeline.n, tuning);
      assert.equal(r.classifier.n, tuning);
      assert.ok(r.pipeline.macroF1 > 0.5 && r.classifier.macroF1 > 0.5);
    });

    it('a model file whose category bias does not match its categories is refused', () => {
      const model = { ...trainModel(small, taxonomy(), [], { ...DEFAULT_PARAMS, calibrateBias: true }).model };
      assert.equal(model.categoryBias?.length, model.categories.length);
      assert.doesNotThrow(() => buildRouting({ ...docs(), model }));
      assert.throws(() => buildRouting({ ...docs(), model: { ...model, categoryBias: [1, 2] } }), RoutingConfigError);
    });
  });

  it('the committed model file holds vocabulary and weights, not the appeal texts', function () {
    const model = fs.readFileSync(path.join(repoRoot, 'routing/trained-model.json'), 'utf8');
    assert.ok(model.length < 3 * 1024 * 1024, 'a few MB at most');
    const all = readTrainingData(sharedData);
    for (const g of [...all.gold, ...all.silver.slice(0, 300)]) {
      const t = g.text.replace(/\s/g, '');
      if (t.length < 40) continue;
      const probe = t.slice(10, 30);
      assert.ok(!model.includes(probe), 'no 20-character passage of an appeal appears in the model');
    }
  });
});
