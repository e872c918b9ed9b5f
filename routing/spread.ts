// Label spreading (Zhou et al. 2004) on a k-nearest-neighbour graph of appeals
// (cosine over TF-IDF): labelled appeals pass their labels to the unlabelled ones
// they resemble. Deterministic: ties broken by index.
import type { SparseVec } from './model';

export interface SpreadOptions {
  /** Neighbours kept per appeal. */
  k: number;
  /** How much of a node's label comes from its neighbours (the rest from its own seed label). */
  alpha: number;
  iterations: number;
}

export const DEFAULT_SPREAD: SpreadOptions = { k: 10, alpha: 0.8, iterations: 20 };

/** The k nearest neighbours of every vector by dot product (vectors L2-normalised: cosine), through an inverted index. */
export function knnGraph(xs: readonly SparseVec[], dim: number, k: number): Array<Array<[number, number]>> {
  const postings: Array<Array<[number, number]>> = Array.from({ length: dim }, () => []);
  xs.forEach((x, n) => x.idx.forEach((i, j) => postings[i].push([n, x.val[j]])));
  const acc = new Float64Array(xs.length);
  const touched: number[] = [];
  return xs.map((x, n) => {
    for (let j = 0; j < x.idx.length; j++) {
      const v = x.val[j];
      for (const [m, w] of postings[x.idx[j]]) {
        if (acc[m] === 0) touched.push(m);
        acc[m] += v * w;
      }
    }
    const best: Array<[number, number]> = [];
    for (const m of touched) {
      const s = acc[m];
      acc[m] = 0;
      if (m === n || s <= 0) continue;
      if (best.length === k && (s < best[k - 1][1] || (s === best[k - 1][1] && m > best[k - 1][0]))) continue;
      let p = best.length;
      while (p > 0 && (best[p - 1][1] < s || (best[p - 1][1] === s && best[p - 1][0] > m))) p--;
      best.splice(p, 0, [m, s]);
      if (best.length > k) best.pop();
    }
    touched.length = 0;
    return best;
  });
}

/**
 * Spread seed labels over the symmetrised graph: F ← α·S·F + (1 − α)·Y, with
 * S = D^-½ W D^-½. `seeds[n]` is a class index with a weight, or null for an
 * unlabelled node. Returns each node's class distribution (rows sum to 1; a node the
 * labels never reach gets an all-zero row).
 */
export function spreadLabels(graph: ReadonlyArray<ReadonlyArray<[number, number]>>, seeds: ReadonlyArray<{ label: number; weight: number } | null>, K: number, o: SpreadOptions): Float64Array[] {
  const N = graph.length;
  // Symmetric weights: w(a, b) = max of the two directed similarities.
  const adj: Array<Map<number, number>> = Array.from({ length: N }, () => new Map());
  graph.forEach((list, a) => {
    for (const [b, s] of list) {
      adj[a].set(b, Math.max(adj[a].get(b) ?? 0, s));
      adj[b].set(a, Math.max(adj[b].get(a) ?? 0, s));
    }
  });
  const deg = adj.map((m) => [...m.values()].reduce((x, y) => x + y, 0));
  const edges = adj.map((m, a) => [...m].sort((x, y) => x[0] - y[0]).map(([b, w]) => [b, deg[a] && deg[b] ? w / Math.sqrt(deg[a] * deg[b]) : 0] as [number, number]));
  const y = Array.from({ length: N }, (_, n) => {
    const row = new Float64Array(K);
    const s = seeds[n];
    if (s) row[s.label] = s.weight;
    return row;
  });
  let f = y.map((r) => Float64Array.from(r));
  for (let it = 0; it < o.iterations; it++) {
    f = edges.map((list, a) => {
      const row = new Float64Array(K);
      for (const [b, w] of list) for (let c = 0; c < K; c++) row[c] += w * f[b][c];
      for (let c = 0; c < K; c++) row[c] = o.alpha * row[c] + (1 - o.alpha) * y[a][c];
      return row;
    });
  }
  return f.map((row) => {
    const s = row.reduce((x, v) => x + v, 0);
    return s > 0 ? row.map((v) => v / s) : row;
  });
}
