// A linear support-vector machine: L2-regularised, squared hinge loss, one-vs-rest,
// trained by dual coordinate descent with shrinking as in LIBLINEAR (Hsieh et al.,
// ICML 2008; LIBLINEAR's solver 1, `solve_l2r_l1l2_svc`), with a weight per
// training example (its cost is C × weight). Deterministic: the order of the
// coordinates comes from a seeded generator, so the same inputs give the same
// weights bit for bit.
//
// Why our own: the npm packages for SVMs are kernel SVMs (libsvm ports, dense or
// WebAssembly, minutes on 5,000 appeals × 100,000 sparse features) or unmaintained;
// this solver is short, sparse and exact enough (tested against the optimality
// conditions in test/routing/svm.test.ts).

/** Rows of a sparse matrix (compressed sparse rows). */
export interface Csr {
  rowPtr: Int32Array;
  col: Int32Array;
  val: Float64Array;
  /** Number of columns. */
  dim: number;
}

export interface SvmOptions {
  C: number;
  /** Value of the constant feature that carries the bias (LIBLINEAR's -B); 0 = no bias. */
  bias: number;
  /** Stop when the projected gradients span less than this (LIBLINEAR's -e, default 0.1). */
  eps: number;
  maxIter: number;
  seed: number;
}

export const DEFAULT_SVM: SvmOptions = { C: 1, bias: 1, eps: 0.1, maxIter: 1000, seed: 1 };

export interface LinearModel {
  /** [class][feature] weights. */
  w: Float64Array[];
  /** Per class: bias (already multiplied by the bias feature's value). */
  b: Float64Array;
}

/** Deterministic random numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One-vs-rest linear SVM. `y[i]` is the class of row i (0…K-1); `weight[i]` scales
 * its cost (rows of weight 0 are left out).
 */
export function trainSvm(X: Csr, y: ArrayLike<number>, K: number, weight: ArrayLike<number>, o: SvmOptions = DEFAULT_SVM): LinearModel {
  const rows: number[] = [];
  for (let i = 0; i < y.length; i++) if (weight[i] > 0) rows.push(i);
  const l = rows.length;
  const sq = new Float64Array(l);
  const diag = new Float64Array(l);
  for (let s = 0; s < l; s++) {
    const i = rows[s];
    let n = o.bias * o.bias;
    for (let k = X.rowPtr[i]; k < X.rowPtr[i + 1]; k++) n += X.val[k] * X.val[k];
    diag[s] = 0.5 / (o.C * weight[i]);
    sq[s] = n + diag[s];
  }
  const w: Float64Array[] = [];
  const b = new Float64Array(K);
  for (let c = 0; c < K; c++) {
    const rand = seededRandom(o.seed * 7919 + c);
    const wc = new Float64Array(X.dim);
    let wb = 0;
    const alpha = new Float64Array(l);
    const yy = new Int8Array(l);
    for (let s = 0; s < l; s++) yy[s] = y[rows[s]] === c ? 1 : -1;
    const index = Int32Array.from({ length: l }, (_, s) => s);
    let active = l;
    let pgMaxOld = Infinity;
    for (let iter = 0; iter < o.maxIter; iter++) {
      for (let s = 0; s < active; s++) {
        const j = s + Math.floor(rand() * (active - s));
        const t = index[s];
        index[s] = index[j];
        index[j] = t;
      }
      let pgMax = -Infinity;
      let pgMin = Infinity;
      for (let s = 0; s < active; s++) {
        const si = index[s];
        const i = rows[si];
        const yi = yy[si];
        let dot = wb * o.bias;
        for (let k = X.rowPtr[i]; k < X.rowPtr[i + 1]; k++) dot += wc[X.col[k]] * X.val[k];
        const G = yi * dot - 1 + alpha[si] * diag[si];
        let PG = 0;
        if (alpha[si] === 0) {
          if (G > pgMaxOld) {
            active--;
            index[s] = index[active];
            index[active] = si;
            s--;
            continue;
          }
          if (G < 0) PG = G;
        } else PG = G;
        if (PG > pgMax) pgMax = PG;
        if (PG < pgMin) pgMin = PG;
        if (Math.abs(PG) > 1e-12) {
          const old = alpha[si];
          alpha[si] = Math.max(old - G / sq[si], 0);
          const d = (alpha[si] - old) * yi;
          for (let k = X.rowPtr[i]; k < X.rowPtr[i + 1]; k++) wc[X.col[k]] += d * X.val[k];
          wb += d * o.bias;
        }
      }
      if (pgMax - pgMin <= o.eps) {
        if (active === l) break;
        active = l;
        pgMaxOld = Infinity;
        continue;
      }
      pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
    }
    w.push(wc);
    b[c] = wb * o.bias;
  }
  return { w, b };
}

/** Decision values of one sparse row (indices into the model's columns). */
export function decision(m: LinearModel, idx: ArrayLike<number>, val: ArrayLike<number>): Float64Array {
  const K = m.w.length;
  const z = new Float64Array(K);
  for (let c = 0; c < K; c++) {
    const wc = m.w[c];
    let s = m.b[c];
    for (let k = 0; k < idx.length; k++) s += wc[idx[k]] * val[k];
    z[c] = s;
  }
  return z;
}
