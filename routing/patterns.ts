// Word classes and patterns over them: the one matcher behind the emergency triage
// (city/demo/dangers.json) and the division of duties (city/demo/duties.json). A word
// class is a list of phrases (煤气, 燃气, 天然气… = GAS); a pattern names classes that
// must all occur within a window of characters (in order where it matters), and
// classes that cancel it when present. Blocking phrases (打不着火, 救命钱) cancel the
// hits they cover. One pass of a phrase index over the text, then a few comparisons.
import { PhraseMatcher, type PhraseHit } from './phrases';

export interface Pattern {
  /** Word classes that must all be present; the last one is the pattern's anchor (its predicate). */
  all: string[];
  /** Word classes that cancel the pattern when present within the window of the anchor. */
  unless?: string[];
  /** The classes must appear in the listed order, each within the window of the next. */
  ordered?: boolean;
  /** Characters; overrides the rule's window. */
  window?: number;
  /** How far from the anchor an `unless` class counts (default: the window). */
  unlessWindow?: number;
}

export interface Hit {
  start: number;
  end: number;
  phrase: string;
}

export type ClassHits = Map<string, Hit[]>;

export const isPhraseList = (x: unknown): x is string[] => Array.isArray(x) && x.length > 0 && x.every((s) => typeof s === 'string' && s.length > 0);

/** Problems with a pattern list, in Chinese (`at` names the rule). */
export function patternProblems(at: string, patterns: unknown, known: (c: string) => boolean): string[] {
  const errors: string[] = [];
  if (!Array.isArray(patterns) || !patterns.length) return [`${at}：缺少 patterns`];
  for (const p of patterns as Pattern[]) {
    if (!isPhraseList(p?.all)) errors.push(`${at}：pattern.all 必须是词类名数组`);
    for (const c of [...(p?.all ?? []), ...(p?.unless ?? [])]) if (!known(c)) errors.push(`${at}：未定义的词类 ${c}`);
    if (p?.window !== undefined && !(Number.isInteger(p.window) && p.window > 0)) errors.push(`${at}：pattern.window 必须是正整数`);
    if (p?.unlessWindow !== undefined && !(Number.isInteger(p.unlessWindow) && p.unlessWindow > 0)) errors.push(`${at}：pattern.unlessWindow 必须是正整数`);
  }
  return errors;
}

export class WordClasses {
  private readonly matcher: PhraseMatcher;
  private readonly classesOf = new Map<string, string[]>();
  /** Phrase → its classes as numbers (indexes of `classNames`), in the order of classesOf. */
  private readonly classIds = new Map<string, number[]>();
  private readonly classNames: string[] = [];
  /** Per class number, during hitsOf(): its hit list, or null (reset before hitsOf returns). */
  private readonly lists: Array<Hit[] | null> = [];
  private readonly blocks: Set<string>;
  /** Per class number: the hitsOf() call in which it last had a hit (`call`: the last call's number). */
  readonly stamp: Uint32Array;
  call = 0;

  constructor(concepts: Record<string, string[]>, blocks: readonly string[] = []) {
    for (const [concept, list] of Object.entries(concepts)) {
      const id = this.classNames.length;
      this.classNames.push(concept);
      this.lists.push(null);
      for (const w of list) {
        const c = this.classesOf.get(w);
        if (c) c.push(concept);
        else this.classesOf.set(w, [concept]);
        const ids = this.classIds.get(w);
        if (ids) ids.push(id);
        else this.classIds.set(w, [id]);
      }
    }
    this.blocks = new Set(blocks);
    this.stamp = new Uint32Array(this.classNames.length);
    this.matcher = new PhraseMatcher([...this.classesOf.keys(), ...this.blocks]);
  }

  /** The class's number (for possibleIds), or -1 when there is no such class. */
  classId(concept: string): number {
    return this.classNames.indexOf(concept);
  }

  has(concept: string): boolean {
    for (const list of this.classesOf.values()) if (list.includes(concept)) return true;
    return false;
  }

  /** Hits per class, in text order (at one position the longest phrase first), those inside a longer blocking phrase removed. */
  hits(text: string): ClassHits {
    return this.hitsOf(text, text ? this.matcher.find(text) : []);
  }

  /** The same as hits(text), from the hits of this instance's phrase matcher on `text` (found by a shared scan). */
  hitsOf(text: string, raw: readonly PhraseHit[]): ClassHits {
    if (++this.call === 0xffffffff) {
      this.stamp.fill(0);
      this.call = 1;
    }
    const out: ClassHits = new Map();
    if (!text || !raw.length) return out;
    let blocked: Array<[number, number]> | null = null;
    for (const h of raw)
      if (this.blocks.has(h.phrase)) {
        blocked ??= [];
        blocked.push([h.index, h.index + h.phrase.length]);
      }
    // raw is in text order with, at one position, a one-character phrase first and then the
    // longest first; each class's list must be by start, then longest first: the
    // one-character hit of a position goes after that position's longer ones.
    const touched: number[] = [];
    let pending: PhraseHit | null = null;
    for (const h of raw) {
      if (pending !== null && pending.index !== h.index) {
        this.add(pending, blocked, out, touched);
        pending = null;
      }
      if (h.phrase.length === 1) pending = h;
      else this.add(h, blocked, out, touched);
    }
    if (pending !== null) this.add(pending, blocked, out, touched);
    for (const k of touched) this.lists[k] = null;
    return out;
  }

  /** One hit into its classes' lists (a class's list enters `out` with its first hit). */
  private add(h: PhraseHit, blocked: Array<[number, number]> | null, out: ClassHits, touched: number[]): void {
    const ids = this.classIds.get(h.phrase);
    if (!ids) return;
    const start = h.index;
    const end = start + h.phrase.length;
    if (blocked !== null && blocked.some(([s, e]) => start >= s && end <= e && e - s > end - start)) return;
    const hit = { start, end, phrase: h.phrase };
    for (const k of ids) {
      const list = this.lists[k];
      if (list !== null) list.push(hit);
      else {
        const fresh = [hit];
        this.lists[k] = fresh;
        this.stamp[k] = this.call;
        out.set(this.classNames[k], fresh);
        touched.push(k);
      }
    }
  }

  /** The phrase matcher of this instance (for a shared scan: phrases.ts, PhraseScan). */
  get phraseMatcher(): PhraseMatcher {
    return this.matcher;
  }
}

/**
 * The pattern with every field present (undefined where the file has none), so all patterns
 * share one shape: the matcher reads them in a loop over all rules for every text, and fields
 * read from objects of many shapes (as the file's optional keys make them) take a slow path.
 */
export function uniformPattern(p: Pattern): Pattern {
  return { all: p.all, unless: p.unless, ordered: p.ordered, window: p.window, unlessWindow: p.unlessWindow };
}

/**
 * possible(p, byClass) by class numbers: `ids` are p.all's (WordClasses.classId), `stamp` and `call` the
 * WordClasses' of the hitsOf() that made byClass (no look-up by name per pattern).
 */
export function possibleIds(ids: Int32Array, stamp: Uint32Array, call: number): boolean {
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    if (id < 0 || stamp[id] !== call) return false;
  }
  return true;
}

/** Whether every class the pattern needs has a hit (else it cannot match anywhere). */
export function possible(p: Pattern, byClass: ClassHits): boolean {
  for (const c of p.all) if (!byClass.has(c)) return false;
  return true;
}

/** The hits that make the pattern around this anchor hit, first to last, or null. */
export function matchAt(p: Pattern, ruleWindow: number, a: Hit, byClass: ClassHits): Hit[] | null {
  const window = p.window ?? ruleWindow;
  const reach = p.unlessWindow ?? window;
  for (const u of p.unless ?? []) if ((byClass.get(u) ?? []).some((h) => Math.abs(h.start - a.start) <= reach)) return null;
  const chosen: Hit[] = [a];
  let next = a; // ordered: each class must end before the next one starts, within the window
  for (let i = p.all.length - 2; i >= 0; i--) {
    let best: Hit | null = null;
    for (const h of byClass.get(p.all[i]) ?? []) {
      if (h.start < a.end && h.end > a.start) continue; // overlaps the anchor
      if (p.ordered) {
        if (h.end > next.start || next.start - h.end > window) continue;
        if (!best || h.start > best.start) best = h;
      } else if (Math.abs(h.start - a.start) <= window) {
        if (!best || Math.abs(h.start - a.start) < Math.abs(best.start - a.start)) best = h;
      }
    }
    if (!best) return null;
    chosen.unshift(best);
    next = best;
  }
  return chosen;
}

/** Every (anchor, hits) where the pattern matches, in text order of the anchor. */
export function* matches(p: Pattern, ruleWindow: number, byClass: ClassHits): Generator<{ anchor: Hit; hits: Hit[] }> {
  if (!possible(p, byClass)) return;
  for (const a of byClass.get(p.all[p.all.length - 1]) ?? []) {
    const m = matchAt(p, ruleWindow, a, byClass);
    if (m) yield { anchor: a, hits: m };
  }
}
