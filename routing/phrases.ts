// Finds many fixed phrases in a text in one pass: phrases are indexed by their
// first two characters (one for one-character phrases), so the cost grows with
// the text, not with the number of phrases. The inner loop compares character
// codes (no string made or compared per position, no Map look-up: the two-character
// heads sit in an open-addressing table of integers). suggest() runs one scan for
// its five matchers (PhraseScan) and one for the gazetteer's names.

export interface PhraseHit {
  phrase: string;
  index: number;
}

export class PhraseMatcher {
  /** Per UTF-16 code unit: bit 1 = a phrase of 2+ units starts with it, bit 2 = it is a one-unit phrase. */
  /** @internal (read by makeScanner) */
  readonly starts = new Uint8Array(65536);
  /** Per UTF-16 code unit that starts a longer phrase: its small id (1-based), so a head key stays a small integer. */
  /** @internal (read by makeScanner) */
  readonly headId = new Uint16Array(65536);
  /** Per UTF-16 code unit that is a one-unit phrase: that phrase's number (index in `phrases`). */
  /** @internal (read by makeScanner) */
  readonly singleId = new Int32Array(65536);
  /** Open addressing, slot h: heads[2h] = head key ((head id << 16) | second unit, never 0), heads[2h + 1] = group number + 1 (0 = empty slot), side by side. */
  /** @internal (read by makeScanner) */
  readonly heads: Int32Array;
  /** @internal (read by makeScanner) */
  readonly headMask: number;
  /** @internal (read by makeScanner) */
  readonly shift: number;
  /** The phrases of group g are entries groupStart[g] … groupStart[g + 1] - 1: longest first (equal lengths in insertion order). */
  /** @internal (read by makeScanner) */
  readonly groupStart: Int32Array;
  /** Per entry: its phrase's number (index in `phrases`); its code units are entryUnits[entryAt[e]] … entryUnits[entryAt[e + 1] - 1] (all entries' units in one array, a group's side by side). */
  /** @internal (read by makeScanner) */
  readonly entryId: Int32Array;
  /** @internal (read by makeScanner) */
  readonly entryAt: Int32Array;
  /** @internal (read by makeScanner) */
  readonly entryUnits: Uint16Array;
  /** Scratch of the last matchIds() call: phrase numbers and positions of the hits. */
  private readonly hitId: number[] = [];
  private readonly hitPos: number[] = [];

  /** The distinct phrases, in the order given. */
  readonly phrases: readonly string[];

  constructor(phrases: Iterable<string>) {
    let ids = 0;
    this.phrases = [...new Set(phrases)].filter((p) => p.length > 0);
    const byHead = new Map<number, number[]>();
    this.phrases.forEach((p, id) => {
      const c0 = p.charCodeAt(0);
      if (p.length === 1) {
        this.starts[c0] |= 2;
        this.singleId[c0] = id;
        return;
      }
      this.starts[c0] |= 1;
      if (!this.headId[c0]) this.headId[c0] = ++ids;
      const head = ((this.headId[c0] << 16) | p.charCodeAt(1)) | 0;
      const list = byHead.get(head);
      if (list) list.push(id);
      else byHead.set(head, [id]);
    });
    let bits = 4;
    while (1 << bits < byHead.size * 2) bits++;
    this.heads = new Int32Array(2 << bits);
    this.headMask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.groupStart = new Int32Array(byHead.size + 1);
    const entryId: number[] = [];
    const entryAt: number[] = [0];
    const units: number[] = [];
    let g = 0;
    for (const [head, list] of byHead) {
      // Longest first; equal lengths keep insertion order (a stable sort).
      list.sort((a, b) => this.phrases[b].length - this.phrases[a].length);
      this.groupStart[g] = entryId.length;
      for (const id of list) {
        const p = this.phrases[id];
        for (let k = 0; k < p.length; k++) units.push(p.charCodeAt(k));
        entryId.push(id);
        entryAt.push(units.length);
      }
      let h = Math.imul(head, 0x9e3779b1) >>> this.shift;
      while (this.heads[2 * h + 1] !== 0) h = (h + 1) & this.headMask;
      this.heads[2 * h] = head;
      this.heads[2 * h + 1] = ++g;
    }
    this.groupStart[g] = entryId.length;
    this.entryId = Int32Array.from(entryId);
    this.entryAt = Int32Array.from(entryAt);
    this.entryUnits = Uint16Array.from(units);
  }

  /**
   * The hits of every phrase in `text` as phrase numbers and positions (hitId()/hitPos(),
   * valid until the next call), in text order; at one position the one-unit phrase
   * first, then the longest first. Returns the number of hits.
   */
  private matchIds(text: string): number {
    const ids = this.hitId;
    const pos = this.hitPos;
    let m = 0;
    const n = text.length;
    const starts = this.starts;
    const heads = this.heads;
    const mask = this.headMask;
    const shift = this.shift;
    const singleId = this.singleId;
    const headId = this.headId;
    const groupStart = this.groupStart;
    const entryAt = this.entryAt;
    const entryUnits = this.entryUnits;
    const entryId = this.entryId;
    for (let i = 0; i < n; i++) {
      const c1 = text.charCodeAt(i);
      const s = starts[c1];
      if (s === 0) continue;
      if (s & 2) {
        ids[m] = singleId[c1];
        pos[m++] = i;
      }
      if (!(s & 1) || i + 1 >= n) continue;
      const head = ((headId[c1] << 16) | text.charCodeAt(i + 1)) | 0;
      let h = Math.imul(head, 0x9e3779b1) >>> shift;
      let g = 0;
      for (;;) {
        const x = heads[2 * h + 1];
        if (x === 0) break;
        if (heads[2 * h] === head) {
          g = x;
          break;
        }
        h = (h + 1) & mask;
      }
      if (g === 0) continue;
      const end = groupStart[g];
      for (let j = groupStart[g - 1]; j < end; j++) {
        const at = entryAt[j];
        const len = entryAt[j + 1] - at;
        if (i + len > n) continue;
        let k = 2;
        while (k < len && text.charCodeAt(i + k) === entryUnits[at + k]) k++;
        if (k === len) {
          ids[m] = entryId[j];
          pos[m++] = i;
        }
      }
    }
    return m;
  }

  /** Every occurrence of every phrase (overlaps included), in text order; at one position the one-unit phrase first, then the longest first. */
  find(text: string): PhraseHit[] {
    const m = this.matchIds(text);
    const out: PhraseHit[] = new Array(m);
    for (let k = 0; k < m; k++) out[k] = { phrase: this.phrases[this.hitId[k]], index: this.hitPos[k] };
    return out;
  }

  /**
   * find(text) as parallel lists of phrase numbers (index in `phrases`) and positions,
   * into `ids` and `pos` (overwritten from 0; returns the count).
   */
  findIds(text: string, ids: number[], pos: number[]): number {
    const m = this.matchIds(text);
    for (let k = 0; k < m; k++) {
      ids[k] = this.hitId[k];
      pos[k] = this.hitPos[k];
    }
    return m;
  }

  /** The same as find(text), each hit passed to `each(phrase number, position)` instead of collected. */
  forEachHit(text: string, each: (id: number, index: number) => void): void {
    const m = this.matchIds(text);
    for (let k = 0; k < m; k++) each(this.hitId[k], this.hitPos[k]);
  }
}

/**
 * Several matchers' phrases found in one pass over a text: `find(text)[k]` is exactly
 * `matchers[k].find(text)` (the same hits in the same order; a hit object may be shared
 * between lists). suggest() reads one text with five matchers (event-type keywords, kind
 * cues, danger words, danger markers, duties); one scan replaces five.
 */
export class PhraseScan {
  private readonly all: PhraseMatcher;
  /** all's matchIds as a closure over its tables (makeScanner). */
  private readonly scan: (text: string) => number;
  /** Per phrase of `all`: bit k set when matchers[k] has it. */
  private readonly owners: Int32Array;
  private readonly ids: number[] = [];
  private readonly pos: number[] = [];

  constructor(readonly matchers: readonly PhraseMatcher[]) {
    if (matchers.length > 30) throw new Error('PhraseScan: at most 30 matchers');
    const owners = new Map<string, number>();
    matchers.forEach((m, k) => {
      for (const p of m.phrases) owners.set(p, (owners.get(p) ?? 0) | (1 << k));
    });
    this.all = new PhraseMatcher(owners.keys());
    this.owners = Int32Array.from(this.all.phrases, (p) => owners.get(p) ?? 0);
    this.scan = makeScanner(this.all, this.ids, this.pos);
  }

  find(text: string): PhraseHit[][] {
    const out: PhraseHit[][] = [];
    for (let k = 0; k < this.matchers.length; k++) out.push([]);
    // Filtering the union keeps each matcher's order: text order; at one position the one-unit phrase first, then the longest first.
    const m = this.scan(text);
    const phrases = this.all.phrases;
    for (let j = 0; j < m; j++) {
      const id = this.ids[j];
      const h: PhraseHit = { phrase: phrases[id], index: this.pos[j] };
      let mask = this.owners[id];
      for (let k = 0; mask !== 0; k++, mask >>>= 1) if (mask & 1) out[k].push(h);
    }
    return out;
  }
}

/**
 * PhraseMatcher.matchIds of one matcher (the same loop, kept the same), as a closure over its tables,
 * writing the hits to `ids` and `pos`. Why a copy: the scan reads several typed-array elements per
 * character, and V8 checks an array read from an object's field at each read (its map, its buffer, its
 * length); an array held in a const of the closure's context is a constant of the optimised code when the
 * closure is the only one made from its function literal — so only PhraseScan (one per engine, one engine per
 * process) makes one; the other matchers keep the method.
 */
function makeScanner(t: PhraseMatcher, ids: number[], pos: number[]): (text: string) => number {
  const kStarts = t.starts;
  const kHeads = t.heads;
  const mask = t.headMask;
  const shift = t.shift;
  const kSingleId = t.singleId;
  const kHeadId = t.headId;
  const kGroupStart = t.groupStart;
  const kEntryAt = t.entryAt;
  const kEntryUnits = t.entryUnits;
  const kEntryId = t.entryId;
  // The text's units, copied by one native call (Buffer's UTF-16LE write, where the platform is little-endian) and
  // read as a typed array, a few instructions a read where charCodeAt costs a dozen; a longer text is read by charCodeAt.
  const kUnits = new Uint16Array(8192);
  const unitBytes = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? Buffer.from(kUnits.buffer, kUnits.byteOffset, kUnits.byteLength) : null;
  return function scanIds(text: string): number {
    // The arrays as locals first (read from the closure's context in the loop, each read was checked: model.ts LOCAL_TABLES).
    const starts = kStarts, heads = kHeads, singleId = kSingleId, headId = kHeadId, groupStart = kGroupStart, entryAt = kEntryAt, entryUnits = kEntryUnits, entryId = kEntryId;
    let m = 0;
    const n = text.length;
    const units = kUnits;
    const copied = unitBytes !== null && n < units.length && unitBytes.write(text, 0, 'utf16le') === 2 * n;
    for (let i = 0; i < n; i++) {
      const c1 = copied ? units[i] : text.charCodeAt(i);
      const s = starts[c1];
      if (s === 0) continue;
      if (s & 2) {
        ids[m] = singleId[c1];
        pos[m++] = i;
      }
      if (!(s & 1) || i + 1 >= n) continue;
      const head = ((headId[c1] << 16) | (copied ? units[i + 1] : text.charCodeAt(i + 1))) | 0;
      let h = Math.imul(head, 0x9e3779b1) >>> shift;
      let g = 0;
      for (;;) {
        const x = heads[2 * h + 1];
        if (x === 0) break;
        if (heads[2 * h] === head) {
          g = x;
          break;
        }
        h = (h + 1) & mask;
      }
      if (g === 0) continue;
      const end = groupStart[g];
      for (let j = groupStart[g - 1]; j < end; j++) {
        const at = entryAt[j];
        const len = entryAt[j + 1] - at;
        if (i + len > n) continue;
        let k = 2;
        while (k < len && text.charCodeAt(i + k) === entryUnits[at + k]) k++;
        if (k === len) {
          ids[m] = entryId[j];
          pos[m++] = i;
        }
      }
    }
    return m;
  };
}
