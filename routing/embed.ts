// Dense word vectors learned from unlabelled appeals (no labels): positive pointwise
// mutual information of words within a small window, reduced by a seeded randomized
// truncated SVD. A multinomial logistic regression over a document's vector (the
// TF-IDF-weighted sum of its words' vectors) is linear in the TF-IDF features, so it
// folds into one weight per word and category: inference cost and model file stay as
// they are. Everything here is deterministic for a given input and seed.
import { seededRandom } from './train';
import type { SparseVec } from './model';

export interface EmbeddingOptions {
  /** Dimensions kept. */
  dim: number;
  /** Words either side that count as context. */
  window: number;
  /** Context distribution smoothing (Levy et al. 2015): context counts raised to this power. */
  cds: number;
  /** Power iterations of the randomized SVD. */
  powerIterations: number;
  seed: number;
}

export const DEFAULT_EMBEDDING: EmbeddingOptions = { dim: 100, window: 5, cds: 0.75, powerIterations: 3, seed: 7 };

/** Sparse matrix in compressed rows. */
export interface Csr {
  rows: number;
  cols: number;
  ptr: Int32Array;
  idx: Int32Array;
  val: Float64Array;
}

/**
 * Word–context PPMI over the given vocabulary (words outside it are skipped, and do
 * not count as distance). Returns a symmetric-shaped V × V matrix.
 */
export function ppmiMatrix(docs: ReadonlyArray<readonly string[]>, vocab: ReadonlyMap<string, number>, window: number, cds: number): Csr {
  const V = vocab.size;
  // Pairs packed as row * V + col (V² < 2^31 for vocabularies under 46,000 words).
  if (V * V >= 2 ** 31) throw new Error(`vocabulary of ${V} words too large for the co-occurrence index`);
  let pairs = new Int32Array(1 << 20);
  let n = 0;
  for (const d of docs) {
    const ids: number[] = [];
    for (const t of d) {
      const i = vocab.get(t);
      if (i !== undefined) ids.push(i);
    }
    for (let a = 0; a < ids.length; a++) {
      for (let b = Math.max(0, a - window); b < a; b++) {
        if (ids[a] === ids[b]) continue;
        if (n + 2 > pairs.length) {
          const grown = new Int32Array(pairs.length * 2);
          grown.set(pairs);
          pairs = grown;
        }
        pairs[n++] = ids[a] * V + ids[b];
        pairs[n++] = ids[b] * V + ids[a];
      }
    }
  }
  const sorted = pairs.subarray(0, n).sort();
  const ptr = new Int32Array(V + 1);
  const idxList: number[] = [];
  const cnt: number[] = [];
  for (let k = 0; k < n; ) {
    let e = k;
    while (e < n && sorted[e] === sorted[k]) e++;
    const r = Math.floor(sorted[k] / V);
    ptr[r + 1]++;
    idxList.push(sorted[k] - r * V);
    cnt.push(e - k);
    k = e;
  }
  for (let r = 0; r < V; r++) ptr[r + 1] += ptr[r];
  const rowSum = new Float64Array(V);
  const colPow = new Float64Array(V);
  for (let r = 0; r < V; r++) for (let k = ptr[r]; k < ptr[r + 1]; k++) rowSum[r] += cnt[k];
  // Symmetric counts: a column's total equals its row's.
  let total = 0;
  let totalPow = 0;
  for (let c = 0; c < V; c++) {
    total += rowSum[c];
    colPow[c] = rowSum[c] ** cds;
    totalPow += colPow[c];
  }
  const keepIdx: number[] = [];
  const keepVal: number[] = [];
  const keepPtr = new Int32Array(V + 1);
  for (let r = 0; r < V; r++) {
    for (let k = ptr[r]; k < ptr[r + 1]; k++) {
      const c = idxList[k];
      const pmi = Math.log((cnt[k] / total) / ((rowSum[r] / total) * (colPow[c] / totalPow)));
      if (pmi > 0) {
        keepIdx.push(c);
        keepVal.push(pmi);
      }
    }
    keepPtr[r + 1] = keepIdx.length;
  }
  return { rows: V, cols: V, ptr: keepPtr, idx: Int32Array.from(keepIdx), val: Float64Array.from(keepVal) };
}

/** Dense row-major matrix rows × cols. */
interface Dense {
  rows: number;
  cols: number;
  a: Float64Array;
}

/** C = M × B (M sparse rows × n, B dense n × k). */
function spmm(m: Csr, b: Dense): Dense {
  const k = b.cols;
  const out = new Float64Array(m.rows * k);
  for (let r = 0; r < m.rows; r++) {
    const o = r * k;
    for (let p = m.ptr[r]; p < m.ptr[r + 1]; p++) {
      const v = m.val[p];
      const bo = m.idx[p] * k;
      for (let j = 0; j < k; j++) out[o + j] += v * b.a[bo + j];
    }
  }
  return { rows: m.rows, cols: k, a: out };
}

/** C = Mᵀ × B (M sparse rows × n, B dense rows × k). */
function spmmT(m: Csr, b: Dense): Dense {
  const k = b.cols;
  const out = new Float64Array(m.cols * k);
  for (let r = 0; r < m.rows; r++) {
    const bo = r * k;
    for (let p = m.ptr[r]; p < m.ptr[r + 1]; p++) {
      const v = m.val[p];
      const o = m.idx[p] * k;
      for (let j = 0; j < k; j++) out[o + j] += v * b.a[bo + j];
    }
  }
  return { rows: m.cols, cols: k, a: out };
}

/**
 * Orthonormalise the columns in place: Cholesky QR, twice (CholeskyQR2), row-major
 * friendly. A column that is numerically dependent on earlier ones is zeroed.
 */
function orthonormalize(q: Dense): void {
  const { rows, cols: k, a } = q;
  for (let pass = 0; pass < 2; pass++) {
    const g = new Float64Array(k * k);
    for (let r = 0; r < rows; r++) {
      const o = r * k;
      for (let i = 0; i < k; i++) {
        const yi = a[o + i];
        if (yi === 0) continue;
        for (let j = i; j < k; j++) g[i * k + j] += yi * a[o + j];
      }
    }
    // Upper Cholesky factor R (G = RᵀR), in place in the upper triangle of g.
    const rdiag = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let d = g[i * k + i];
      for (let p = 0; p < i; p++) d -= g[p * k + i] ** 2;
      const ok = d > 1e-12 * (g[i * k + i] || 1);
      rdiag[i] = ok ? Math.sqrt(d) : 0;
      for (let j = i + 1; j < k; j++) {
        let s = g[i * k + j];
        for (let p = 0; p < i; p++) s -= g[p * k + i] * g[p * k + j];
        g[i * k + j] = ok ? s / rdiag[i] : 0;
      }
      g[i * k + i] = rdiag[i];
    }
    // Y ← Y R⁻¹, row by row (forward substitution on the row vector).
    for (let r = 0; r < rows; r++) {
      const o = r * k;
      for (let j = 0; j < k; j++) {
        if (rdiag[j] === 0) {
          a[o + j] = 0;
          continue;
        }
        let s = a[o + j];
        for (let p = 0; p < j; p++) s -= a[o + p] * g[p * k + j];
        a[o + j] = s / rdiag[j];
      }
    }
  }
}

/** Eigen-decomposition of a symmetric n × n matrix by cyclic Jacobi rotations: eigenvalues descending, eigenvectors as columns. */
export function symmetricEigen(s: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(s);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - sn * akq;
          a[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - sn * aqk;
          a[q * n + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - sn * vkq;
          v[k * n + q] = sn * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x] || x - y);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values, vectors };
}

/**
 * Rank-`dim` truncated SVD of M (randomized range finder with power iterations,
 * Halko et al. 2011): returns U·Σ^½ with rows L2-normalised, one row per word.
 */
export function truncatedSvdVectors(m: Csr, dim: number, powerIterations: number, seed: number): Float64Array[] {
  const k = Math.min(dim + 10, m.cols);
  const rand = seededRandom(seed);
  const omega: Dense = { rows: m.cols, cols: k, a: new Float64Array(m.cols * k) };
  for (let i = 0; i < omega.a.length; i++) omega.a[i] = rand() * 2 - 1;
  let y = spmm(m, omega);
  orthonormalize(y);
  for (let it = 0; it < powerIterations; it++) {
    const z = spmmT(m, y);
    orthonormalize(z);
    y = spmm(m, z);
    orthonormalize(y);
  }
  // B = Qᵀ M (k × cols); B Bᵀ = Qᵀ M Mᵀ Q, eigenvectors give U = Q × vectors.
  const bt = spmmT(m, y); // cols × k = Bᵀ
  const g = new Float64Array(k * k);
  for (let r = 0; r < bt.rows; r++) {
    const o = r * k;
    for (let i = 0; i < k; i++) {
      const bi = bt.a[o + i];
      if (bi === 0) continue;
      for (let j = i; j < k; j++) g[i * k + j] += bi * bt.a[o + j];
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) g[i * k + j] = g[j * k + i];
  const { values, vectors } = symmetricEigen(g, k);
  const d = Math.min(dim, k);
  const out: Float64Array[] = [];
  for (let r = 0; r < m.rows; r++) {
    const row = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += y.a[r * k + i] * vectors[i * k + j];
      // U Σ^½, with Σ = sqrt(eigenvalue of B Bᵀ).
      row[j] = s * Math.max(0, values[j]) ** 0.25;
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += row[j] * row[j];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let j = 0; j < d; j++) row[j] /= norm;
    out.push(row);
  }
  return out;
}

/** Word vectors for a vocabulary, learned from token sequences (no labels). */
export function learnWordVectors(docs: ReadonlyArray<readonly string[]>, vocab: ReadonlyMap<string, number>, o: EmbeddingOptions = DEFAULT_EMBEDDING): Float64Array[] {
  return truncatedSvdVectors(ppmiMatrix(docs, vocab, o.window, o.cds), o.dim, o.powerIterations, o.seed);
}

/** A document's dense vector: the sum of its words' vectors weighted by its (L2-normalised) TF-IDF values. */
export function documentVector(e: ReadonlyArray<Float64Array>, x: SparseVec, dim: number): Float64Array {
  const d = new Float64Array(dim);
  for (let k = 0; k < x.idx.length; k++) {
    const row = e[x.idx[k]];
    const v = x.val[k];
    for (let j = 0; j < dim; j++) d[j] += v * row[j];
  }
  return d;
}

export interface SoftmaxOptions {
  /** L2 penalty per unit of total document weight. */
  l2: number;
  iterations: number;
}

/**
 * Multinomial logistic regression without bias (full-batch gradient descent with
 * Nesterov momentum; deterministic). Returns the weights [category][dim].
 */
export function trainSoftmax(xs: ReadonlyArray<Float64Array>, ys: readonly number[], weights: readonly number[], K: number, o: SoftmaxOptions): Float64Array[] {
  const dim = xs.length ? xs[0].length : 0;
  const w = Array.from({ length: K }, () => new Float64Array(dim));
  const vel = Array.from({ length: K }, () => new Float64Array(dim));
  const look = Array.from({ length: K }, () => new Float64Array(dim));
  const grad = Array.from({ length: K }, () => new Float64Array(dim));
  let totalW = 0;
  let maxSq = 0;
  for (let n = 0; n < xs.length; n++) {
    totalW += weights[n];
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += xs[n][j] ** 2;
    maxSq = Math.max(maxSq, sq);
  }
  if (!totalW) return w;
  // Lipschitz bound of the mean loss gradient: ½ max‖x‖² + λ.
  const step = 1 / (0.5 * maxSq + o.l2);
  const z = new Float64Array(K);
  for (let it = 0; it < o.iterations; it++) {
    const mom = it / (it + 3);
    for (let c = 0; c < K; c++) {
      for (let j = 0; j < dim; j++) look[c][j] = w[c][j] + mom * vel[c][j];
      grad[c].fill(0);
    }
    for (let n = 0; n < xs.length; n++) {
      const x = xs[n];
      let max = -Infinity;
      for (let c = 0; c < K; c++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += look[c][j] * x[j];
        z[c] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < K; c++) sum += (z[c] = Math.exp(z[c] - max));
      const a = weights[n] / totalW;
      for (let c = 0; c < K; c++) {
        const g = a * (z[c] / sum - (c === ys[n] ? 1 : 0));
        if (g === 0) continue;
        for (let j = 0; j < dim; j++) grad[c][j] += g * x[j];
      }
    }
    for (let c = 0; c < K; c++) {
      for (let j = 0; j < dim; j++) {
        const g = grad[c][j] + o.l2 * look[c][j];
        const next = look[c][j] - step * g;
        vel[c][j] = next - w[c][j];
        w[c][j] = next;
      }
    }
  }
  return w;
}

/** Per word and category: the regression's weight folded through the word vectors (u[c][word] = e_word · w_c). */
export function foldIntoWords(e: ReadonlyArray<Float64Array>, w: ReadonlyArray<Float64Array>): Float64Array[] {
  return w.map((wc) => {
    const row = new Float64Array(e.length);
    for (let i = 0; i < e.length; i++) {
      let s = 0;
      const ei = e[i];
      for (let j = 0; j < wc.length; j++) s += ei[j] * wc[j];
      row[i] = s;
    }
    return row;
  });
}
