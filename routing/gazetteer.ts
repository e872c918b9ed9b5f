// The demo city's territory (city/demo/gazetteer.json) and an address matcher that
// finds the town/street office in free Chinese text and in the address field.
import { RoutingConfigError } from './errors';
import { PhraseMatcher } from './phrases';
import type { Units } from './taxonomy';

export interface GazetteerTown {
  code: string;
  name: string;
  /** Full names, matched anywhere. */
  names: string[];
  /** Short names safe in free text. */
  aliases: string[];
  /** Short names that are also ordinary words (稻田, 古城): matched only in the address field. */
  addressAliases: string[];
}

export interface GazetteerPlace {
  name: string;
  kind: 'village' | 'community' | 'landmark' | 'road';
  town: string;
}

export interface Gazetteer {
  version: string;
  towns: GazetteerTown[];
  places: GazetteerPlace[];
  /** Every matchable name, longest first, with the town it points to. */
  entries: Array<{ name: string; town: string; addressOnly: boolean }>;
}

export interface TownMatch {
  /** Unit code of the town/street office, or null when unknown or ambiguous. */
  town: string | null;
  /** The words in the input that named the place. */
  matched: string[];
  source: 'address' | 'text' | null;
  /** All towns named, when more than one (the operator chooses). */
  candidates: string[];
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string' && s.length > 0);

export function parseGazetteer(raw: unknown, units: Units): Gazetteer {
  const doc = raw as { version?: unknown; towns?: unknown; places?: unknown };
  if (!doc || typeof doc.version !== 'string') throw new RoutingConfigError('地名表缺少 version');
  if (!Array.isArray(doc.towns)) throw new RoutingConfigError('地名表缺少 towns');
  const places = (doc.places ?? []) as GazetteerPlace[];
  if (!Array.isArray(places)) throw new RoutingConfigError('地名表的 places 必须是数组');
  const errors: string[] = [];
  const seen = new Map<string, string>();
  const entries: Gazetteer['entries'] = [];
  const add = (name: string, town: string, addressOnly: boolean) => {
    const other = seen.get(name);
    if (other !== undefined && other !== town) errors.push(`地名“${name}”同时指向 ${other} 和 ${town}`);
    seen.set(name, town);
    entries.push({ name, town, addressOnly });
  };
  for (const t of doc.towns as GazetteerTown[]) {
    const u = units.byCode.get(t?.code);
    if (!u || u.kind !== 'town') {
      errors.push(`地名表中的 ${t?.code} 不是单位表中的镇街`);
      continue;
    }
    if (!isStrings(t.names) || !isStrings(t.aliases) || !isStrings(t.addressAliases)) {
      errors.push(`${t.code}：names / aliases / addressAliases 必须是非空字符串数组`);
      continue;
    }
    for (const n of t.names) add(n, t.code, false);
    for (const n of t.aliases) add(n, t.code, false);
    for (const n of t.addressAliases) add(n, t.code, true);
  }
  for (const p of places) {
    if (!p || typeof p.name !== 'string' || !p.name) errors.push('地名表中有缺少名称的地点');
    else if (units.byCode.get(p.town)?.kind !== 'town') errors.push(`地点“${p.name}”所属镇街 ${p.town} 不存在`);
    else add(p.name, p.town, false);
  }
  const missing = units.towns.filter((u) => !(doc.towns as GazetteerTown[]).some((t) => t?.code === u.code));
  for (const u of missing) errors.push(`地名表缺少镇街 ${u.code}（${u.name}）`);
  if (errors.length) throw new RoutingConfigError(`地名表校验失败：\n${errors.join('\n')}`);
  entries.sort((a, b) => b.name.length - a.name.length || (a.name < b.name ? -1 : 1));
  return { version: doc.version, towns: doc.towns as GazetteerTown[], places, entries };
}

/**
 * A short name that is also an ordinary word (稻田, 古城, 台头, 上口) counts in free text only
 * where the words around it make it a place: a caller saying where they are from or at
 * (俺是台头的, 家在稻田, 住在古城那边), or the place followed by 那边/这块/镇上/街上….
 */
const PLACE_BEFORE = /(?:俺是|我是|俺们是|咱是|家在|住在|俺在|我在|俺家在|俺们|咱们|咱)$/;
const PLACE_AFTER = /^(?:的人|那边|这边|那块|这块|那里|这里|那儿|这儿|镇上|街上|这一片|那一片|那片|这片|的[，,。 ]|的$)/;

/** Per gazetteer: one phrase matcher over every entry's name, and per name (phrase number) the entries that carry it, in entry order. */
const NAME_INDEX = new WeakMap<Gazetteer, { matcher: PhraseMatcher; entriesOf: number[][] }>();
function nameIndex(g: Gazetteer): { matcher: PhraseMatcher; entriesOf: number[][] } {
  let x = NAME_INDEX.get(g);
  if (!x) {
    const matcher = new PhraseMatcher(g.entries.map((e) => e.name));
    const id = new Map(matcher.phrases.map((p, k) => [p, k]));
    const entriesOf: number[][] = matcher.phrases.map(() => []);
    g.entries.forEach((e, k) => entriesOf[id.get(e.name)!].push(k));
    NAME_INDEX.set(g, (x = { matcher, entriesOf }));
  }
  return x;
}

/**
 * The occurrences of the entries' names in `s` as `for (const e of g.entries)` with
 * `s.indexOf(e.name, from)` visits them: entry by entry (longest name first), each
 * entry's occurrences left to right, the next looked for after the end of the last
 * (so an entry's own occurrences do not overlap). One scan of the text instead of one
 * indexOf pass per entry. Pairs: [entry index, position].
 */
function occurrences(g: Gazetteer, s: string): Array<[number, number]> {
  // The last two texts' occurrences are kept: suggest() masks the title and the body, then matches the
  // town in the two joined (occurrencesJoined), which are the two lists merged.
  for (let k = 0; k < occCache.length; k++) if (occCache[k].g === g && occCache[k].text === s) return occCache[k].occ;
  const occ = scanOccurrences(g, s);
  occCache.unshift({ g, text: s, occ });
  if (occCache.length > 2) occCache.pop();
  return occ;
}

const occCache: Array<{ g: Gazetteer; text: string; occ: Array<[number, number]> }> = [];

/** Whether some name of the gazetteer contains a space (then a name could span two joined texts). */
const NAME_WITH_SPACE = new WeakMap<Gazetteer, boolean>();

/**
 * occurrences(g, `${a} ${b}`) from occurrences(g, a) and occurrences(g, b): no name has a space, so none spans
 * the join, and an entry's occurrences in `a` end before any in `b` begins; merged by entry, then position.
 */
function occurrencesJoined(g: Gazetteer, a: string, b: string): Array<[number, number]> {
  let spaced = NAME_WITH_SPACE.get(g);
  if (spaced === undefined) NAME_WITH_SPACE.set(g, (spaced = g.entries.some((e) => e.name.includes(' '))));
  if (spaced) return occurrences(g, `${a} ${b}`);
  const x = occurrences(g, a);
  const y = occurrences(g, b);
  if (y.length === 0) return x;
  const shift = a.length + 1;
  if (x.length === 0) return y.map(([k, i]) => [k, i + shift]);
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (j >= y.length || (i < x.length && x[i][0] <= y[j][0])) out.push(x[i++]);
    else {
      out.push([y[j][0], y[j][1] + shift]);
      j++;
    }
  }
  return out;
}

function scanOccurrences(g: Gazetteer, s: string): Array<[number, number]> {
  const { matcher, entriesOf } = nameIndex(g);
  const found: Array<[number, number]> = [];
  matcher.forEachHit(s, (id, i) => {
    for (const k of entriesOf[id]) found.push([k, i]);
  });
  if (found.length < 2) return found;
  found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  let entry = -1;
  let from = 0;
  for (const [k, i] of found) {
    if (k !== entry) {
      entry = k;
      from = 0;
    }
    if (i < from) continue;
    out.push([k, i]);
    from = i + g.entries[k].name.length;
  }
  return out;
}

/** Names found in `s`, longest first, a shorter name inside a longer match not counted again. */
function hits(g: Gazetteer, s: string, inAddress: boolean, parts?: readonly [string, string]): Array<{ name: string; town: string }> {
  const out: Array<{ name: string; town: string }> = [];
  const taken: Array<[number, number]> = [];
  for (const [k, i] of parts ? occurrencesJoined(g, parts[0], parts[1]) : occurrences(g, s)) {
    const e = g.entries[k];
    const j = i + e.name.length;
    const placeHere = !e.addressOnly || inAddress || PLACE_BEFORE.test(s.slice(Math.max(0, i - 4), i)) || PLACE_AFTER.test(s.slice(j, j + 4));
    if (placeHere && !taken.some(([a, b]) => i < b && j > a)) {
      taken.push([i, j]);
      out.push({ name: e.name, town: e.town });
    }
  }
  return out;
}

function decideFrom(found: Array<{ name: string; town: string }>, source: 'address' | 'text'): TownMatch | null {
  if (!found.length) return null;
  const towns = [...new Set(found.map((h) => h.town))];
  return {
    town: towns.length === 1 ? towns[0] : null,
    matched: [...new Set(found.map((h) => h.name))],
    source,
    candidates: towns.length > 1 ? towns : [],
  };
}

/**
 * The town of an appeal: the address field wins over the text; two different towns → ask the operator.
 * `parts`: two texts `text` is joined from with a space (its names are then found from theirs, found already).
 */
export function matchTown(g: Gazetteer, text: string, address?: string | null, parts?: readonly [string, string]): TownMatch {
  const a = typeof address === 'string' && address ? decideFrom(hits(g, address, true), 'address') : null;
  if (a) return a;
  const t = typeof text === 'string' && text ? decideFrom(hits(g, text, false, parts && text.length === parts[0].length + 1 + parts[1].length ? parts : undefined), 'text') : null;
  return t ?? { town: null, matched: [], source: null, candidates: [] };
}

/** Where an appeal's matter is: a village (or a town's own streets), the city district, or unknown. */
export type Setting = 'village' | 'urban' | null;

/** Words that place a matter in a village. */
const VILLAGE_WORDS = /(?<!城中|度假|新)村(?!镇银行)|庄里|庄上|俺庄|俺们庄|咱庄|农村|乡下|大队|支书|庄户/;
/** Words that place it in the city's built-up area (a residential compound, a block of flats). */
const URBAN_WORDS = /小区|楼道|单元|物业|业主|商场|市区|城区|市里|写字楼|楼下|楼上|楼前|商业街|步行街/;

/**
 * The setting decides who leads matters such as sanitation, roads and illegal building
 * (属地管理): in a village, or in a 镇 (not a 街道) with no sign of a residential
 * compound, the town; in the city district, the department.
 */
export function matchSetting(units: Units, text: string, address: string | null | undefined, town: string | null): Setting {
  const s = `${typeof address === 'string' ? address : ''} ${typeof text === 'string' ? text : ''}`;
  const urban = URBAN_WORDS.test(s);
  if (VILLAGE_WORDS.test(s) && !urban) return 'village';
  if (urban) return 'urban';
  if (town && units.byCode.get(town)?.townKind === 'town') return 'village';
  return null;
}

/**
 * The matter is in the city district: not in a village (`setting`, from matchSetting, is not 'village' and no village
 * word is said) and in a compound or a block of flats, or in a street office (街道, not a 镇). The other side of
 * the line that sends a village's matters to the town.
 */
export function inCityDistrict(units: Units, text: string, address: string | null | undefined, town: string | null, setting: Setting): boolean {
  if (setting === 'village') return false;
  const s = `${typeof address === 'string' ? address : ''} ${typeof text === 'string' ? text : ''}`;
  if (VILLAGE_WORDS.test(s)) return false;
  return setting === 'urban' || (!!town && units.byCode.get(town)?.townKind === 'street');
}

/** A village's or compound's own name: 2–4 characters right before 村/庄/屯/社区/小区, after a break or a lead-in (镇, 是, 在…). */
const NAMED_PLACE = /(^|[\s,，。；;、：:!！?？.]|镇|乡|街道|街办|园区|是|在|住|叫|到|去|从)([\u4e00-\u9fff]{2,4}?)(?=村(?!镇银行)|庄(?!稼)|屯|社区|小区)/g;
/** NAMED_PLACE tried at one position only (sticky). */
const NAMED_PLACE_AT = new RegExp(NAMED_PLACE.source, 'y');
/** First characters of the suffixes NAMED_PLACE looks ahead for: 村 庄 屯 社(区) 小(区). */
const SUFFIX_FIRST = [0x6751, 0x5e84, 0x5c6f, 0x793e, 0x5c0f];

/**
 * NAMED_PLACE.exec(text) from `from` (its lastIndex), without scanning every position: a match is a lead-in of
 * 0–2 characters (^, a break, 镇, 街道…) and a name of 2–4 before a suffix, so it starts 2–6 characters before
 * one of the suffixes' first characters. Those starts are tried in order, each with the sticky copy: the first
 * that matches is the match exec would find (the leftmost), or there is none.
 */
function namedPlaceFrom(text: string, from: number): RegExpExecArray | null {
  let next = from; // the lowest start not tried yet
  for (let p = from + 2; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c !== SUFFIX_FIRST[0] && c !== SUFFIX_FIRST[1] && c !== SUFFIX_FIRST[2] && c !== SUFFIX_FIRST[3] && c !== SUFFIX_FIRST[4]) continue;
    for (let s = Math.max(next, p - 6); s <= p - 2; s++) {
      NAMED_PLACE_AT.lastIndex = s;
      const m = NAMED_PLACE_AT.exec(text);
      if (m) return m;
    }
    next = p - 1;
  }
  return null;
}

/** The suffixes NAMED_PLACE looks ahead for (a text without any has no named place). */
const PLACE_SUFFIX = /[村庄屯]|社区|小区/;
/** Not part of a name: pronouns, demonstratives, time and grammar words, and where a thing went (去年俺们村 keeps 去年; 扔到村后 keeps 扔到; 俺是河口村 masks 河口). */
const NOT_A_NAME = /[俺咱我你他她们这那哪个年月天的了是有在给把被让和跟都也就还到往进回去从]/g;
/** Nor what a caller asks of a village or compound (建议村里, 希望村委会, 找社区, 要求小区物业): the name, if any, follows them. */
const ASKING_NOT_A_NAME = /建议|希望|要求|请求|反映|举报|投诉|咨询|麻烦|通知|告诉|[请找问叫求帮]/g;
/** Words that end like a place but are a matter (城中村, 新农村, 美丽乡村, 老旧小区, 开放式小区…). */
const MATTER_BEFORE_SUFFIX = /(?:城中|农|乡|新|老旧|老|弃管|开放式|度假)$/;
/** The generic part of a town's full name, kept when the name is masked (化龙镇 → 〇〇镇). */
const TOWN_SUFFIX = /(?:园区|街道|街办|办事处|镇|村|庄|屯|社区|小区)$/;
const MASK = '〇';
const LANDMARKS = new WeakMap<Gazetteer, Set<string>>();

/**
 * The text with its place names masked (each character replaced by 〇, so lengths and
 * windows stay as they were): the towns and villages named in it — their full and short
 * names where they read as places, and a village's or compound's own name before
 * 村/庄/屯/社区/小区 — so that the characters of a name are not read as the matter
 * (河 in 北半截河村, 稻田 in 稻田镇, 生态 in 双王城生态经济园区, 油 in 油坊村). Landmarks
 * (双王城水库, 羊口港) stay: what they are is the matter. Town matching and the setting read
 * the original text.
 */
export function maskPlaces(g: Gazetteer, text: string): string {
  if (!text) return text;
  const spans: Array<[number, number]> = [];
  let landmarks = LANDMARKS.get(g);
  if (!landmarks) LANDMARKS.set(g, (landmarks = new Set(g.places.filter((p) => p.kind === 'landmark').map((p) => p.name))));
  // Longest names first (entries are sorted so); a name inside a longer one already found (羊口 in 羊口港) is not masked again.
  const taken: Array<[number, number]> = [];
  for (const [k, i] of occurrences(g, text)) {
    const e = g.entries[k];
    if (taken.some(([a, b]) => i < b && i + e.name.length > a)) continue;
    taken.push([i, i + e.name.length]);
    let j = i + e.name.length;
    const placeHere = !e.addressOnly || PLACE_BEFORE.test(text.slice(Math.max(0, i - 4), i)) || PLACE_AFTER.test(text.slice(j, j + 4));
    if (placeHere && !landmarks.has(e.name)) {
      const suffix = TOWN_SUFFIX.exec(e.name);
      if (suffix && suffix.index > 0) j -= suffix[0].length;
      spans.push([i, j]);
    }
  }
  NAMED_PLACE.lastIndex = 0;
  // NAMED_PLACE needs one of its suffixes ahead: most texts have none, and one quick test skips the scan.
  if (PLACE_SUFFIX.test(text)) {
    for (let m = namedPlaceFrom(text, 0); m; m = namedPlaceFrom(text, NAMED_PLACE.lastIndex)) {
      let start = m.index + m[1].length;
      const end = start + m[2].length;
      // The name is what follows the last word that cannot be part of one.
      let cut = 0;
      for (const w of m[2].matchAll(NOT_A_NAME)) cut = (w.index ?? 0) + 1;
      for (const w of m[2].matchAll(ASKING_NOT_A_NAME)) cut = Math.max(cut, (w.index ?? 0) + w[0].length);
      start += cut;
      const name = m[2].slice(cut);
      if (name.length >= 2 && !MATTER_BEFORE_SUFFIX.test(name)) spans.push([start, end]);
      NAMED_PLACE.lastIndex = end;
    }
  }
  if (!spans.length) return text;
  // The text between the spans as it is, each span's characters (spaces kept) as 〇: spans
  // in order of their start, overlapping ones merged (a character masked twice is masked
  // once). Joined from pieces, so the result is one flat string (a string built by += is a
  // chain of pieces, and every character read from it by the segmenter and the scans costs more).
  spans.sort((x, y) => x[0] - y[0]);
  const pieces: string[] = [];
  let at = 0;
  for (const [a, b] of spans) {
    if (b <= at) continue;
    const from = a > at ? a : at;
    pieces.push(text.slice(at, from));
    for (let k = from; k < b; k++) pieces.push(text.charCodeAt(k) === 32 ? ' ' : MASK);
    at = b;
  }
  pieces.push(text.slice(at));
  return pieces.join('');
}
