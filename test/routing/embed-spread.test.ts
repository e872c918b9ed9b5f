import assert from 'node:assert/strict';
import { documentVector, foldIntoWords, learnWordVectors, ppmiMatrix, symmetricEigen, trainSoftmax } from '../../routing/embed';
import { categoryProbabilities, fitCalibration, type CategoryModel } from '../../routing/model';
import { knnGraph, spreadLabels } from '../../routing/spread';
import { seededRandom } from '../../routing/train';

const cos = (a: Float64Array, b: Float64Array) => {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  return d / Math.sqrt(na * nb);
};

/** Two topics: documents drawing words from one topic's list only, in a seeded order. */
function twoTopicCorpus(): { docs: string[][]; vocab: Map<string, number>; a: string[]; b: string[] } {
  const a = ['路灯', '照明', '电线', '灯杆', '黑暗', '维修'];
  const b = ['学校', '老师', '学生', '课程', '家长', '作业'];
  const rand = seededRandom(3);
  const docs: string[][] = [];
  for (let n = 0; n < 200; n++) {
    const words = n % 2 ? a : b;
    docs.push(Array.from({ length: 12 }, () => words[Math.floor(rand() * words.length)]));
  }
  return { docs, vocab: new Map([...a, ...b].map((w, i) => [w, i])), a, b };
}

describe('word vectors from unlabelled text (routing/embed.ts)', () => {
  it('symmetricEigen: A·v = λ·v for every pair, eigenvalues in descending order', () => {
    const n = 4;
    const a = Float64Array.from([4, 1, 0.5, 0, 1, 3, 0.2, 0.1, 0.5, 0.2, 2, 0.3, 0, 0.1, 0.3, 1]);
    const { values, vectors } = symmetricEigen(a, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a[i * n + k] * vectors[k * n + j];
        assert.ok(Math.abs(av - values[j] * vectors[i * n + j]) < 1e-9);
      }
      if (j) assert.ok(values[j - 1] >= values[j]);
    }
  });

  it('PPMI: words seen together get positive association, words of different topics none, and the pattern is symmetric', () => {
    const { docs, vocab } = twoTopicCorpus();
    const m = ppmiMatrix(docs, vocab, 3, 0.75);
    const at = (r: number, c: number) => {
      for (let k = m.ptr[r]; k < m.ptr[r + 1]; k++) if (m.idx[k] === c) return m.val[k];
      return 0;
    };
    const i = (w: string) => vocab.get(w)!;
    assert.ok(at(i('路灯'), i('照明')) > 0);
    assert.equal(at(i('路灯'), i('学校')), 0);
    for (let r = 0; r < m.rows; r++) for (let k = m.ptr[r]; k < m.ptr[r + 1]; k++) assert.ok(at(m.idx[k], r) > 0, 'symmetric pattern');
  });

  it('vectors: words of one topic are close, words of different topics far apart; the same input gives the same vectors', () => {
    const { docs, vocab, a, b } = twoTopicCorpus();
    const o = { dim: 2, window: 3, cds: 0.75, powerIterations: 3, seed: 5 };
    const e = learnWordVectors(docs, vocab, o);
    const v = (w: string) => e[vocab.get(w)!];
    assert.ok(cos(v(a[0]), v(a[1])) > 0.9, 'same topic');
    assert.ok(cos(v(b[2]), v(b[3])) > 0.9, 'same topic');
    assert.ok(cos(v(a[0]), v(b[0])) < 0.3, 'different topics');
    assert.deepEqual(learnWordVectors(docs, vocab, o), e);
  });

  it('the logistic regression separates separable classes, and folded into per-word weights it scores a document exactly as over its dense vector', () => {
    const e = [Float64Array.from([1, 0]), Float64Array.from([0, 1]), Float64Array.from([0.7, 0.7])];
    const docs = [
      { idx: [0], val: [1] },
      { idx: [0, 2], val: [0.8, 0.6] },
      { idx: [1], val: [1] },
      { idx: [1, 2], val: [0.8, 0.6] },
    ];
    const xs = docs.map((d) => documentVector(e, d, 2));
    const ys = [0, 0, 1, 1];
    const w = trainSoftmax(xs, ys, [1, 1, 1, 1], 2, { l2: 1e-4, iterations: 300 });
    xs.forEach((x, n) => {
      const s = w.map((wc) => wc[0] * x[0] + wc[1] * x[1]);
      assert.equal(s[0] > s[1] ? 0 : 1, ys[n]);
    });
    const u = foldIntoWords(e, w);
    docs.forEach((d, n) => {
      for (let c = 0; c < 2; c++) {
        const viaWords = d.idx.reduce((s, i, k) => s + d.val[k] * u[c][i], 0);
        const viaDense = w[c][0] * xs[n][0] + w[c][1] * xs[n][1];
        assert.ok(Math.abs(viaWords - viaDense) < 1e-12);
      }
    });
  });
});

describe('label spreading (routing/spread.ts)', () => {
  const unit = (idx: number[], val: number[]) => {
    const n = Math.sqrt(val.reduce((s, v) => s + v * v, 0));
    return { idx, val: val.map((v) => v / n) };
  };

  it('kNN graph: each vector’s nearest neighbours by cosine, never itself', () => {
    const xs = [unit([0, 1], [1, 0.1]), unit([0, 1], [1, 0.2]), unit([1, 2], [0.1, 1]), unit([2], [1])];
    const g = knnGraph(xs, 3, 1);
    assert.deepEqual(
      g.map((l) => l[0][0]),
      [1, 0, 3, 2],
    );
    const g2 = knnGraph(xs, 3, 5);
    g2.forEach((l, n) => assert.ok(l.every(([m]) => m !== n)));
  });

  it('labels travel along the graph to the unlabelled nodes of their own cluster; an isolated node gets none', () => {
    // Two chains 0-1-2 and 3-4-5, node 6 alone; one seed per chain.
    const edges: Array<Array<[number, number]>> = [[[1, 1]], [[2, 1]], [], [[4, 1]], [[5, 1]], [], []];
    const seeds = [{ label: 0, weight: 1 }, null, null, null, null, { label: 1, weight: 1 }, null];
    const f = spreadLabels(edges, seeds, 2, { k: 1, alpha: 0.8, iterations: 30 });
    for (const n of [1, 2]) assert.ok(f[n][0] > 0.99);
    for (const n of [3, 4]) assert.ok(f[n][1] > 0.99);
    assert.deepEqual(Array.from(f[6]), [0, 0]);
  });
});

describe('probability calibration with a per-category bias (routing/model.ts)', () => {
  it('uninformative scores: the bias alone reproduces the classes’ shares', () => {
    const z = Array.from({ length: 100 }, () => new Float64Array(2));
    const y = Array.from({ length: 100 }, (_, i) => (i < 30 ? 0 : 1));
    const { bias } = fitCalibration(z, y);
    assert.ok(Math.abs(bias[1] - bias[0] - Math.log(70 / 30)) < 0.01);
    assert.ok(Math.abs(bias[0] + bias[1]) < 1e-3, 'centred');
  });

  it('the bias shifts the category probabilities the engine uses', () => {
    const m: CategoryModel = { categories: ['甲', '乙'], vec: { vocab: new Map([['路灯', 0]]), idf: Float64Array.from([1]) }, w: [Float64Array.from([-1]), Float64Array.from([-1])], scale: 1 };
    const x = { idx: [0], val: [1] };
    assert.deepEqual(Array.from(categoryProbabilities(m, x)), [0.5, 0.5]);
    const q = categoryProbabilities({ ...m, bias: Float64Array.from([Math.log(3), 0]) }, x);
    assert.ok(Math.abs(q[0] - 0.75) < 1e-12);
  });
});
