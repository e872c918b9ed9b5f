import assert from 'node:assert/strict';
import { decision, seededRandom, trainSvm, type Csr } from '../../routing/svm';

/** Rows of a dense matrix as CSR. */
function csr(rows: number[][]): Csr {
  const rowPtr = [0];
  const col: number[] = [];
  const val: number[] = [];
  for (const r of rows) {
    r.forEach((v, j) => {
      if (v !== 0) {
        col.push(j);
        val.push(v);
      }
    });
    rowPtr.push(col.length);
  }
  return { rowPtr: Int32Array.from(rowPtr), col: Int32Array.from(col), val: Float64Array.from(val), dim: rows[0].length };
}

describe('linear SVM (dual coordinate descent)', () => {
  // Three classes, each along its own axis, with noise.
  const rand = seededRandom(7);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 90; i++) {
    const c = i % 3;
    const r = [0, 0, 0, 0].map(() => (rand() - 0.5) * 0.4);
    r[c] += 1;
    rows.push(r);
    y.push(c);
  }
  const X = csr(rows);
  const ones = new Array(rows.length).fill(1);

  it('separates classes that are separable, one-vs-rest', () => {
    const m = trainSvm(X, y, 3, ones, { C: 10, bias: 1, eps: 0.01, maxIter: 1000, seed: 1 });
    rows.forEach((r, i) => {
      const idx = r.map((_, j) => j);
      const z = decision(m, idx, r);
      assert.equal(z.indexOf(Math.max(...z)), y[i]);
    });
  });

  it('reaches the optimum of the squared-hinge objective: no small step in any direction lowers it', () => {
    const C = 1;
    const m = trainSvm(X, y, 3, ones, { C, bias: 1, eps: 1e-6, maxIter: 5000, seed: 1 });
    for (let c = 0; c < 3; c++) {
      const f = (w: number[], b: number) =>
        0.5 * (w.reduce((s, x) => s + x * x, 0) + b * b) +
        C * rows.reduce((s, r, i) => s + Math.max(0, 1 - (y[i] === c ? 1 : -1) * (r.reduce((a, x, j) => a + x * w[j], 0) + b)) ** 2, 0);
      const w = Array.from(m.w[c]);
      const b = m.b[c];
      const f0 = f(w, b);
      for (let j = 0; j <= w.length; j++)
        for (const h of [1e-3, -1e-3]) {
          const w2 = [...w];
          let b2 = b;
          if (j < w.length) w2[j] += h;
          else b2 += h;
          assert.ok(f(w2, b2) >= f0 - 1e-6, `class ${c}, coordinate ${j}`);
        }
    }
  });

  it('a row of weight 0 is left out; a heavier row pulls the boundary towards being right about it', () => {
    const base = trainSvm(X, y, 3, ones, { C: 1, bias: 1, eps: 0.01, maxIter: 1000, seed: 1 });
    const zeroed = trainSvm(X, y, 3, ones.map((_, i) => (i === 0 ? 0 : 1)), { C: 1, bias: 1, eps: 0.01, maxIter: 1000, seed: 1 });
    assert.notDeepEqual(Array.from(base.w[0]), Array.from(zeroed.w[0]));
    // A mislabelled row: with more weight, the model moves towards its (wrong) label.
    const y2 = [...y];
    y2[0] = 1;
    const light = trainSvm(X, y2, 3, ones, { C: 1, bias: 1, eps: 0.01, maxIter: 1000, seed: 1 });
    const heavy = trainSvm(X, y2, 3, ones.map((_, i) => (i === 0 ? 20 : 1)), { C: 1, bias: 1, eps: 0.01, maxIter: 1000, seed: 1 });
    const idx = rows[0].map((_, j) => j);
    const margin = (m: typeof light) => {
      const z = decision(m, idx, rows[0]);
      return z[1] - z[0];
    };
    assert.ok(margin(heavy) > margin(light));
  });

  it('is deterministic: the same inputs give the same weights, bit for bit', () => {
    const a = trainSvm(X, y, 3, ones, { C: 1, bias: 1, eps: 0.1, maxIter: 1000, seed: 3 });
    const b = trainSvm(X, y, 3, ones, { C: 1, bias: 1, eps: 0.1, maxIter: 1000, seed: 3 });
    assert.deepEqual(a.w.map((r) => Array.from(r)), b.w.map((r) => Array.from(r)));
    assert.deepEqual(Array.from(a.b), Array.from(b.b));
  });
});
