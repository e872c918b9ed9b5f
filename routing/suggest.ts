// The suggestion for the desk: appeal kind, category, top-3 event types with
// confidence, urgency, lead and co-handling units, deadline class, and the words
// behind it. Pure over the loaded configuration and model; never throws.
import type { AppealKind, UrgencyClass } from '../workflow/types';
import { decide, leadingType, urbanTypesOf, type Decision } from './decide';
import type { Duties } from './duties';
import { EventTypeScorer, type TypeScore, type WordEntry } from './event-scorer';
import { inCityDistrict, maskPlaces, matchSetting, matchTown, type Gazetteer, type TownMatch } from './gazetteer';
import { guessKind, KIND_CUES, type KindGuess } from './kind';
import type { KindJudge } from './kind-model';
import type { LeadJudge, LeadOpinion } from './lead-model';
import { PhraseScan } from './phrases';
import { categoryScores, drivingWords, softmax, vectorizeColumns, type CategoryModel } from './model';
import type { Taxonomy, Units } from './taxonomy';
import { cjkShare, keep, lookUpWords, MAX_INPUT_CHARS, normalize, STOP_WORDS, wordTable, type WordTable } from './text';
import type { DangerTriage } from './urgency';

/** Below this confidence in the top event type the desk asks the operator to choose. */
export const EVENT_TYPE_THRESHOLD = 0.5;
/** Below this confidence in the category the desk asks the operator to choose. */
export const CATEGORY_THRESHOLD = 0.6;
/** Weight of the event-type word evidence against the category classifier (per unit of profile weight). */
export const EVIDENCE_WEIGHT = 1.2;
/** A text longer than this (characters) is a written appeal: a duty's words must be in its title or ranked. */
export const DUTY_LONG_TEXT = 150;
/** …among the ranking's first this many types. */
export const DUTY_LONG_TEXT_RANK = 5;
/** Cap on a type's evidence, so a long text does not make one type certain by sheer length. */
export const EVIDENCE_CAP = 6;
/**
 * Prior of each event type of a category the classifier does not know (one with too
 * few labelled appeals, see MIN_CATEGORY_APPEALS): word evidence decides for those.
 */
export const UNKNOWN_CATEGORY_TYPE_PRIOR = 0.002;
/**
 * Floor under each category's probability before word evidence is added: most
 * categories (政法, 民政, 农村农业…) have no labelled appeals, so the classifier alone
 * would never let a clear keyword (护照, 低保) win for them.
 */
export const CATEGORY_FLOOR = 0.02;
/**
 * The category is the classifier's, and the top event type belongs to it, unless the
 * word evidence for a type of another category is overwhelming. `bestOut` is the most
 * probable type outside the classifier's category, `bestIn` the best of it; their
 * evidence (event-scorer.ts) is compared:
 * - a category the classifier was never trained on (民政, 政法, 农村农业…: the gold
 *   file has no appeals of them): evidence ≥ minEvidence (a keyword's weight), at
 *   least `margin` more than bestIn's, and the classifier's top one-vs-rest score
 *   below `maxDecision` (no trained category firmly claims the appeal);
 * - another category the classifier knows: evidence ≥ minEvidence and at least
 *   `knownMargin` more than bestIn's (the classifier has seen such appeals, so it
 *   takes more to overrule it), or bestIn has no evidence at all (never show a type
 *   nothing in the text points to when a keyword names another).
 * Then the category follows bestOut. This is how 低保, 护照, 宅基地 reach 民政, 政法,
 * 农村农业, while a passing word cannot pull a board appeal out of the seven.
 * Chosen by cross-validation on the gold appeals together with the routing casebook
 * (routing/README.md, "The category rule").
 */
export interface OverrideRule {
  minEvidence: number;
  margin: number;
  maxDecision: number;
  knownMargin: number;
  /** For an untrained category: a margin this large overrules the classifier however sure it is. */
  strongMargin: number;
  /** For another trained category: below this classifier probability, the stronger evidence decides. */
  unsure: number;
}
export const OVERRIDE: Readonly<OverrideRule> = Object.freeze({ minEvidence: 2, margin: 2, maxDecision: 0.25, knownMargin: 3, strongMargin: 5, unsure: 0.5 });

export interface SuggestInput {
  title?: string;
  text: string;
  address?: string;
}

export interface EventTypeSuggestion {
  code: string;
  name: string;
  /** The type's own first-level category: the ticket is filed under it (it may differ from `Suggestion.category`, the classifier's). */
  category: string;
  /**
   * P(category) × P(type | category) from the ranking. For a type put first by a rule
   * (`basis` danger, duty, village or city) it is the ranking's figure for the type it displaced, or 0
   * when the ranking did not have it: the rule, not a probability, chose it.
   */
  confidence: number;
  /** What put the type first when the ranking had another there: a danger happening now, the division of duties, a village's counterpart (属地) or, in the city district, the type it is the counterpart of (业务主管), or the learned lead model (lead-model.ts: the most probable type its unit leads; `confidence` is then the ranking's probability of it); otherwise the ranking (a probability). */
  basis: 'ranking' | 'danger' | 'duty' | 'village' | 'city' | 'model';
}

export interface Suggestion {
  kind: AppealKind;
  /** First-level category (government taxonomy name), null when the text says nothing usable. */
  category: string | null;
  categoryConfidence: number;
  eventTypes: EventTypeSuggestion[];
  urgency: UrgencyClass;
  /** The caller's words that made it an emergency (empty when it is not one). */
  emergencyTriggers: string[];
  /** The danger heard, with the reason shown to the operator; null when not an emergency. */
  emergency: { danger: string; name: string; words: string[]; reason: string } | null;
  leadUnit: string | null;
  coUnits: string[];
  deadlineClass: UrgencyClass;
  /** Why this lead unit, in words for the operator. */
  reason: string;
  /** Whether the category came from overwhelming event-type evidence rather than from the classifier (only between the classifier's own categories, or when it had nothing to go on). */
  categoryFromEventType: boolean;
  /** The words that drove the decision (category words, matched event-type words, kind cues). */
  words: string[];
  explanation: string;
  needsOperatorChoice: boolean;
  /** Why the operator must choose (empty when the suggestion is confident). */
  operatorChoiceReasons: string[];
  town: string | null;
  townMatch: TownMatch;
  truncated: boolean;
}

export interface SuggestEngine {
  taxonomy: Taxonomy;
  units: Units;
  gazetteer: Gazetteer;
  model: CategoryModel;
  scorer: EventTypeScorer;
  triage: DangerTriage;
  duties: Duties;
  /** Event type code → index in taxonomy.eventTypes. */
  typeIndex: Map<string, number>;
  /** Per event type: index of its category in taxonomy.categories. */
  typeCategory: Int32Array;
  /** Per category: number of event types. */
  categorySize: number[];
  /** Per category: index in model.categories, or -1 when the classifier does not know it. */
  categoryModelIndex: number[];
  /** The learned second opinion on the kind (kind-model.ts), or null: the cue rules alone. */
  kindJudge: KindJudge | null;
  /** The learned second opinion on the lead unit (lead-model.ts), or null: the rules alone. */
  leadJudge: LeadJudge | null;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The top three event types, consistent with the category: its own types first, by
 * probability, each with confidence P(category) × P(type | category); a category
 * with fewer than three types is followed by the best others (confidence not above
 * the previous one's, so the list reads in decreasing order).
 */
function rankTypes(p: Float64Array, typeCategory: Int32Array, members: Int32Array, cat: number, catConfidence: number): Array<{ index: number; confidence: number }> {
  // The category's types (`members`, ascending): their mass, and the three most probable by selection; ties: lower index first.
  let mass = 0;
  let i0 = -1;
  let i1 = -1;
  let i2 = -1;
  for (let k = 0; k < members.length; k++) {
    const i = members[k];
    const x = p[i];
    mass += x;
    if (i0 < 0 || p[i0] < x) (i2 = i1), (i1 = i0), (i0 = i);
    else if (i1 < 0 || p[i1] < x) (i2 = i1), (i1 = i);
    else if (i2 < 0 || p[i2] < x) i2 = i;
  }
  const out: Array<{ index: number; confidence: number }> = [];
  for (const index of [i0, i1, i2]) if (index >= 0) out.push({ index, confidence: mass > 0 ? (catConfidence * p[index]) / mass : 0 });
  if (out.length === 3) return out;
  // A category with fewer than three types: the best others follow.
  let rest = 0;
  let o0 = -1;
  let o1 = -1;
  let o2 = -1;
  for (let i = 0; i < p.length; i++) {
    if (typeCategory[i] === cat) continue;
    const x = p[i];
    rest += x;
    if (o0 < 0 || p[o0] < x) (o2 = o1), (o1 = o0), (o0 = i);
    else if (o1 < 0 || p[o1] < x) (o2 = o1), (o1 = i);
    else if (o2 < 0 || p[o2] < x) o2 = i;
  }
  const others = [o0, o1, o2];
  for (let k = 0; out.length < 3 && k < 3; k++) {
    const index = others[k];
    if (index < 0) break;
    const prev = out.length ? out[out.length - 1].confidence : 1;
    out.push({ index, confidence: Math.min(prev, rest > 0 ? ((1 - catConfidence) * p[index]) / rest : 0) });
  }
  return out;
}

type Chosen = { catIdx: number; categoryConfidence: number; fromType: boolean; top: Array<{ index: number; confidence: number }>; p: Float64Array };
type Chooser = (modelP: Float64Array, modelZ: Float64Array, hasFeatures: boolean, scores: readonly TypeScore[], rule: Readonly<OverrideRule>) => Chosen;

/**
 * Per engine: chooseCategory as a closure over the engine's lists and its scratch (one call at a time): per
 * category its log-prior and shared exponential, per type its evidence. (A closure: V8 makes its const typed
 * arrays constants of the optimised code, where an array read from an object's field is checked at each read.)
 */
const choosers = new WeakMap<SuggestEngine, { model: SuggestEngine['model']; typeCategory: Int32Array; choose: Chooser }>();
function chooserOf(e: SuggestEngine): Chooser {
  let f = choosers.get(e);
  if (!f || f.model !== e.model || f.typeCategory !== e.typeCategory) choosers.set(e, (f = { model: e.model, typeCategory: e.typeCategory, choose: makeChooser(e) }));
  return f.choose;
}

function makeChooser(e: SuggestEngine): Chooser {
  const cats = e.taxonomy.categories;
  const nc = cats.length;
  const nt = e.taxonomy.eventTypes.length;
  const kTypeCategory = e.typeCategory;
  const kCategoryModelIndex = Int32Array.from(e.categoryModelIndex);
  const kCategorySize = Float64Array.from(e.categorySize);
  const modelCategories = e.model.categories;
  /** Per category: its types' indexes, ascending. */
  const members = Array.from({ length: nc }, (_, c) => Int32Array.from(kTypeCategory.reduce<number[]>((list, tc, i) => (tc === c ? (list.push(i), list) : list), [])));
  const kLogPrior = new Float64Array(nc);
  const kCatExp = new Float64Array(nc);
  const kEvidence = new Float64Array(nt);
  const kZ = new Float64Array(nt);
  return function choose(modelP, modelZ, hasFeatures, scores, rule) {
    // The arrays as locals first (read from the closure's context in the loops, each read was checked: model.ts LOCAL_TABLES).
    const typeCategory = kTypeCategory, categoryModelIndex = kCategoryModelIndex, categorySize = kCategorySize, logPrior = kLogPrior, catExp = kCatExp, evidence = kEvidence, z = kZ;
    // Prior of one event type of each category: the classifier's probability shared among the category's types.
    for (let c = 0; c < nc; c++) {
      const k = categoryModelIndex[c];
      logPrior[c] = Math.log(k >= 0 ? Math.max(CATEGORY_FLOOR, modelP[k]) / categorySize[c] : UNKNOWN_CATEGORY_TYPE_PRIOR);
      catExp[c] = NaN;
    }
    // Joint over event types: the prior, sharpened by word evidence.
    for (let i = 0; i < nt; i++) z[i] = logPrior[typeCategory[i]];
    for (let k = 0; k < scores.length; k++) {
      const s = scores[k];
      evidence[s.index] = s.score;
      z[s.index] += EVIDENCE_WEIGHT * Math.min(s.score, EVIDENCE_CAP);
    }
    // softmax(z), with one exponential per category for the types without evidence (their z is
    // the category's log-prior, so each such type's term is the same number).
    let max = -Infinity;
    for (let i = 0; i < nt; i++) if (z[i] > max) max = z[i];
    const p = new Float64Array(nt);
    let sum = 0;
    for (let i = 0; i < nt; i++) {
      const c = typeCategory[i];
      const zi = z[i];
      let x: number;
      if (zi === logPrior[c]) {
        x = catExp[c];
        if (x !== x) x = catExp[c] = Math.exp(logPrior[c] - max);
      } else x = Math.exp(zi - max);
      p[i] = x;
      sum += x;
    }
    // The category: the classifier's, unless the evidence for a type of another category is overwhelming.
    const best = argMax(modelP);
    let catIdx = hasFeatures ? cats.indexOf(modelCategories[best]) : -1;
    let categoryConfidence = modelP[best];
    let fromType = false;
    // The most probable type of that category (bestIn) and of any other (bestOut), -1 if none; ties: the lower index.
    let bestIn = -1;
    let bestOut = -1;
    for (let i = 0; i < nt; i++) {
      const x = (p[i] /= sum);
      if (typeCategory[i] === catIdx) {
        if (bestIn < 0 || x > p[bestIn]) bestIn = i;
      } else if (bestOut < 0 || x > p[bestOut]) bestOut = i;
    }
    const evOut = bestOut >= 0 ? evidence[bestOut] : 0;
    const evIn = bestIn >= 0 ? evidence[bestIn] : 0;
    // The evidence scratch back to zeros for the next call.
    for (let k = 0; k < scores.length; k++) evidence[scores[k].index] = 0;
    const outKnown = bestOut >= 0 && categoryModelIndex[typeCategory[bestOut]] >= 0;
    const gap = bestOut >= 0 && bestIn >= 0 ? evOut - evIn : 0;
    const overwhelming =
      bestOut >= 0 &&
      bestIn >= 0 &&
      (outKnown
        ? (evOut >= rule.minEvidence && gap >= rule.knownMargin) || (modelP[best] < rule.unsure && gap > 0)
        : evOut >= rule.minEvidence && ((gap >= rule.margin && modelZ[best] < rule.maxDecision) || gap >= rule.strongMargin));
    if (bestOut >= 0 && (bestIn < 0 || overwhelming)) {
      fromType = true;
      if (bestIn < 0) {
        catIdx = typeCategory[bestOut];
        categoryConfidence = 0;
        for (let i = 0; i < nt; i++) if (typeCategory[i] === catIdx) categoryConfidence += p[i];
      } else {
        catIdx = typeCategory[bestOut];
        // How strongly the evidence prefers its type to the classifier category's best.
        categoryConfidence = p[bestOut] / (p[bestOut] + p[bestIn]);
      }
    }
    return { catIdx, categoryConfidence, fromType, top: catIdx >= 0 ? rankTypes(p, typeCategory, members[catIdx], catIdx, categoryConfidence) : [], p };
  };
}

/**
 * The category and the top event types from the classifier's probabilities and the
 * event types' word evidence (see OVERRIDE). Exported for the cross-validation of the rule.
 */
export function chooseCategory(
  e: SuggestEngine,
  modelP: Float64Array,
  modelZ: Float64Array,
  hasFeatures: boolean,
  scores: readonly TypeScore[],
  rule: Readonly<OverrideRule> = OVERRIDE,
): Chosen {
  return chooserOf(e)(modelP, modelZ, hasFeatures, scores, rule);
}

/** Per engine: one scan of the text for its five phrase matchers (see PhraseScan). */
const scans = new WeakMap<SuggestEngine, PhraseScan>();
function scanOf(e: SuggestEngine): PhraseScan {
  let s = scans.get(e);
  if (!s) {
    const t = e.triage.phraseMatchers;
    scans.set(e, (s = new PhraseScan([e.scorer.phraseMatcher, t.words, t.markers, e.duties.phraseMatcher, KIND_CUES])));
  }
  return s;
}

/**
 * What suggest() knows of a word, found by one look-up of the segmenter's word: whether
 * tokenize keeps it, its classifier column (-1: not a feature) and its event-type
 * profile entry. Every classifier word, profile word and stop word is here; a word
 * that is not is kept or not by its characters alone and is evidence for nothing.
 */
interface WordInfo {
  word: string;
  kept: boolean;
  column: number;
  entry: WordEntry | undefined;
}
const lexicons = new WeakMap<SuggestEngine, WordTable<WordInfo>>();
function lexiconOf(e: SuggestEngine): WordTable<WordInfo> {
  let table = lexicons.get(e);
  if (!table) {
    const map = new Map<string, WordInfo>();
    const useWords = e.model.features.words;
    for (const w of [...e.model.wordColumn.keys(), ...e.scorer.profileWords(), ...STOP_WORDS])
      if (!map.has(w)) map.set(w, { word: w, kept: keep(w), column: useWords ? (e.model.wordColumn.get(w) ?? -1) : -1, entry: e.scorer.wordEntry(w) });
    lexicons.set(e, (table = wordTable(map, (i) => i.kept)));
  }
  return table;
}

/**
 * Per engine: the event types' fields suggest() reads, as plain lists by type index. The
 * catalogue's objects do not all have the same shape (a few carry `rural`), and a field
 * read from an object of the shape the optimised code has not met makes it bail out.
 */
interface TypeFacts {
  code: string[];
  name: string[];
  category: string[];
  complexity: UrgencyClass[];
  /** The categories (taxonomy.categories), as `category` holds them. */
  cats: string[];
  /** The classifier's categories (model.categories), likewise. */
  modelCats: string[];
}
/**
 * The same string, internalized (the copy V8 keeps as a property name). The catalogue's strings come
 * from JSON.parse; compared in the optimised suggest(), such a string made it bail out again and again
 * when the background compiler and the main thread saw it in different states (with concurrent
 * recompilation only: up to a fifth of all calls, at random from one run to the next).
 */
function intern(s: string): string {
  if (/^(?:0|[1-9]\d*)$/.test(s)) return s; // an array index stays a number as a key
  return Object.keys({ [s]: 0 })[0];
}
const typeFactsCache = new WeakMap<SuggestEngine, TypeFacts>();
function typeFactsOf(e: SuggestEngine): TypeFacts {
  let f = typeFactsCache.get(e);
  if (!f) {
    const types = e.taxonomy.eventTypes;
    typeFactsCache.set(
      e,
      (f = {
        code: types.map((t) => intern(t.code)),
        name: types.map((t) => intern(t.name)),
        category: types.map((t) => intern(t.category)),
        complexity: types.map((t) => intern(t.complexity) as UrgencyClass),
        cats: e.taxonomy.categories.map(intern),
        modelCats: e.model.categories.map(intern),
      }),
    );
  }
  return f;
}

/** Appends the words of `list` that `out` does not have yet, in order (a Set's order of first appearance). */
function pushDistinct(out: string[], list: readonly string[]): void {
  for (let j = 0; j < list.length; j++) if (!out.includes(list[j])) out.push(list[j]);
}

/** `rule`: the category rule (the default in production; other rules for measuring them). */
export function suggest(e: SuggestEngine, input: SuggestInput, rule: Readonly<OverrideRule> = OVERRIDE): Suggestion {
  const rawTitle = typeof input?.title === 'string' ? input.title : '';
  const rawText = typeof input?.text === 'string' ? input.text : '';
  const rawAddress = typeof input?.address === 'string' ? input.address : '';
  const truncated = rawTitle.length + rawText.length > MAX_INPUT_CHARS || rawAddress.length > 200;
  const title = normalize(rawTitle);
  const body = normalize(rawText.slice(0, Math.max(0, MAX_INPUT_CHARS - title.length)));
  const address = normalize(rawAddress.slice(0, 200));
  // Where the appeal is comes from the text as said; what it is about from the text with its
  // place names masked (河 in 北半截河村 is not a river).
  // (Joined, not concatenated: a flat string, which the scans below read character by character faster.)
  const said = title && body ? [title, body].join(' ') : title || body;
  const mTitle = maskPlaces(e.gazetteer, title);
  const mBody = maskPlaces(e.gazetteer, body);
  const all = mTitle && mBody ? [mTitle, mBody].join(' ') : mTitle || mBody;
  // The content words (tokenize), each looked up once for the stop list, the classifier and the event types.
  const lexicon = lexiconOf(e);
  const titleInfo: Array<WordInfo | undefined> = [];
  lookUpWords(mTitle, lexicon, titleInfo);
  const bodyInfo: Array<WordInfo | undefined> = [];
  lookUpWords(mBody, lexicon, bodyInfo);
  // The event-type evidence: the words with a profile entry (title twice, then body); the others count for nothing.
  const tokens: string[] = [];
  const tokenEntries: WordEntry[] = [];
  for (let r = 0; r < 2; r++) for (const i of titleInfo) if (i?.entry !== undefined) (tokens.push(i.word), tokenEntries.push(i.entry));
  for (const i of bodyInfo) if (i?.entry !== undefined) (tokens.push(i.word), tokenEntries.push(i.entry));

  // Category probabilities from the classifier; categories it was not trained on get a small prior.
  // The classifier's words: the title's repeated as the model says, then the body's (as vectorize() takes them).
  // The same walk of the n-grams scores the emergency model (attached to the classifier: EmergencyModel.attach).
  // (In an Int32Array of the exact size: pushed one by one, a list of numbers cost a call of the push builtin per word.)
  const titleRepeat = e.model.features.titleRepeat;
  let repeats = 0;
  for (let r = 0; r < titleRepeat; r++) repeats++;
  const classifierColumns = new Int32Array(repeats * titleInfo.length + bodyInfo.length);
  let nColumns = 0;
  for (let r = 0; r < repeats; r++) for (let k = 0; k < titleInfo.length; k++) classifierColumns[nColumns++] = titleInfo[k]?.column ?? -1;
  for (let k = 0; k < bodyInfo.length; k++) classifierColumns[nColumns++] = bodyInfo[k]?.column ?? -1;
  const x = vectorizeColumns(e.model, classifierColumns, mTitle, mBody);

  const [keywordHits, dangerHits, markerHits, dutyHits, cueHits] = scanOf(e).find(all);
  const tri = e.triage.triage(all, { words: dangerHits, markers: markerHits }, e.model);
  // The kind: the cue rules', unless the learned model (kind-model.ts) is sure of another (never for an emergency, nor a long written appeal).
  const ruleKind = guessKind(all, { emergency: tri.emergency }, cueHits);
  const kindGuess = e.kindJudge ? e.kindJudge.judge(x, ruleKind, all.length) : ruleKind;
  const townMatch = matchTown(e.gazetteer, said, address, title && body ? [title, body] : undefined);
  const reasons: string[] = [];
  if (!said) reasons.push('没有诉求内容');
  else if (cjkShare(said) < 0.3) reasons.push('内容基本不是中文，无法可靠识别');

  const modelZ = categoryScores(e.model, x);
  const modelP = softmax(modelZ, e.model.scale);
  const scores = e.scorer.scoreEntries(tokens, tokenEntries, keywordHits);
  const types = e.taxonomy.eventTypes;
  // Content words (not only characters) or event-type evidence: something to classify.
  const hasWords = titleInfo.length + bodyInfo.length > 0 && x.idx.length > 0;
  const informative = hasWords || scores.length > 0;
  const chosen = informative ? chooseCategory(e, modelP, modelZ, hasWords, scores, rule) : null;
  const catIdx = chosen?.catIdx ?? -1;
  const chosenConfidence = chosen?.categoryConfidence ?? 0;
  const chosenFromType = chosen?.fromType ?? false;
  const p = chosen?.p ?? new Float64Array(types.length);
  // The types ranked inside the category; the type that decides the dispatch goes first: the danger's, a duty's, a village's (decide.ts).
  const ranked = chosen?.top ?? [];
  let duty = tri.dispatch ? null : e.duties.match(all, dutyHits);
  // In a long written appeal a duty's words may be incidental (a bus stop in a fraud story):
  // there the matter must be named in the title or be among the ranking's first few types.
  if (duty && all.length > DUTY_LONG_TEXT && !(mTitle && e.duties.match(mTitle)?.code === duty.code)) {
    const d = duty;
    let support = 0;
    for (const c of d.accept) support = Math.max(support, p[e.typeIndex.get(c) ?? 0]);
    let above = 0;
    for (let i = 0; i < p.length; i++) if (p[i] > support) above++;
    if (above >= DUTY_LONG_TEXT_RANK) duty = null;
  }
  const setting = matchSetting(e.units, said, address, townMatch.town);
  const village = setting === 'village';
  // The city side of the line is read only when the ranking's first type is a village's counterpart (rare).
  const city = !village && !duty && ranked.length > 0 && urbanTypesOf(e.taxonomy).has(e.taxonomy.eventTypes[ranked[0].index].code) && inCityDistrict(e.units, said, address, townMatch.town, setting);
  const lead = leadingType(e.taxonomy, ranked, { dangerType: tri.dispatch?.eventType ?? null, duty, village, city });
  const decidedBy = lead.decidedBy;
  // Plain loops below, not map/flatMap/spreads of lists that are empty in some calls: with the background
  // compiler, such a list (an empty one has another elements kind) made the optimised suggest() bail out
  // again and again, in up to a fifth of all calls (at random from one run to the next).
  const top: number[] = [];
  const conf = new Map<number, number>();
  for (let k = 0; k < lead.ranked.length; k++) {
    const r = lead.ranked[k];
    top.push(r.index);
    conf.set(r.index, r.confidence);
  }
  // The category shown is the classifier's. A type put first by a danger, a duty or a village
  // may belong to another category, and so may one whose keywords overwhelm the classifier
  // (chooseCategory: 护照 → 政法's 出入境证件): the ranking follows it and the ticket is filed under
  // the type's category, but the category shown stays the classifier's where it has one — a
  // category it was never trained on (民政, 政法, 农村农业…) is not put in its place (issue 12: the
  // rule that did sent 15.6 of 447 board appeals outside their seven, at a macro-F1 cost of 0.011).
  // Between two of its own seven, overwhelming evidence still decides (chosen by cross-validation).
  const facts = typeFactsOf(e);
  let decision: Decision | null = null;
  if (top.length)
    decision = decide(e.taxonomy, e.units, facts.code[top[0]], townMatch.town, kindGuess.kind, { emergency: tri.emergency, coUnits: tri.dispatch?.coUnits });
  // The lead: the rules', unless the learned model (lead-model.ts) is sure of another unit where the rules' decision is weak
  // (never for a danger, nor a long written appeal); then the most probable type that unit leads goes first, and decide() gives lead and co-handlers.
  let leadOpinion: LeadOpinion | null = null;
  let basis: EventTypeSuggestion['basis'] | null = decidedBy;
  if (decision !== null && e.leadJudge !== null && !tri.emergency && decidedBy !== 'danger') {
    leadOpinion = e.leadJudge.judge(x, decision.leadUnit, decidedBy ?? 'ranking', ranked.length > 0 ? ranked[0].confidence : 0, all.length, townMatch.town, p);
    if (leadOpinion !== null && leadOpinion.overridden) {
      const i = leadOpinion.typeIndex;
      const k = top.indexOf(i);
      if (k >= 0) top.splice(k, 1);
      top.unshift(i);
      if (top.length > 3) top.length = 3;
      conf.set(i, p[i]);
      const ruleLead = decision.leadUnit;
      decision = decide(e.taxonomy, e.units, facts.code[i], townMatch.town, kindGuess.kind);
      // The unit the rules chose co-handles (the matter touched its work: the site's 住建局 for wages owed on a building site, the town of a village).
      if (ruleLead !== decision.leadUnit && !decision.coUnits.includes(ruleLead)) decision.coUnits.push(ruleLead);
      basis = 'model';
    }
  }
  const keepClassifier = chosenFromType && hasWords && catIdx >= 0 && e.categoryModelIndex[catIdx] < 0;
  const classifierBest = keepClassifier ? argMax(modelP) : -1;
  const category: string | null = keepClassifier
    ? facts.modelCats[classifierBest]
    : catIdx >= 0 ? facts.cats[catIdx] : top.length ? facts.category[top[0]] : null;
  const categoryConfidence = keepClassifier ? modelP[classifierBest] : chosenConfidence;
  const fromType = chosenFromType && !keepClassifier;
  // (In a Float64Array: a list of numbers that are sometimes whole (0, 1) changes its elements' kind, and the optimised suggest() bailed out on it.)
  const confidences = new Float64Array(top.length);
  for (let k = 0; k < top.length; k++) confidences[k] = round(conf.get(top[k]) ?? p[top[k]]);
  // (The ranking's first type read once, here: read inside the loop below, as ranked[0]?.index, an empty
  // ranking made the optimised suggest() bail out again and again.)
  const rankedFirst = ranked.length > 0 ? ranked[0].index : -1;
  const eventTypes: EventTypeSuggestion[] = [];
  for (let k = 0; k < top.length; k++) {
    const i = top[k];
    eventTypes.push({
      code: facts.code[i],
      name: facts.name[i],
      category: facts.category[i],
      confidence: confidences[k],
      // A rule that only confirmed the ranking's first type leaves its probability meaningful.
      basis: k === 0 && basis && rankedFirst !== i ? basis : 'ranking',
    });
  }

  if (all && !informative) reasons.push('没有识别出与事项相关的词语');
  if (informative && basis !== 'danger' && basis !== 'duty' && confidences[0] < EVENT_TYPE_THRESHOLD) reasons.push(`事项类型把握不足（${Math.round(confidences[0] * 100)}%）`);
  // (When a type of an untrained category was put first by its keywords, the ranking's confidence in that category counts.)
  if (informative && decidedBy !== 'danger' && decidedBy !== 'duty' && chosenConfidence < CATEGORY_THRESHOLD) reasons.push(`一级分类把握不足（${Math.round(chosenConfidence * 100)}%）`);
  if (decision?.needsTown) reasons.push(townMatch.candidates.length ? '提到多个镇街，请确认属地' : '未识别出镇街，请确认属地');

  const catModel = category !== null ? facts.modelCats.indexOf(category) : -1;
  const catWords = catModel >= 0 ? drivingWords(e.model, x, catModel, 5) : [];
  // The words that made the top type's evidence (its score; the last one when a type were scored twice).
  let typeWords: string[] = [];
  if (top.length) for (let k = 0; k < scores.length; k++) if (scores[k].index === top[0]) typeWords = scores[k].matched;
  const dangerWords: string[] = [];
  for (let k = 0; k < tri.findings.length; k++) pushDistinct(dangerWords, tri.findings[k].words);
  const words: string[] = [];
  pushDistinct(words, typeWords);
  pushDistinct(words, catWords);
  pushDistinct(words, dangerWords);
  pushDistinct(words, kindGuess.cues);
  const unitName = (c: string | null) => (c ? (e.units.byCode.get(c)?.name ?? c) : '');
  const parts: string[] = [];
  const known = catModel >= 0;
  if (category)
    parts.push(
      `分类“${category}”（${Math.round(categoryConfidence * 100)}%），依据：${fromType ? `事项关键词明显指向该分类${known ? '' : '（该分类尚无标注样本）'}` : catWords.join('、') || '无明显词语'}`,
    );
  if (top.length)
    parts.push(
      decidedBy === 'danger'
        ? `事项“${facts.name[top[0]]}”（按险情确定处置单位）`
        : basis === 'model'
          ? `事项“${facts.name[top[0]]}”（${Math.round(p[top[0]] * 100)}%，按研判模型判断的牵头单位选定）`
          : decidedBy === 'duty' && duty
            ? `事项“${facts.name[top[0]]}”（按职责划分：${duty.why}；依据：${duty.words.join('、')}）`
            : `事项“${facts.name[top[0]]}”（${Math.round((conf.get(top[0]) ?? p[top[0]]) * 100)}%），依据：${typeWords.join('、') || '分类概率'}${decidedBy === 'village' ? '；发生在农村或镇驻地，按属地管理' : decidedBy === 'city' ? '；发生在城区（街道、小区），按业务主管' : ''}`,
    );
  if (top.length && category && facts.category[top[0]] !== category)
    parts.push(`工单按事项“${facts.name[top[0]]}”归入“${facts.category[top[0]]}”${keepClassifier && top[0] === rankedFirst ? '（事项关键词明显指向该事项，分类器未学过该分类）' : ''}`);
  parts.push(kindExplanation(kindGuess, ruleKind));
  if (leadOpinion !== null) parts.push(leadExplanation(leadOpinion, decidedBy, unitName));
  if (tri.reason) parts.push(tri.reason);
  parts.push(townMatch.town ? `属地：${unitName(townMatch.town)}（${townMatch.source === 'address' ? '地址栏' : '诉求内容'}中的“${townMatch.matched.join('、')}”）` : '属地：未识别');
  if (decision) parts.push(`派单：${decision.reason.replace(/。$/, "")}`);
  if (reasons.length) parts.push(`请接线员选择：${reasons.join('；')}`);

  const urgency: UrgencyClass = tri.emergency ? 'emergency' : top.length ? facts.complexity[top[0]] : 'general';
  const first = tri.findings[0];
  return {
    kind: kindGuess.kind,
    category,
    categoryConfidence: round(categoryConfidence),
    categoryFromEventType: fromType,
    eventTypes,
    urgency,
    emergencyTriggers: dangerWords,
    emergency: first ? { danger: first.code, name: first.name, words: first.words, reason: tri.reason } : null,
    leadUnit: decision?.leadUnit ?? null,
    coUnits: decision?.coUnits ?? [],
    deadlineClass: decision?.deadlineClass ?? urgency,
    reason: decision?.reason ?? '未能给出派单建议，请接线员选择事项类型。',
    words,
    explanation: parts.join('；'),
    needsOperatorChoice: reasons.length > 0,
    operatorChoiceReasons: reasons,
    town: townMatch.town,
    townMatch,
    truncated,
  };
}

/** Index of the largest value (the first of equals). */
function argMax(v: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < v.length; k++) if (v[k] > v[best]) best = k;
  return best;
}

const KIND_NAMES: Record<AppealKind, string> = { consult: '咨询', complaint: '投诉', help_request: '求助', report: '举报', suggestion: '建议' };

/** The kind's part of the explanation: the rules' cues, and the learned model's opinion when there is one. */
function kindExplanation(g: KindGuess, rule: KindGuess): string {
  const cues = rule.defaulted ? '未见提示词，默认投诉' : `提示词 ${rule.cues.join('、')}`;
  const m = g.model;
  if (!m) return `诉求类型：${cues}`;
  const pct = Math.round(m.confidence * 100);
  const why = m.words.length ? `，依据：${m.words.join('、')}` : '';
  if (m.overridden) return `诉求类型：研判模型判断为“${KIND_NAMES[m.kind]}”（${pct}%${why}），规则为“${KIND_NAMES[m.ruleKind]}”（${cues}）`;
  if (m.kind === m.ruleKind) return `诉求类型：${cues}（研判模型同意，${pct}%）`;
  return `诉求类型：${cues}（研判模型倾向“${KIND_NAMES[m.kind]}”，${pct}%，${m.heldByCues ? '提示词明确，按提示词' : '未达采用门槛'}）`;
}

const RULE_BASIS: Record<string, string> = { ranking: '按事项排名', duty: '按职责划分', village: '按属地管理', city: '按城区业务主管' };

/** The lead model's part of the explanation (only where the gate let it speak). */
function leadExplanation(m: LeadOpinion, decidedBy: string | null, unitName: (c: string | null) => string): string {
  const pct = Math.round(m.confidence * 100);
  const name = m.unit !== null ? unitName(m.unit) : '属地镇街';
  if (m.overridden) return `牵头单位：研判模型判断为“${name}”（${pct}%${m.words.length ? `，依据：${m.words.join('、')}` : ''}），规则为“${unitName(m.ruleLead)}”（${RULE_BASIS[decidedBy ?? 'ranking']}），改为协办`;
  if (m.agrees) return `牵头单位：按规则（研判模型同意，${pct}%）`;
  return `牵头单位：按规则（研判模型倾向“${name}”，${pct}%，${m.unit === null ? '未识别出镇街' : '未达采用门槛'}）`;
}
