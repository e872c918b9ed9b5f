// Finds many fixed phrases in a text in one pass: phrases are indexed by their
// first two characters (one for one-character phrases), so the cost grows with
// the text, not with the number of phrases.

export interface PhraseHit {
  phrase: string;
  index: number;
}

export class PhraseMatcher {
  /** Keyed by the first two UTF-16 code units, packed into one number (no string allocated per position). */
  private readonly byHead = new Map<number, string[]>();
  private readonly single = new Set<number>();
  /** 1 where a phrase starts with this UTF-16 code unit: most positions are skipped without a lookup. */
  private readonly starts = new Uint8Array(65536);

  constructor(phrases: Iterable<string>) {
    for (const p of new Set(phrases)) {
      if (!p) continue;
      this.starts[p.charCodeAt(0)] = 1;
      if (p.length === 1) {
        this.single.add(p.charCodeAt(0));
        continue;
      }
      const head = p.charCodeAt(0) * 65536 + p.charCodeAt(1);
      const list = this.byHead.get(head);
      if (list) list.push(p);
      else this.byHead.set(head, [p]);
    }
    for (const list of this.byHead.values()) list.sort((a, b) => b.length - a.length);
  }

  /** Every occurrence of every phrase (overlaps included), in text order. */
  find(text: string): PhraseHit[] {
    const out: PhraseHit[] = [];
    const n = text.length;
    let c1 = n ? text.charCodeAt(0) : 0;
    for (let i = 0; i < n; i++) {
      const c2 = i + 1 < n ? text.charCodeAt(i + 1) : -1;
      if (!this.starts[c1]) {
        c1 = c2;
        continue;
      }
      if (this.single.size && this.single.has(c1)) out.push({ phrase: text[i], index: i });
      const list = c2 < 0 ? undefined : this.byHead.get(c1 * 65536 + c2);
      c1 = c2;
      if (!list) continue;
      for (const p of list) if (text.startsWith(p, i)) out.push({ phrase: p, index: i });
    }
    return out;
  }
}
