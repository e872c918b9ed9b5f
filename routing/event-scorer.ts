// Scores the 178 event types for one text: each type has a word profile built from
// the catalogue (keywords, name, merged taxonomy classes, example phrasings) plus
// the words learned from operators' corrections (stored in the model file).
import { PhraseMatcher } from './phrases';
import type { EventType } from './taxonomy';

/** Weights of the catalogue's words in a type's profile. */
export const PROFILE_WEIGHTS = { keyword: 2, name: 1.5, example: 0.7, taxonomyClass: 0.5 } as const;

export type Tokenizer = (text: string) => string[];

/** The catalogue part of a type's profile: word → weight (the strongest source wins). */
export function catalogueProfile(t: EventType, tokenize: Tokenizer): Map<string, number> {
  const p = new Map<string, number>();
  const put = (w: string, v: number) => p.set(w, Math.max(p.get(w) ?? 0, v));
  for (const ex of t.examples) for (const w of tokenize(ex)) put(w, PROFILE_WEIGHTS.example);
  for (const c of t.taxonomyClasses) if (c !== '其他') for (const w of tokenize(c)) put(w, PROFILE_WEIGHTS.taxonomyClass);
  for (const w of tokenize(t.name)) put(w, PROFILE_WEIGHTS.name);
  for (const k of t.keywords) put(k, PROFILE_WEIGHTS.keyword);
  return p;
}

export interface TypeScore {
  index: number;
  score: number;
  matched: string[];
}

export class EventTypeScorer {
  private readonly byWord = new Map<string, Array<[number, number]>>();
  private readonly phrases: PhraseMatcher;

  /**
   * `specificity(word)` scales a profile weight by how telling the word is in appeals
   * (rare words such as 护照 count more than common ones such as 材料).
   */
  constructor(
    readonly types: readonly EventType[],
    profiles: ReadonlyArray<Map<string, number>>,
    specificity: (word: string) => number = () => 1,
  ) {
    profiles.forEach((p, i) => {
      for (const [w, raw] of p) {
        const v = raw * specificity(w);
        const list = this.byWord.get(w);
        if (list) list.push([i, v]);
        else this.byWord.set(w, [[i, v]]);
      }
    });
    this.phrases = new PhraseMatcher(types.flatMap((t) => t.keywords));
  }

  /** Types with any evidence in the text (tokens, or keywords found verbatim), with their matched words. */
  score(text: string, tokens: readonly string[]): TypeScore[] {
    const words = new Set(tokens);
    for (const h of this.phrases.find(text)) words.add(h.phrase);
    const acc = new Map<number, TypeScore>();
    for (const w of words) {
      const list = this.byWord.get(w);
      if (!list) continue;
      for (const [i, v] of list) {
        let s = acc.get(i);
        if (!s) acc.set(i, (s = { index: i, score: 0, matched: [] }));
        s.score += v;
        s.matched.push(w);
      }
    }
    return [...acc.values()];
  }
}
