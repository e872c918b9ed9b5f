// jieba's cut(text, hmm = true) in JavaScript, word for word the same as @node-rs/jieba
// 2.0.2 (jieba-rs 0.10), which stays the reference (test/routing/segmenter.test.ts) and
// the fallback. Why: the native call was the largest single cost of a suggestion (the
// text crosses N-API as UTF-8 and every word comes back as a fresh JavaScript string);
// here the words are offsets into the text, and a word of the dictionary is known by
// its trie node, so callers can look words up by number.
//
// What jieba does, and what is done here the same way:
// - the text is split into runs of "han" characters (CJK ideographs, ASCII letters and
//   digits, + # & . _ % -); everything else is one word per character;
// - in a run, every dictionary word starting at each character is an edge (a prefix
//   walk of the dictionary trie); the route from the end backwards takes at each
//   character the edge maximising ln(freq) − ln(total) + route(end) (ties: the longer
//   word), ln(1) − ln(total) to the next character when no word starts there;
// - consecutive one-character steps are joined; two or more that are not a dictionary
//   word go to the HMM (unknown words): Viterbi over runs of U+4E00–U+9FD5, jieba-rs's
//   RE_SKIP pieces between them.
// One thing is left to the native segmenter, so the output stays identical: a text where
// floating point could decide differently. V8's Math.log and the C library's log differ
// in the last bit for a few frequencies (77 of the dictionary's 5,088 distinct ones), so
// a choice between edges closer than ROUTE_EPSILON sends the whole text to the native
// segmenter (over the board's texts: 32 of 25,654, all repeated characters such as
// 谢谢谢谢); so does a CJK character beyond the Basic Multilingual Plane. The HMM's
// probabilities are jieba's (jieba-hmm.json); its arithmetic is additions only, the same
// in both.
import type { Jieba } from '@node-rs/jieba';

/** Two route scores closer than this may be ordered differently by the native code (last-bit differences of ln, summed over a text). */
export const ROUTE_EPSILON = 1e-6;
/** Below this a path's log probability went through an absent transition or emission (−3.14e100): such ties are exact on both sides. */
const IMPOSSIBLE = -1e99;
/**
 * Two HMM paths closer than this may be ordered differently by the native code: jieba-rs's
 * compiled HMM is not jieba 0.42.1's finalseg (jieba-hmm.json) to the last digits — 这会文纷份's
 * paths BMEBE and BEBME are 1.7e-6 apart here and the native cut takes the lower.
 */
const HMM_EPSILON = 1e-4;

/** jieba's RE_HAN_DEFAULT for a UTF-16 unit of the Basic Multilingual Plane (surrogates are handled by the caller). */
function isHan(c: number): boolean {
  return (
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 43 || // +
    c === 35 || // #
    c === 38 || // &
    c === 46 || // .
    c === 95 || // _
    c === 37 || // %
    c === 45 // -
  );
}

/**
 * The dictionary as a trie over UTF-16 units, laid out for the cache: the trie walk of a
 * text is bound by memory stalls (a random probe per step into tables of megabytes), and
 * the steps of real texts go to few nodes (over the board's appeals, 95 % of them to 16,000
 * of the 498,000). So nodes are numbered by how often a text is expected to reach them —
 * the summed frequency of the dictionary words at and below them, most first — which puts every
 * per-node table's busy part (word scores here, the callers' tables by node) at its front;
 * and the edges into the first HOT nodes have a small table of their own (8-byte slots,
 * 512 KiB), the others a large one. A node's number is never below its parent's (a
 * parent's frequency includes its children's, ties go by the order of creation), so a
 * node past HOT has no child in the small table.
 *
 * The root's children are in a direct table by unit; a step from any other node asks a
 * bit filter first (most steps fail, and end there), then the small table when the
 * node is one of the HOT, then the large one.
 */
export class DictTrie {
  /** Per UTF-16 unit: the root's child, or -1. */
  readonly root = new Int32Array(65536).fill(-1);
  /** Edges into nodes below HOT: slot h: hot[2h] = ((parent + 1) << 16) | unit (0: empty), hot[2h + 1] = child. */
  readonly hot: Int32Array;
  readonly hotShift: number;
  readonly hotMask: number;
  /** Every other edge below the root: slot h: cold[4h] = parent + 1 (0: empty), [4h + 1] = unit, [4h + 2] = child. */
  readonly cold: Int32Array;
  readonly coldShift: number;
  readonly coldMask: number;
  /**
   * Two bits in one 32-bit word per edge below the root, both chosen by the hash of (parent,
   * unit): a step whose two bits are not both set fails here, without touching a table (most
   * steps). Two bits in the same word: one memory read, and about half the false passes of one bit.
   */
  readonly filter = new Int32Array(1 << (FILTER_BITS - 5));
  /** Per node: ln(freq) − ln(total) when the node ends a word, NaN otherwise. */
  readonly score: Float64Array;
  readonly nodes: number;
  /** ln(1) − ln(total): the step over a character that starts no word. */
  readonly logOne: number;

  /** `dict`: jieba's dictionary text, one "word freq [tag]" a line (the same bytes the native segmenter loads). */
  constructor(dict: string) {
    // First the trie as the dictionary makes it (nodes numbered as they are created), then renumbered.
    let lines = 1;
    for (let i = dict.indexOf('\n'); i >= 0; i = dict.indexOf('\n', i + 1)) lines++;
    const build = new TrieBuilder(lines);
    // jieba-rs reads each line with split_whitespace: the word, then its frequency (0 when absent);
    // a repeated word takes the later frequency. The dictionary shipped with @node-rs/jieba is
    // "word freq tag" with single spaces, which is all that is parsed here (anything else is an error).
    let total = 0;
    for (let at = 0; at < dict.length; ) {
      let end = dict.indexOf('\n', at);
      if (end < 0) end = dict.length;
      const sp = dict.indexOf(' ', at);
      if (sp < 0 || sp > end) {
        if (dict.slice(at, end).trim()) throw new Error(`jieba dictionary: no frequency in "${dict.slice(at, end)}"`);
        at = end + 1;
        continue;
      }
      const sp2 = dict.indexOf(' ', sp + 1);
      let f = 0;
      for (let i = sp + 1; i < (sp2 < 0 || sp2 > end ? end : sp2); i++) {
        const d = dict.charCodeAt(i) - 48;
        if (d < 0 || d > 9) throw new Error(`jieba dictionary: bad frequency in "${dict.slice(at, end)}"`);
        f = f * 10 + d;
      }
      let node = 0;
      for (let i = at; i < sp; i++) node = build.child(node, dict.charCodeAt(i));
      const was = build.freq[node];
      if (was === was) total -= was;
      build.freq[node] = f;
      total += f;
      at = end + 1;
    }
    const logTotal = Math.log(total);
    this.logOne = 0 - logTotal;
    const nodes = (this.nodes = build.nodes);
    const { parent, unit, freq } = build;

    // How often a text reaches each node: the summed frequency of the words at and below it (children are made after their parent).
    const reach = new Float64Array(nodes);
    for (let n = nodes - 1; n > 0; n--) {
      if (freq[n] === freq[n]) reach[n] += freq[n];
      reach[parent[n]] += reach[n];
    }
    // New numbers: the root 0, then by reach, most first, in steps of a quarter octave (a counting
    // sort, no comparison sort of half a million nodes at load); within a step in the order of creation.
    const bucket = new Int32Array(nodes);
    let buckets = 1;
    for (let n = 1; n < nodes; n++) {
      bucket[n] = reach[n] >= 1 ? Math.floor(4 * Math.log2(reach[n])) + 1 : 0;
      if (bucket[n] >= buckets) buckets = bucket[n] + 1;
    }
    const next = new Int32Array(buckets + 1);
    for (let n = 1; n < nodes; n++) next[buckets - bucket[n]]++;
    for (let b = 0, at = 1; b <= buckets; b++) {
      const count = next[b];
      next[b] = at;
      at += count;
    }
    const renumber = new Int32Array(nodes);
    for (let n = 1; n < nodes; n++) renumber[n] = next[buckets - bucket[n]]++;
    this.score = new Float64Array(nodes).fill(NaN);
    for (let n = 1; n < nodes; n++) if (freq[n] === freq[n]) this.score[renumber[n]] = Math.log(freq[n]) - logTotal;
    let hotEdges = 0;
    for (let n = 1; n < nodes; n++) if (parent[n] !== 0 && renumber[n] < HOT) hotEdges++;
    let bits = 4;
    while (1 << bits < 2 * hotEdges) bits++;
    this.hot = new Int32Array(2 << bits);
    this.hotShift = 32 - bits;
    this.hotMask = (1 << bits) - 1;
    bits = 4;
    while (1 << bits < 2 * (nodes - hotEdges)) bits++;
    this.cold = new Int32Array(4 << bits);
    this.coldShift = 32 - bits;
    this.coldMask = (1 << bits) - 1;
    for (let n = 1; n < nodes; n++) {
      const child = renumber[n];
      const u = unit[n];
      if (parent[n] === 0) {
        this.root[u] = child;
        continue;
      }
      const p = renumber[parent[n]];
      const x = edgeHash(p, u);
      this.filter[x >>> (37 - FILTER_BITS)] |= filterBits(x);
      if (child < HOT) {
        const key = ((p + 1) << 16) | u;
        let h = x >>> this.hotShift;
        while (this.hot[2 * h] !== 0) h = (h + 1) & this.hotMask;
        this.hot[2 * h] = key;
        this.hot[2 * h + 1] = child;
      } else {
        let h = x >>> this.coldShift;
        while (this.cold[4 * h] !== 0) h = (h + 1) & this.coldMask;
        this.cold[4 * h] = p + 1;
        this.cold[4 * h + 1] = u;
        this.cold[4 * h + 2] = child;
      }
    }
  }

  /** The child of `node` by one UTF-16 unit, or -1. */
  next(node: number, unit: number): number {
    if (node === 0) return this.root[unit];
    const x = edgeHash(node, unit);
    const bits = filterBits(x);
    if ((this.filter[x >>> (37 - FILTER_BITS)] & bits) !== bits) return -1;
    if (node < HOT) {
      const t = this.hot;
      const key = ((node + 1) << 16) | unit;
      for (let h = x >>> this.hotShift; ; h = (h + 1) & this.hotMask) {
        const k = t[2 * h];
        if (k === key) return t[2 * h + 1];
        if (k === 0) break;
      }
    }
    const t = this.cold;
    for (let h = x >>> this.coldShift; ; h = (h + 1) & this.coldMask) {
      const p = t[4 * h];
      if (p === node + 1 && t[4 * h + 1] === unit) return t[4 * h + 2];
      if (p === 0) return -1;
    }
  }

  /** The node of text[start, end) when it is a dictionary word, else -1. */
  wordNode(text: string, start: number, end: number): number {
    let node = 0;
    for (let i = start; i < end && node >= 0; i++) node = this.next(node, text.charCodeAt(i));
    return node > 0 && this.score[node] === this.score[node] ? node : -1;
  }
}

/** The longest text the first router's buffers take (normalize's MAX_INPUT_CHARS in text.ts: every text suggest() and training segment). */
const MAX_ROUTE = 4000;

/** Whether a Uint16Array holds its units little-endian, as Buffer's UTF-16LE writes them. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Nodes numbered below this have their edges in DictTrie.hot (their parent's number + 1 must fit 15 bits). */
const HOT = 32767;

/** log2 of the bits of DictTrie.filter (512 KiB). */
const FILTER_BITS = 22;

/** The hash of an edge (parent, unit): its slot in a table and its filter word (high bits), its two filter bits (middle bits). */
function edgeHash(parent: number, unit: number): number {
  return Math.imul(parent ^ Math.imul(unit, 0x85ebca6b), 0x9e3779b1);
}

/** The two bits of an edge's filter word (the same bit twice now and then). */
function filterBits(x: number): number {
  return (1 << ((x >>> 10) & 31)) | (1 << ((x >>> 5) & 31));
}

/** The trie while the dictionary is read: nodes numbered as made, each with its parent, the unit into it and its word's frequency. */
class TrieBuilder {
  /** (parent, unit) → child by open addressing: slot h: [3h] = parent + 1 (0: empty), [3h + 1] = unit, [3h + 2] = child. */
  private table: Int32Array;
  private shift: number;
  private mask: number;
  nodes = 1;
  parent: Int32Array;
  unit: Uint16Array;
  /** NaN: no word ends at the node. */
  freq: Float64Array;

  /** Sized for about 1.5 nodes a line, the table at most half full (grown when not). */
  constructor(lines: number) {
    let bits = 16;
    while (1 << bits < 3 * lines) bits++;
    this.table = new Int32Array(3 << bits);
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    this.parent = new Int32Array(2 * lines);
    this.unit = new Uint16Array(2 * lines);
    this.freq = new Float64Array(2 * lines).fill(NaN);
  }

  /** The child of `node` by `unit`, made when there is none. */
  child(node: number, unit: number): number {
    const t = this.table;
    let h = edgeHash(node, unit) >>> this.shift;
    for (;;) {
      const p = t[3 * h];
      if (p === 0) break;
      if (p === node + 1 && t[3 * h + 1] === unit) return t[3 * h + 2];
      h = (h + 1) & this.mask;
    }
    const n = this.nodes++;
    t[3 * h] = node + 1;
    t[3 * h + 1] = unit;
    t[3 * h + 2] = n;
    if (n === this.parent.length) {
      const parent = new Int32Array(2 * n);
      parent.set(this.parent);
      this.parent = parent;
      const units = new Uint16Array(2 * n);
      units.set(this.unit);
      this.unit = units;
      const freq = new Float64Array(2 * n).fill(NaN);
      freq.set(this.freq);
      this.freq = freq;
    }
    this.parent[n] = node;
    this.unit[n] = unit;
    if (2 * this.nodes > this.mask) this.grow();
    return n;
  }

  /** Twice the slots, every edge placed again (the table stays at most half full). */
  private grow(): void {
    const old = this.table;
    const bits = 32 - this.shift + 1;
    this.table = new Int32Array(3 << bits);
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    const t = this.table;
    for (let s = 0; s < old.length; s += 3) {
      if (old[s] === 0) continue;
      let h = edgeHash(old[s] - 1, old[s + 1]) >>> this.shift;
      while (t[3 * h] !== 0) h = (h + 1) & this.mask;
      t.set(old.subarray(s, s + 3), 3 * h);
    }
  }
}

/** A trie's router (makeRouter) with its buffers, for texts of up to `size - 1` units. */
interface Router {
  /**
   * The route of one han run text[s, e) into routeEnd/routeNode (from e - 1 back to s): at each character
   * the edge maximising ln(freq) − ln(total) + route(end), the longer word on a tie. false: two choices
   * closer than ROUTE_EPSILON (the caller then asks the native segmenter).
   */
  run(text: string, s: number, e: number): boolean;
  /** Copies the text's UTF-16 units into the router's own array, which run() reads (call it once per text, before its runs). */
  load(text: string): void;
  /** Per position of the last runs: the end of the route's word starting there, and its dictionary node (-1: none). */
  readonly routeEnd: Int32Array;
  readonly routeNode: Int32Array;
  readonly size: number;
}

/**
 * The router of one trie, as a closure over its tables, DictTrie.next inline. Why a closure: the walk
 * reads several typed-array elements per step, and V8 checks an array read from an object's field at each
 * read (its map, its buffer, its length); an array held in a const of the closure's context is a constant
 * of the optimised code when the closure is the only one made from its function literal (one segmenter
 * per process), so a read costs a bounds check. With a second segmenter it still works, at the old cost.
 * Its buffers are its own, sized for `size - 1` units (a longer text gets a new router, at the old cost).
 */
function makeRouter(trie: DictTrie, size: number): Router {
  // The text's units: one native copy (Buffer's UTF-16LE write, where the platform is little-endian as it is), then
  // typed-array reads, a few instructions each, where charCodeAt costs a dozen.
  const kUnits = new Uint16Array(size);
  const unitBytes = LITTLE_ENDIAN ? Buffer.from(kUnits.buffer, kUnits.byteOffset, kUnits.byteLength) : null;
  const load = (text: string): void => {
    if (unitBytes === null || unitBytes.write(text, 0, 'utf16le') !== 2 * text.length) for (let i = 0; i < text.length; i++) kUnits[i] = text.charCodeAt(i);
  };
  const kScore = new Float64Array(size);
  const kRouteEnd = new Int32Array(size);
  const kRouteNode = new Int32Array(size);
  const kRoot = trie.root;
  const kHot = trie.hot;
  const hotShift = trie.hotShift;
  const hotMask = trie.hotMask;
  const kCold = trie.cold;
  const coldShift = trie.coldShift;
  const coldMask = trie.coldMask;
  const kFilter = trie.filter;
  const kWordScore = trie.score;
  const logOne = trie.logOne;
  /** (`text` is the one last loaded: its units are read from `units`.) */
  function route(text: string, s: number, e: number): boolean {
    // The arrays as locals first (read from the closure's context in the loop, each read was checked: model.ts LOCAL_TABLES).
    const units = kUnits, score = kScore, routeEnd = kRouteEnd, routeNode = kRouteNode, root = kRoot, hot = kHot, cold = kCold, filter = kFilter, wordScore = kWordScore;
    score[e] = 0;
    for (let i = e - 1; i >= s; i--) {
      let best = 0;
      let bestEnd = -1;
      let bestNode = -1;
      // Walk the trie from text[i]: each node passed that ends a word is an edge text[i, j).
      let node = root[units[i]];
      let j = i + 1;
      while (node >= 0) {
        const ws = wordScore[node];
        if (ws === ws) {
          // jieba keeps the larger ln(freq) − ln(total) + route(j), the later (longer) word on a tie.
          const p = ws + score[j];
          if (bestEnd < 0 || p >= best) {
            if (bestEnd >= 0 && p - best < ROUTE_EPSILON) return false;
            best = p;
            bestEnd = j;
            bestNode = node;
          } else if (best - p < ROUTE_EPSILON) return false;
        }
        if (j >= e) break;
        // node = trie.next(node, text[j]), inline.
        const unit = units[j];
        j++;
        if (node === 0) {
          node = root[unit];
          continue;
        }
        const x = edgeHash(node, unit);
        const bits = filterBits(x);
        if ((filter[x >>> (37 - FILTER_BITS)] & bits) !== bits) break;
        let child = -1;
        if (node < HOT) {
          const key = ((node + 1) << 16) | unit;
          for (let h = x >>> hotShift; ; h = (h + 1) & hotMask) {
            const k = hot[2 * h];
            if (k === key) {
              child = hot[2 * h + 1];
              break;
            }
            if (k === 0) break;
          }
        }
        if (child < 0)
          for (let h = x >>> coldShift; ; h = (h + 1) & coldMask) {
            const p = cold[4 * h];
            if (p === node + 1 && cold[4 * h + 1] === unit) {
              child = cold[4 * h + 2];
              break;
            }
            if (p === 0) break;
          }
        node = child;
      }
      if (bestEnd < 0) {
        score[i] = logOne + score[i + 1];
        routeEnd[i] = i + 1;
        routeNode[i] = -1;
      } else {
        score[i] = best;
        routeEnd[i] = bestEnd;
        routeNode[i] = bestNode;
      }
    }
    return true;
  }
  return { run: route, load, routeEnd: kRouteEnd, routeNode: kRouteNode, size };
}

/** jieba-rs's HMM states, by their index: Begin, End, Middle, Single. */
const B = 0;
const E = 1;
const S = 3;
/** The order Viterbi visits the states in (jieba-rs: Begin, Middle, End, Single). */
const STATE_ORDER = [0, 2, 1, 3];
/** Per state: the two states that may precede it (jieba-rs's ALLOWED_PREV_STATUS, in its order). */
const PREV_STATES = [1, 3, 0, 2, 2, 0, 3, 1];
/** What jieba-rs's HMM gives an absent transition or emission. */
const MIN_FLOAT = -3.14e100;
/** jieba-rs's hmm RE_SKIP (its "." is any character). */
const HMM_SKIP = /[a-zA-Z0-9]+(?:.\d+)?%?/g;

/** jieba-rs's hmm range of ideographs. */
function isHmmHan(c: number): boolean {
  return c >= 0x4e00 && c <= 0x9fd5;
}

/** An HMM's Viterbi (makeViterbi) with its buffers, for runs of up to size / 4 units. */
interface Viterbi {
  /** The best state path of text[a, b) into `path` (path[t] for unit a + t); false: a near tie (see DictSegmenter.viterbi). */
  run(text: string, a: number, b: number): boolean;
  readonly path: Int8Array;
  readonly size: number;
}

/**
 * Viterbi over one HMM as a closure over its tables and its own buffers, copied into locals at each call (as
 * makeRouter's): states in jieba-rs's order, its tie rule, HMM_EPSILON's near ties.
 */
function makeViterbi(h: Hmm, size: number): Viterbi {
  const kV = new Float64Array(size);
  const kPrev = new Int8Array(size);
  const kPath = new Int8Array(size);
  const kEmit = h.emit;
  const kTrans = h.trans;
  const kStart = h.start;
  function run(text: string, a: number, b: number): boolean {
    const v = kV, prev = kPrev, path = kPath, emit = kEmit, trans = kTrans, start = kStart;
    const C = b - a;
    const c0 = text.charCodeAt(a);
    for (let y = 0; y < 4; y++) {
      v[y] = start[y] + emit[c0 * 4 + y];
      prev[y] = -1;
    }
    for (let t = 1; t < C; t++) {
      const ch = text.charCodeAt(a + t);
      for (let k = 0; k < 4; k++) {
        const y = STATE_ORDER[k];
        const em = emit[ch * 4 + y];
        const y0 = PREV_STATES[2 * y];
        const y1 = PREV_STATES[2 * y + 1];
        const p0 = v[(t - 1) * 4 + y0] + trans[y0 * 4 + y] + em;
        const p1 = v[(t - 1) * 4 + y1] + trans[y1 * 4 + y] + em;
        if (p0 > IMPOSSIBLE && p1 > IMPOSSIBLE && Math.abs(p1 - p0) < HMM_EPSILON) return false;
        const take1 = p1 > p0 || (p1 === p0 && y1 > y0);
        v[t * 4 + y] = take1 ? p1 : p0;
        prev[t * 4 + y] = take1 ? y1 : y0;
      }
    }
    const pe = v[(C - 1) * 4 + E];
    const ps = v[(C - 1) * 4 + S];
    if (pe > IMPOSSIBLE && ps > IMPOSSIBLE && Math.abs(ps - pe) < HMM_EPSILON) return false;
    let state = ps >= pe ? S : E;
    let t = C - 1;
    path[t] = state;
    while (t > 0) {
      state = prev[t * 4 + state];
      path[--t] = state;
    }
    return true;
  }
  return { run, path: kPath, size };
}

/** The HMM for unknown words: log probabilities, emissions as one table per state over UTF-16 units. */
export class Hmm {
  readonly start: Float64Array;
  /** trans[from * 4 + to]. */
  readonly trans: Float64Array;
  /** emit[unit * 4 + state]: a character's four emissions side by side (one cache line, not four tables of 512 KiB). */
  readonly emit: Float64Array;

  /** `model`: routing/jieba-hmm.json. */
  constructor(model: { start: number[]; trans: number[][]; emit: Record<string, [string, number[]]> }) {
    this.start = Float64Array.from(model.start);
    this.trans = Float64Array.from(model.trans.flat());
    this.emit = new Float64Array(4 * 65536).fill(MIN_FLOAT);
    ['B', 'E', 'M', 'S'].forEach((name, state) => {
      const [chars, probs] = model.emit[name];
      if (chars.length !== probs.length) throw new Error(`HMM: state ${name} has ${chars.length} characters and ${probs.length} probabilities`);
      for (let i = 0; i < chars.length; i++) this.emit[chars.charCodeAt(i) * 4 + state] = probs[i];
    });
  }
}

/**
 * The words of one segmentation, as offsets: word k is text[start[k], end[k]); node[k]
 * is its dictionary node (-1 for a word the dictionary does not have or a character
 * outside the han runs). Reused between calls (grown as needed).
 */
export class Words {
  count = 0;
  start = new Int32Array(256);
  end = new Int32Array(256);
  node = new Int32Array(256);

  clear(): void {
    this.count = 0;
  }

  push(start: number, end: number, node: number): void {
    if (this.count === this.start.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.start = grow(this.start);
      this.end = grow(this.end);
      this.node = grow(this.node);
    }
    this.start[this.count] = start;
    this.end[this.count] = end;
    this.node[this.count++] = node;
  }
}

/** How often each path was taken (for the benchmark's account; not used by the segmentation). */
export interface SegmenterCounts {
  texts: number;
  /** Texts segmented wholly by the native segmenter (a near tie, a dictionary word inside an unknown run, or a character beyond the BMP). */
  native: number;
  /** Unknown runs cut by the native segmenter (its HMM). */
  hmmRuns: number;
}

export class DictSegmenter {
  readonly counts: SegmenterCounts = { texts: 0, native: 0, hmmRuns: 0 };
  /** The HMM's best paths (makeViterbi), for runs up to MAX_ROUTE units at first. */
  private paths: Viterbi;

  /** The route of a han run (makeRouter), for texts up to MAX_ROUTE units (normalize's cap) at first. */
  private router: Router;

  constructor(
    readonly trie: DictTrie,
    private readonly hmm: Hmm,
    private readonly native: () => Jieba,
  ) {
    this.router = makeRouter(trie, MAX_ROUTE + 1);
    this.paths = makeViterbi(hmm, 4 * MAX_ROUTE);
  }

  /**
   * Segment `text` into `out` (cleared first) exactly as the native cut(text, true)
   * does: the same words in the same order.
   */
  cut(text: string, out: Words): void {
    out.clear();
    this.counts.texts++;
    const n = text.length;
    if (n + 1 > this.router.size) {
      let size = this.router.size;
      while (size < n + 1) size *= 2;
      this.router = makeRouter(this.trie, size);
    }
    this.router.load(text);
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdfff) return this.nativeCut(text, out);
      if (!isHan(c)) {
        // One word per character ("\r\n" is one word); none of them is a content word.
        if (c === 13 && text.charCodeAt(i + 1) === 10) {
          out.push(i, i + 2, -1);
          i += 2;
        } else {
          out.push(i, i + 1, -1);
          i++;
        }
        continue;
      }
      let j = i + 1;
      while (j < n && isHan(text.charCodeAt(j))) j++;
      if (!this.cutRun(text, i, j, out)) return this.nativeCut(text, out);
      i = j;
    }
  }

  private nativeCut(text: string, out: Words): void {
    this.counts.native++;
    out.clear();
    let at = 0;
    for (const w of this.native().cut(text, true)) {
      out.push(at, at + w.length, w.length > 1 ? this.trie.wordNode(text, at, at + w.length) : -1);
      at += w.length;
    }
    if (at !== text.length) throw new Error('jieba: the words do not make up the text');
  }

  /** One han run text[s, e). false: the result might differ from the native one (the caller then asks it). */
  private cutRun(text: string, s: number, e: number, out: Words): boolean {
    const router = this.router;
    if (!router.run(text, s, e)) return false;
    const routeEnd = router.routeEnd;
    const routeNode = router.routeNode;
    // Walk the route; one-character steps are gathered into `left`.
    let left = -1;
    for (let x = s; x < e; ) {
      const y = routeEnd[x];
      if (y - x === 1) {
        if (left < 0) left = x;
      } else {
        if (left >= 0 && !this.flush(text, left, x, out)) return false;
        left = -1;
        out.push(x, y, routeNode[x]);
      }
      x = y;
    }
    return left < 0 || this.flush(text, left, e, out);
  }

  /**
   * One-character steps text[a, b): one character as it is, a dictionary word character by
   * character, else the HMM. false: the HMM met a near tie (the caller asks the native segmenter).
   */
  private flush(text: string, a: number, b: number, out: Words): boolean {
    if (b - a === 1) out.push(a, b, this.router.routeNode[a]);
    else if (this.trie.wordNode(text, a, b) >= 0) for (let k = a; k < b; k++) out.push(k, k + 1, this.router.routeNode[k]);
    else return this.hmmCut(text, a, b, out);
    return true;
  }

  /**
   * jieba-rs's hmm::cut of text[a, b): runs of U+4E00–U+9FD5 of two or more characters
   * by Viterbi, one character as it is; between them, pieces by ([a-zA-Z0-9]+(?:.\d+)?%?)
   * and what lies between the pieces.
   */
  private hmmCut(text: string, a: number, b: number, out: Words): boolean {
    this.counts.hmmRuns++;
    let i = a;
    while (i < b) {
      let j = i;
      if (isHmmHan(text.charCodeAt(i))) {
        while (j < b && isHmmHan(text.charCodeAt(j))) j++;
        if (j - i > 1) {
          if (!this.viterbi(text, i, j, out)) return false;
        } else out.push(i, j, this.router.routeNode[i]);
      } else {
        while (j < b && !isHmmHan(text.charCodeAt(j))) j++;
        const part = text.slice(i, j);
        HMM_SKIP.lastIndex = 0;
        let at = 0;
        for (let m = HMM_SKIP.exec(part); m; m = HMM_SKIP.exec(part)) {
          if (m.index > at) this.pushPiece(text, i + at, i + m.index, out);
          this.pushPiece(text, i + m.index, i + m.index + m[0].length, out);
          at = m.index + m[0].length;
        }
        if (at < part.length) this.pushPiece(text, i + at, j, out);
      }
      i = j;
    }
    return true;
  }

  private pushPiece(text: string, a: number, b: number, out: Words): void {
    out.push(a, b, b - a === 1 ? this.router.routeNode[a] : this.trie.wordNode(text, a, b));
  }

  /**
   * Viterbi over states B, E, M, S (jieba-rs's order and tie rule: the larger probability, then
   * the later state). false: two paths of real probability met closer than HMM_EPSILON, which
   * the native code may order the other way (the caller then asks it).
   */
  private viterbi(text: string, a: number, b: number, out: Words): boolean {
    const C = b - a;
    if (4 * C > this.paths.size) this.paths = makeViterbi(this.hmm, 8 * C);
    if (!this.paths.run(text, a, b)) return false;
    const path = this.paths.path;
    let begin = 0;
    let next = 0;
    for (let i = 0; i < C; i++) {
      const st = path[i];
      if (st === B) begin = i;
      else if (st === E) {
        this.pushPiece(text, a + begin, a + i + 1, out);
        next = i + 1;
      } else if (st === S) {
        this.pushPiece(text, a + i, a + i + 1, out);
        next = i + 1;
      }
    }
    if (next < C) this.pushPiece(text, a + next, b, out);
    return true;
  }
}
