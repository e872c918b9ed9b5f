import assert from 'node:assert/strict';
import { SVM_WORDS_CHARS } from '../../routing/candidates';
import { buildCvCorpus, classifierPredictor, leakReport, meanSd, runCv, stratifiedGroupFolds } from '../../routing/cv';
import { findTwins, shingles } from '../../routing/duplicates';
import { pipelinePredictor } from '../../routing/estimate';
import { appealParts, charNgramKeys, DEFAULT_FEATURES, featureTokens, ngramKeyOf, ngramName } from '../../routing/features';
import { decodeModel, vectorize } from '../../routing/model';
import { parseTaxonomy, parseUnits } from '../../routing/taxonomy';
import { DEFAULT_PARAMS, GOLD_LABELS, readTrainingData, type TrainingData } from '../../routing/train';
import { readJsonFile, requireSharedData, sharedData } from './support';

describe('character n-gram features', () => {
  it('n-grams stay within runs of Chinese, Latin and digit characters; digits fold to 0', () => {
    const names = charNgramKeys('路灯坏了，3天', 1, 3).map(ngramName);
    assert.deepEqual(names, ['#路', '#灯', '#路灯', '#坏', '#灯坏', '#路灯坏', '#了', '#坏了', '#灯坏了', '#0', '#天', '#0天']);
  });

  it('suggest() sees the features training saw: the committed model’s vector of an appeal has the same features, counted the same', () => {
    const file = readJsonFile('routing/trained-model.json');
    const m = decodeModel(file);
    for (const [title, text] of [
      ['公交车司机态度差', '5路公交车司机开车打电话，到站不停，我们在站台等了20分钟'],
      ['', '小区里的路灯坏了一个月了，晚上黑漆漆的，老人走路摔了一跤。'],
      ['孩子入学问题', '孩子户口在A市，为什么不能在学区内的学校入学？'],
    ]) {
      const parts = appealParts(title, text);
      const f = featureTokens(parts, m.features);
      const expected = new Map<number, number>();
      for (const t of [...f.words, ...f.grams.map(ngramName)]) {
        const i = m.wordColumn.get(t) ?? (ngramKeyOf(t) !== undefined ? m.gramColumn.get(ngramKeyOf(t)!) : -1);
        if (i !== undefined && i >= 0) expected.set(i, (expected.get(i) ?? 0) + 1);
      }
      const words = [...Array(m.features.titleRepeat)].flatMap(() => parts.titleWords).concat(parts.bodyWords);
      const x = vectorize(m, words, parts.title, parts.body);
      const got = Array.from(x.idx);
      assert.deepEqual([...got].sort((a, b) => a - b), [...expected.keys()].sort((a, b) => a - b));
      // Each value is the weighted count × IDF, normalised: the ratios between features agree.
      const weight = (i: number) => (m.sublinear ? 1 + Math.log(expected.get(i)!) : expected.get(i)!) * m.idf[i];
      const k0 = x.idx[0];
      got.forEach((i, k) => assert.ok(Math.abs(x.val[k] / x.val[0] - weight(i) / weight(k0)) < 1e-9));
    }
  });

  it('vectorize() finds each n-gram by its pair and prefix number (GramTable) exactly as by its key: same columns in the same order, same counts', () => {
    const m = decodeModel(readJsonFile('routing/trained-model.json'));
    const texts = ['公交车司机态度差', '5路公交车司机开车打电话，到站不停', '路路路灯灯灯', 'a', '', '，。', '路', '坏了坏了坏了', 'wifi信号差abc123路灯', '小区里的路灯坏了一个月了，晚上黑漆漆的'];
    // Random texts over the characters of the vocabulary's n-grams, with breaks (punctuation, spaces) between runs.
    const chars = [...new Set(m.vocab.filter((v) => ngramKeyOf(v) !== undefined).join('').replace(/#/g, '') + '，。 ')];
    let seed = 7;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let n = 0; n < 400; n++) texts.push([...Array(1 + Math.floor(next() * 40))].map(() => chars[Math.floor(next() * chars.length)]).join(''));
    for (let k = 0; k + 1 < texts.length; k++) {
      const [title, body] = [texts[k], texts[texts.length - 1 - k]];
      const counts = new Map<number, number>();
      const add = (key: number, times: number) => {
        const i = m.gramColumn.get(key);
        if (i >= 0) counts.set(i, (counts.get(i) ?? 0) + times);
      };
      for (const key of charNgramKeys(title, m.features.charMin, m.features.charMax)) add(key, m.features.titleRepeat);
      for (const key of charNgramKeys(body, m.features.charMin, m.features.charMax)) add(key, 1);
      const x = vectorize(m, [], title, body);
      assert.deepEqual(Array.from(x.idx), [...counts.keys()], `${title} / ${body}`);
      const raw = [...counts].map(([i, c]) => (m.sublinear ? (c === 1 ? 1 : 1 + Math.log(c)) : c) * m.idf[i]);
      const norm = Math.sqrt(raw.reduce((a, v) => a + v * v, 0)) || 1;
      raw.forEach((v, j) => assert.ok(Math.abs(x.val[j] - v / norm) < 1e-12));
    }
  });

  it('a key survives the trip through its name (the model file stores names)', () => {
    for (const k of charNgramKeys('公交车ab12', 1, 3)) assert.equal(ngramKeyOf(ngramName(k)), k);
    assert.equal(ngramKeyOf('路灯'), undefined, 'a word is not an n-gram');
  });
});

describe('near-duplicate texts', () => {
  const a = '我家小区门口的路灯已经坏了一个多月了，晚上出行非常不便，希望有关部门尽快修复';
  it('finds the same message posted again with a few words changed, not a different one on the same subject', () => {
    const refs = [shingles(a)];
    const twins = findTwins(refs, [shingles(`您好，${a}，谢谢！`), shingles('我家小区门口的路面坏了，坑坑洼洼，下雨天积水很深，希望尽快修复路面')]);
    assert.deepEqual(twins, [[0], []]);
  });
});

describe('stratified folds that keep twins together', () => {
  const labels = [...Array(40)].map((_, i) => (i < 25 ? 'A' : 'B'));
  const groups = labels.map((_, i) => (i === 3 || i === 17 ? 3 : i));
  it('every fold gets its share of each label, twins share a fold, and a seed gives the same folds again', () => {
    for (const seed of [1, 2, 3]) {
      const fold = stratifiedGroupFolds(labels, groups, 5, seed);
      assert.deepEqual(stratifiedGroupFolds(labels, groups, 5, seed), fold);
      assert.equal(fold[3], fold[17]);
      for (let f = 0; f < 5; f++) {
        const a = fold.filter((x, i) => x === f && labels[i] === 'A').length;
        const b = fold.filter((x, i) => x === f && labels[i] === 'B').length;
        assert.ok(a >= 4 && a <= 6 && b === 3, `fold ${f}: ${a} A, ${b} B`);
      }
    }
    assert.notDeepEqual(stratifiedGroupFolds(labels, groups, 5, 1), stratifiedGroupFolds(labels, groups, 5, 2));
  });

  it('mean ± sd is the sample standard deviation', () => {
    assert.deepEqual(meanSd([1, 2, 3]), { mean: 2, sd: 1 });
  });
});

describe('repeated cross-validation on the real appeals (cheap version of `routing cv`)', () => {
  let small: TrainingData;
  const docs = () => ({ units: readJsonFile('city/demo/units.json'), taxonomy: readJsonFile('city/demo/event-types.json'), gazetteer: readJsonFile('city/demo/gazetteer.json') });
  const taxonomy = () => parseTaxonomy(docs().taxonomy, parseUnits(docs().units));

  before(function () {
    requireSharedData(this);
    const all = readTrainingData(sharedData);
    const per = new Map<string, number>();
    const gold = all.gold.filter((g) => {
      per.set(g.category, (per.get(g.category) ?? 0) + 1);
      return per.get(g.category)! <= 20;
    });
    // Planted leaks: the first gold appeal again among the silver rows and among the unlabelled ones.
    small = {
      gold,
      silver: [...all.silver.slice(0, 150), { ...gold[0], title: `${gold[0].title}！` }],
      replyLabelled: all.replyLabelled.slice(0, 40),
      unlabelled: [...all.unlabelled.slice(0, 60), { title: '', text: gold[0].text }],
      taxonomyRows: all.taxonomyRows,
    };
  });

  it('scores every gold row once per seed, leaves a held-out row’s twins out of that fold’s training, and reports mean ± sd', () => {
    const c = buildCvCorpus(small, taxonomy(), GOLD_LABELS);
    const leaks = leakReport(c);
    assert.ok(leaks.bySource.silver.twinRows >= 1 && leaks.bySource.unlabelled.twinRows >= 1, JSON.stringify(leaks));
    const params = { ...SVM_WORDS_CHARS, features: { ...DEFAULT_FEATURES, charMax: 2 } };
    const r = runCv(c, 'cheap', params, classifierPredictor(c, params), [1, 2], 3);
    assert.equal(r.seeds.length, 2);
    for (const s of r.seeds) {
      assert.equal(s.metrics.n, small.gold.length, 'every gold row predicted');
      assert.equal(s.metrics.classes.length, 7);
      assert.equal(s.outside, 0);
      assert.equal(s.leftOut, leaks.bySource.silver.twinRows, 'each silver twin is left out of exactly the fold that holds its gold row out');
    }
    assert.ok(r.macroF1.mean > 0.5 && r.macroF1.mean <= 1, `macro-F1 ${r.macroF1.mean}`);
    assert.ok(r.macroF1.sd >= 0);
    assert.deepEqual(Object.keys(r.perClass), GOLD_LABELS);
  });

  it('through the pipeline (routing train + suggest), the category is read as the desk shows it', () => {
    const c = buildCvCorpus(small, taxonomy(), GOLD_LABELS);
    const params = { ...DEFAULT_PARAMS, features: { ...DEFAULT_FEATURES, charMax: 2 }, folds: 3 };
    const r = runCv(c, 'pipeline', params, pipelinePredictor(c, small, docs(), params), [1], 2);
    assert.equal(r.seeds[0].metrics.n, small.gold.length);
    assert.ok(r.macroF1.mean > 0.4, `macro-F1 ${r.macroF1.mean}`);
  });
});
