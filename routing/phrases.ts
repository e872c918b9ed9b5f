// Finds many fixed phrases in a text in one pass: phrases are indexed by their
// first two characters (one for one-character phrases), so the cost grows with
// the text, not with the number of phrases. The inner loop compares character
// codes (no string made or compared per position): it runs five times per
// suggestion (kind cues, event-type keywords, danger words, markers, duties).

export interface PhraseHit {
  phrase: string;
  index: number;
}

export class PhraseMatcher {
  /** Per UTF-16 code unit: bit 1 = a phrase of 2+ units starts with it, bit 2 = it is a one-unit phrase. */
  private readonly starts = new Uint8Array(65536);
  /** Per UTF-16 code unit that starts a longer phrase: its small id (1-based), so a head key stays a small integer. */
  private readonly headId = new Uint16Array(65536);
  /** (head id × 65536 + second unit) → the phrases with that head, longest first (equal lengths in insertion order). */
  private readonly byHead = new Map<number, Array<{ phrase: string; codes: Uint16Array }>>();

  /** The distinct phrases, in the order given. */
  readonly phrases: readonly string[];

  constructor(phrases: Iterable<string>) {
    let ids = 0;
    this.phrases = [...new Set(phrases)].filter((p) => p.length > 0);
    for (const p of this.phrases) {
      if (!p) continue;
      const c0 = p.charCodeAt(0);
      if (p.length === 1) {
        this.starts[c0] |= 2;
        continue;
      }
      this.starts[c0] |= 1;
      if (!this.headId[c0]) this.headId[c0] = ++ids;
      const head = this.headId[c0] * 65536 + p.charCodeAt(1);
      const codes = new Uint16Array(p.length);
      for (let k = 0; k < p.length; k++) codes[k] = p.charCodeAt(k);
      const list = this.byHead.get(head);
      if (list) list.push({ phrase: p, codes });
      else this.byHead.set(head, [{ phrase: p, codes }]);
    }
    for (const list of this.byHead.values()) list.sort((a, b) => b.codes.length - a.codes.length);
  }

  /** Every occurrence of every phrase (overlaps included), in text order; at one position the one-unit phrase first, then the longest first. */
  find(text: string): PhraseHit[] {
    const out: PhraseHit[] = [];
    const n = text.length;
    const starts = this.starts;
    for (let i = 0; i < n; i++) {
      const c1 = text.charCodeAt(i);
      const s = starts[c1];
      if (s === 0) continue;
      if (s & 2) out.push({ phrase: text[i], index: i });
      if (!(s & 1) || i + 1 >= n) continue;
      const list = this.byHead.get(this.headId[c1] * 65536 + text.charCodeAt(i + 1));
      if (list === undefined) continue;
      for (let j = 0; j < list.length; j++) {
        const codes = list[j].codes;
        const len = codes.length;
        if (i + len > n) continue;
        let k = 2;
        while (k < len && text.charCodeAt(i + k) === codes[k]) k++;
        if (k === len) out.push({ phrase: list[j].phrase, index: i });
      }
    }
    return out;
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
  /** Phrase → bit k set when matchers[k] has it. */
  private readonly owners = new Map<string, number>();

  constructor(readonly matchers: readonly PhraseMatcher[]) {
    if (matchers.length > 30) throw new Error('PhraseScan: at most 30 matchers');
    matchers.forEach((m, k) => {
      for (const p of m.phrases) this.owners.set(p, (this.owners.get(p) ?? 0) | (1 << k));
    });
    this.all = new PhraseMatcher(this.owners.keys());
  }

  find(text: string): PhraseHit[][] {
    const out: PhraseHit[][] = this.matchers.map(() => []);
    // Filtering the union keeps each matcher's order: text order; at one position the one-unit phrase first, then the longest first.
    for (const h of this.all.find(text)) {
      let mask = this.owners.get(h.phrase) ?? 0;
      for (let k = 0; mask !== 0; k++, mask >>>= 1) if (mask & 1) out[k].push(h);
    }
    return out;
  }
}
