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
 * The dictionary as a trie over UTF-16 units. Node 0 is the root; its children are in a
 * direct table by unit, every other edge in an open-addressing table whose slot holds
 * (parent + 1, unit, child, is-word) side by side, so one probe touches one cache line.
 */
export class DictTrie {
  /** Per UTF-16 unit: the root's child, or -1. */
  readonly root = new Int32Array(65536).fill(-1);
  /** Slot h: table[4h] = parent + 1 (0: empty), [4h + 1] = unit, [4h + 2] = child, [4h + 3] = 1 when the child ends a word. */
  table: Int32Array;
  /** A bit per hash of (parent, unit) of every edge below the root: most failed steps end here, without touching the table. */
  readonly filter = new Int32Array(1 << (FILTER_BITS - 5));
  shift: number;
  mask: number;
  /** Per node: ln(freq) − ln(total) when the node ends a word, NaN otherwise. */
  readonly score: Float64Array;
  nodes = 1;
  /** ln(1) − ln(total): the step over a character that starts no word. */
  readonly logOne: number;

  /** `dict`: jieba's dictionary text, one "word freq [tag]" a line (the same bytes the native segmenter loads). */
  constructor(dict: string) {
    // Sized for about 1.5 nodes a line, the table at most half full (grown when not).
    let lines = 1;
    for (let i = dict.indexOf('\n'); i >= 0; i = dict.indexOf('\n', i + 1)) lines++;
    let bits = 16;
    while (1 << bits < 3 * lines) bits++;
    this.table = new Int32Array(4 << bits);
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    // Per node: the word's frequency (NaN: no word ends there), made ln(freq) − ln(total) at the end.
    let freq = new Float64Array(1 << bits).fill(NaN);
    let total = 0;
    // jieba-rs reads each line with split_whitespace: the word, then its frequency (0 when absent);
    // a repeated word takes the later frequency. The dictionary shipped with @node-rs/jieba is
    // "word freq tag" with single spaces, which is all that is parsed here (anything else is an error).
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
      for (let i = at; i < sp; i++) node = this.insert(node, dict.charCodeAt(i), i === sp - 1);
      if (node >= freq.length) {
        const more = new Float64Array(2 * freq.length).fill(NaN);
        more.set(freq);
        freq = more;
      }
      if (freq[node] === freq[node]) total -= freq[node];
      freq[node] = f;
      total += f;
      at = end + 1;
    }
    const logTotal = Math.log(total);
    this.logOne = 0 - logTotal;
    this.score = freq.slice(0, this.nodes);
    for (let n = 0; n < this.nodes; n++) if (this.score[n] === this.score[n]) this.score[n] = Math.log(this.score[n]) - logTotal;
  }

  private insert(node: number, unit: number, word: boolean): number {
    if (node === 0) {
      if (this.root[unit] < 0) this.root[unit] = this.nodes++;
      return this.root[unit];
    }
    const t = this.table;
    let h = Math.imul(node ^ Math.imul(unit, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
    for (;;) {
      const p = t[4 * h];
      if (p === 0) break;
      if (p === node + 1 && t[4 * h + 1] === unit) {
        if (word) t[4 * h + 3] = 1;
        return t[4 * h + 2];
      }
      h = (h + 1) & this.mask;
    }
    const f = Math.imul(node ^ Math.imul(unit, 0x85ebca6b), 0x9e3779b1) >>> (32 - FILTER_BITS);
    this.filter[f >>> 5] |= 1 << (f & 31);
    t[4 * h] = node + 1;
    t[4 * h + 1] = unit;
    t[4 * h + 2] = this.nodes;
    t[4 * h + 3] = word ? 1 : 0;
    if (2 * this.nodes > this.mask) this.grow();
    return this.nodes++;
  }

  /** Twice the slots, every edge placed again (the table stays at most half full). */
  private grow(): void {
    const old = this.table;
    const bits = 32 - this.shift + 1;
    this.table = new Int32Array(4 << bits);
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    const t = this.table;
    for (let s = 0; s < old.length; s += 4) {
      if (old[s] === 0) continue;
      let h = Math.imul((old[s] - 1) ^ Math.imul(old[s + 1], 0x85ebca6b), 0x9e3779b1) >>> this.shift;
      while (t[4 * h] !== 0) h = (h + 1) & this.mask;
      t.set(old.subarray(s, s + 4), 4 * h);
    }
  }

  /** The child of `node` by one UTF-16 unit, or -1. */
  next(node: number, unit: number): number {
    if (node === 0) return this.root[unit];
    const t = this.table;
    let h = Math.imul(node ^ Math.imul(unit, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
    for (;;) {
      const p = t[4 * h];
      if (p === node + 1 && t[4 * h + 1] === unit) return t[4 * h + 2];
      if (p === 0) return -1;
      h = (h + 1) & this.mask;
    }
  }

  /** The node of text[start, end) when it is a dictionary word, else -1. */
  wordNode(text: string, start: number, end: number): number {
    let node = 0;
    for (let i = start; i < end && node >= 0; i++) node = this.next(node, text.charCodeAt(i));
    return node > 0 && this.score[node] === this.score[node] ? node : -1;
  }
}

/** log2 of the bits of DictTrie.filter (512 KiB). */
const FILTER_BITS = 22;

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

/** The HMM for unknown words: log probabilities, emissions as one table per state over UTF-16 units. */
export class Hmm {
  readonly start: Float64Array;
  /** trans[from * 4 + to]. */
  readonly trans: Float64Array;
  /** emit[state * 65536 + unit]. */
  readonly emit: Float64Array;

  /** `model`: routing/jieba-hmm.json. */
  constructor(model: { start: number[]; trans: number[][]; emit: Record<string, [string, number[]]> }) {
    this.start = Float64Array.from(model.start);
    this.trans = Float64Array.from(model.trans.flat());
    this.emit = new Float64Array(4 * 65536).fill(MIN_FLOAT);
    ['B', 'E', 'M', 'S'].forEach((name, state) => {
      const [chars, probs] = model.emit[name];
      if (chars.length !== probs.length) throw new Error(`HMM: state ${name} has ${chars.length} characters and ${probs.length} probabilities`);
      for (let i = 0; i < chars.length; i++) this.emit[state * 65536 + chars.charCodeAt(i)] = probs[i];
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
  private routeScore = new Float64Array(1024);
  private routeEnd = new Int32Array(1024);
  private routeNode = new Int32Array(1024);
  private v = new Float64Array(256);
  private prev = new Int8Array(256);
  private path = new Int8Array(64);

  constructor(
    readonly trie: DictTrie,
    private readonly hmm: Hmm,
    private readonly native: () => Jieba,
  ) {}

  /**
   * Segment `text` into `out` (cleared first) exactly as the native cut(text, true)
   * does: the same words in the same order.
   */
  cut(text: string, out: Words): void {
    out.clear();
    this.counts.texts++;
    const n = text.length;
    if (n + 1 > this.routeScore.length) {
      let size = this.routeScore.length;
      while (size < n + 1) size *= 2;
      this.routeScore = new Float64Array(size);
      this.routeEnd = new Int32Array(size);
      this.routeNode = new Int32Array(size);
    }
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
    const trie = this.trie;
    const score = this.routeScore;
    const routeEnd = this.routeEnd;
    const routeNode = this.routeNode;
    const logOne = trie.logOne;
    score[e] = 0;
    const root = trie.root;
    const table = trie.table;
    const shift = trie.shift;
    const mask = trie.mask;
    const wordScore = trie.score;
    const filter = trie.filter;
    for (let i = e - 1; i >= s; i--) {
      let best = 0;
      let bestEnd = -1;
      let bestNode = -1;
      // Walk the trie from text[i]: each node passed that ends a word is an edge text[i, j).
      let node = root[text.charCodeAt(i)];
      let word = node >= 0 && wordScore[node] === wordScore[node];
      let j = i + 1;
      while (node >= 0) {
        if (word) {
          // jieba keeps the larger ln(freq) − ln(total) + route(j), the later (longer) word on a tie.
          const p = wordScore[node] + score[j];
          if (bestEnd < 0 || p >= best) {
            if (bestEnd >= 0 && p - best < ROUTE_EPSILON) return false;
            best = p;
            bestEnd = j;
            bestNode = node;
          } else if (best - p < ROUTE_EPSILON) return false;
        }
        if (j >= e) break;
        const unit = text.charCodeAt(j);
        const key = node + 1;
        const x = Math.imul(node ^ Math.imul(unit, 0x85ebca6b), 0x9e3779b1);
        const f = x >>> (32 - FILTER_BITS);
        if ((filter[f >>> 5] & (1 << (f & 31))) === 0) break;
        let h = x >>> shift;
        let q = table[4 * h];
        while (q !== 0 && (q !== key || table[4 * h + 1] !== unit)) {
          h = (h + 1) & mask;
          q = table[4 * h];
        }
        if (q === 0) break;
        node = table[4 * h + 2];
        word = table[4 * h + 3] === 1;
        j++;
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
    // Walk the route; one-character steps are gathered into `left`.
    let left = -1;
    for (let x = s; x < e; ) {
      const y = routeEnd[x];
      if (y - x === 1) {
        if (left < 0) left = x;
      } else {
        if (left >= 0) this.flush(text, left, x, out);
        left = -1;
        out.push(x, y, routeNode[x]);
      }
      x = y;
    }
    if (left >= 0) this.flush(text, left, e, out);
    return true;
  }

  /** One-character steps text[a, b): one character as it is, a dictionary word character by character, else the HMM. */
  private flush(text: string, a: number, b: number, out: Words): void {
    if (b - a === 1) out.push(a, b, this.routeNode[a]);
    else if (this.trie.wordNode(text, a, b) >= 0) for (let k = a; k < b; k++) out.push(k, k + 1, this.routeNode[k]);
    else this.hmmCut(text, a, b, out);
  }

  /**
   * jieba-rs's hmm::cut of text[a, b): runs of U+4E00–U+9FD5 of two or more characters
   * by Viterbi, one character as it is; between them, pieces by ([a-zA-Z0-9]+(?:.\d+)?%?)
   * and what lies between the pieces.
   */
  private hmmCut(text: string, a: number, b: number, out: Words): void {
    this.counts.hmmRuns++;
    let i = a;
    while (i < b) {
      let j = i;
      if (isHmmHan(text.charCodeAt(i))) {
        while (j < b && isHmmHan(text.charCodeAt(j))) j++;
        if (j - i > 1) this.viterbi(text, i, j, out);
        else out.push(i, j, this.routeNode[i]);
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
  }

  private pushPiece(text: string, a: number, b: number, out: Words): void {
    out.push(a, b, b - a === 1 ? this.routeNode[a] : this.trie.wordNode(text, a, b));
  }

  /** Viterbi over states B, E, M, S (jieba-rs's order and tie rule: the larger probability, then the later state). */
  private viterbi(text: string, a: number, b: number, out: Words): void {
    const h = this.hmm;
    const C = b - a;
    if (this.v.length < 4 * C) {
      this.v = new Float64Array(8 * C);
      this.prev = new Int8Array(8 * C);
      this.path = new Int8Array(2 * C);
    }
    const v = this.v;
    const prev = this.prev;
    const emit = h.emit;
    const trans = h.trans;
    const c0 = text.charCodeAt(a);
    for (let y = 0; y < 4; y++) {
      v[y] = h.start[y] + emit[y * 65536 + c0];
      prev[y] = -1;
    }
    for (let t = 1; t < C; t++) {
      const ch = text.charCodeAt(a + t);
      for (let k = 0; k < 4; k++) {
        const y = STATE_ORDER[k];
        const em = emit[y * 65536 + ch];
        const y0 = PREV_STATES[2 * y];
        const y1 = PREV_STATES[2 * y + 1];
        const p0 = v[(t - 1) * 4 + y0] + trans[y0 * 4 + y] + em;
        const p1 = v[(t - 1) * 4 + y1] + trans[y1 * 4 + y] + em;
        const take1 = p1 > p0 || (p1 === p0 && y1 > y0);
        v[t * 4 + y] = take1 ? p1 : p0;
        prev[t * 4 + y] = take1 ? y1 : y0;
      }
    }
    const pe = v[(C - 1) * 4 + E];
    const ps = v[(C - 1) * 4 + S];
    let state = ps >= pe ? S : E;
    const path = this.path;
    let t = C - 1;
    path[t] = state;
    while (t > 0) {
      state = prev[t * 4 + state];
      path[--t] = state;
    }
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
  }
}
