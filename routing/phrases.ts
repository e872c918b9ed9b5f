// Finds many fixed phrases in a text in one pass: phrases are indexed by their
// first two characters (one for one-character phrases), so the cost grows with
// the text, not with the number of phrases.

export interface PhraseHit {
  phrase: string;
  index: number;
}

export class PhraseMatcher {
  private readonly byHead = new Map<string, string[]>();
  private readonly single = new Set<string>();

  constructor(phrases: Iterable<string>) {
    for (const p of new Set(phrases)) {
      if (!p) continue;
      if (p.length === 1) {
        this.single.add(p);
        continue;
      }
      const head = p.slice(0, 2);
      const list = this.byHead.get(head);
      if (list) list.push(p);
      else this.byHead.set(head, [p]);
    }
    for (const list of this.byHead.values()) list.sort((a, b) => b.length - a.length);
  }

  /** Every occurrence of every phrase (overlaps included), in text order. */
  find(text: string): PhraseHit[] {
    const out: PhraseHit[] = [];
    for (let i = 0; i < text.length; i++) {
      if (this.single.size && this.single.has(text[i])) out.push({ phrase: text[i], index: i });
      const list = this.byHead.get(text.slice(i, i + 2));
      if (!list) continue;
      for (const p of list) if (text.startsWith(p, i)) out.push({ phrase: p, index: i });
    }
    return out;
  }
}
