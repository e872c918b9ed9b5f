// Scores the 178 event types for one text: each type has a word profile built from
// the catalogue (keywords, name, merged taxonomy classes, example phrasings) plus
// the words learned from operators' corrections (stored in the model file).
import { PhraseMatcher, type PhraseHit } from './phrases';
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

/** A profile word: the types it is evidence for, with weights; `seen` marks the call that last counted it. */
export interface WordEntry {
  types: Int32Array;
  weights: Float64Array;
  seen: number;
}

export class EventTypeScorer {
  private readonly byWord = new Map<string, WordEntry>();
  private readonly phrases: PhraseMatcher;
  /** Per-call scratch (one call at a time): the score of each type touched, in first-touch order. */
  private calls = 0;
  private readonly acc: Array<TypeScore | null>;

  /**
   * `specificity(word)` scales a profile weight by how telling the word is in appeals
   * (rare words such as 护照 count more than common ones such as 材料).
   */
  constructor(
    readonly types: readonly EventType[],
    profiles: ReadonlyArray<Map<string, number>>,
    specificity: (word: string) => number = () => 1,
  ) {
    const lists = new Map<string, Array<[number, number]>>();
    profiles.forEach((p, i) => {
      for (const [w, raw] of p) {
        const v = raw * specificity(w);
        const list = lists.get(w);
        if (list) list.push([i, v]);
        else lists.set(w, [[i, v]]);
      }
    });
    for (const [w, list] of lists) this.byWord.set(w, { types: Int32Array.from(list, (x) => x[0]), weights: Float64Array.from(list, (x) => x[1]), seen: 0 });
    this.phrases = new PhraseMatcher(types.flatMap((t) => t.keywords));
    this.acc = new Array<TypeScore | null>(types.length).fill(null);
  }

  /** The keyword matcher (for a shared scan of the text: phrases.ts, PhraseScan). */
  get phraseMatcher(): PhraseMatcher {
    return this.phrases;
  }

  /** Every word of any type's profile. */
  profileWords(): IterableIterator<string> {
    return this.byWord.keys();
  }

  /** The profile entry of a word (undefined when no type's profile has it), for scoreEntries(). */
  wordEntry(w: string): WordEntry | undefined {
    return this.byWord.get(w);
  }

  /** Count word `w` (profile entry `e`) once per call: add its weight to every type it is evidence for. */
  private count(w: string, e: WordEntry | undefined, call: number, out: TypeScore[]): void {
    if (e === undefined || e.seen === call) return;
    e.seen = call;
    for (let k = 0; k < e.types.length; k++) {
      const i = e.types[k];
      let s = this.acc[i];
      if (s === null) {
        s = this.acc[i] = { index: i, score: 0, matched: [] };
        out.push(s);
      }
      s.score += e.weights[k];
      s.matched.push(w);
    }
  }

  /** Types with any evidence in the text (tokens, or keywords found verbatim), with their matched words. */
  score(text: string, tokens: readonly string[], keywordHits: readonly PhraseHit[] = this.phrases.find(text)): TypeScore[] {
    // Each distinct word counts once, tokens first, then keywords found verbatim (in that
    // order in `matched`); words with no profile are skipped without being collected.
    const entries: Array<WordEntry | undefined> = [];
    for (let k = 0; k < tokens.length; k++) entries.push(this.byWord.get(tokens[k]));
    return this.scoreEntries(tokens, entries, keywordHits);
  }

  /** score() with the tokens' profile entries (wordEntry(tokens[k]) = entries[k]) looked up by the caller. */
  scoreEntries(tokens: readonly string[], entries: ReadonlyArray<WordEntry | undefined>, keywordHits: readonly PhraseHit[]): TypeScore[] {
    const call = ++this.calls;
    const out: TypeScore[] = [];
    for (let k = 0; k < tokens.length; k++) this.count(tokens[k], entries[k], call, out);
    for (let k = 0; k < keywordHits.length; k++) this.count(keywordHits[k].phrase, this.byWord.get(keywordHits[k].phrase), call, out);
    for (const s of out) this.acc[s.index] = null;
    return out;
  }
}
