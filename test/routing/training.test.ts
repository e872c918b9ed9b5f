import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { buildRouting } from '../../routing/index';
import { parseTaxonomy, parseUnits } from '../../routing/taxonomy';
import { readTrainingData, trainModel, type TrainingData } from '../../routing/train';
import { serializeModel } from '../../routing/cli';
import { readJsonFile, repoRoot, requireSharedData, sharedData } from './support';

describe('training', function () {
  // Each training fits the SVM six times (five out-of-fold fits for the probability scale, then the model).
  this.timeout(180000);
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

  it('records the out-of-fold figures its probability scale was fitted on (every gold row scored once)', () => {
    const r = trainModel(small, taxonomy());
    const oof = r.model.training.outOfFold as { n: number; macroF1: number };
    assert.equal(oof.n, small.gold.length);
    assert.ok(oof.macroF1 > 0.5);
    assert.ok(r.model.probabilityScale > 0);
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
