// The routing engine's public face: load the catalogue, the gazetteer and the
// trained model (validated against the city's units), then suggest and decide.
import fs from 'node:fs';
import path from 'node:path';
import type { AppealKind } from '../workflow/types';
import { decide, type Decision, type DecideOptions } from './decide';
import { readEmergencyModel, type EmergencyModel } from './emergency-model';
import { checkKindModel, KindModel } from './kind-model';
import { checkLeadModel, LeadModel } from './lead-model';
import { RoutingConfigError } from './errors';
import { catalogueProfile, EventTypeScorer } from './event-scorer';
import { parseGazetteer, matchTown, type Gazetteer, type TownMatch } from './gazetteer';
import { decodeModel, MODEL_FORMAT, type CategoryModel, type ModelFile } from './model';
import { suggest, type SuggestEngine, type SuggestInput, type Suggestion } from './suggest';
import { parseCsvObjects } from './csv';
import { parseGovernmentTaxonomy, parseTaxonomy, parseUnits, readJson, type EventType, type Taxonomy, type Units } from './taxonomy';
import { normalize, tokenize } from './text';
import { parseDangers, type TriageResult } from './urgency';
import { parseDuties } from './duties';

export { RoutingConfigError, RoutingInputError } from './errors';
export type { Decision } from './decide';
export type { Suggestion, SuggestInput, EventTypeSuggestion } from './suggest';
export type { EventType } from './taxonomy';
export type { TownMatch } from './gazetteer';
export type { TriageResult, DangerFinding } from './urgency';
export { findSameIssue, type OpenTicket, type SameIssueMatch } from './same-issue';
export { hotSpots, hotWords, type HotSpot, type HotSpotRow, type HotSpotOptions, type HotWord } from './hotspots';

const CITY = path.resolve(__dirname, '../city/demo');
export const DEFAULT_FILES = {
  taxonomyFile: path.join(CITY, 'event-types.json'),
  gazetteerFile: path.join(CITY, 'gazetteer.json'),
  unitsFile: path.join(CITY, 'units.json'),
  modelFile: path.resolve(__dirname, 'trained-model.json'),
  dangersFile: path.join(CITY, 'dangers.json'),
  dutiesFile: path.join(CITY, 'duties.json'),
  emergencyModelFile: path.resolve(__dirname, 'emergency-model.json'),
  kindModelFile: path.resolve(__dirname, 'kind-model.json'),
  leadModelFile: path.resolve(__dirname, 'lead-model.json'),
  governmentTaxonomyFile: path.join(CITY, 'appeal-taxonomy.csv'),
};

/** The government's taxonomy as CSV rows (level1,level2,level3). */
export function readGovernmentTaxonomy(file = DEFAULT_FILES.governmentTaxonomyFile): Array<Record<string, string>> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new RoutingConfigError(`无法读取政府分类表 ${file}：${(e as Error).message}`);
  }
  return parseCsvObjects(text);
}

/** One entry of the Open311 service list. */
export interface ServiceEntry {
  code: string;
  name: string;
  /** First-level category. */
  group: string;
  description: string;
  keywords: string[];
}

export interface Routing {
  readonly version: { taxonomy: string; gazetteer: string; model: string };
  /** Mismatches that do not stop the engine (e.g. the model was trained on an older catalogue). */
  readonly warnings: string[];
  suggest(input: SuggestInput): Suggestion;
  eventType(code: string): (EventType & ServiceEntry) | null;
  eventTypes(): ServiceEntry[];
  /** The decision table. Throws RoutingInputError for an unknown type, town or kind. */
  decide(eventTypeCode: string, townCode: string | null, kind: AppealKind, opts?: DecideOptions): Decision;
  matchTown(text: string, address?: string | null): TownMatch;
  /**
   * Emergency triage alone (no classification): for call transcripts and keyword-spotting
   * hits. Never throws; the text is normalised as suggest() does.
   */
  triage(text: string): TriageResult;
  /** The short spoken forms of every danger, for the keyword spotter's list. */
  spokenDangerWords(): string[];
  readonly taxonomy: Taxonomy;
  readonly units: Units;
}

/** Word specificity for event-type evidence: IDF relative to a pivot, clamped; words the model never saw are rare. */
const SPECIFICITY = { pivotIdf: 5, min: 0.4, max: 1.5, unseen: 1.2 };

function readModel(raw: unknown, side?: EmergencyModel | null): { model: CategoryModel; file: ModelFile } {
  const f = raw as ModelFile;
  if (!f || f.format !== MODEL_FORMAT) throw new RoutingConfigError(`模型文件格式不对（应为 ${MODEL_FORMAT}），请重新运行 routing train`);
  if (typeof f.vocab !== 'string' || !Array.isArray(f.idf) || !Array.isArray(f.categories) || !Array.isArray(f.weights) || !f.features)
    throw new RoutingConfigError('模型文件缺少 vocab / idf / categories / weights / features');
  try {
    return { model: decodeModel(f, side ? { grams: side.grams(), side: side.side } : undefined), file: f };
  } catch (e) {
    throw new RoutingConfigError(`模型文件内部不一致，请重新运行 routing train：${(e as Error).message}`);
  }
}

function service(t: EventType): EventType & ServiceEntry {
  return { ...t, group: t.category, description: `${t.category} / ${t.subcategory}：${t.examples[0] ?? t.name}` };
}

const engines = new WeakMap<Routing, SuggestEngine>();

/** The parts behind a Routing (for tests and the cross-validation of the category rule). */
export function engineOf(r: Routing): SuggestEngine {
  const e = engines.get(r);
  if (!e) throw new Error('not a Routing built by buildRouting');
  return e;
}

/**
 * Build the engine from already-parsed documents (files, or a model trained in memory).
 * The danger rules and the government taxonomy default to the committed ones.
 */
export function buildRouting(docs: {
  taxonomy: unknown;
  gazetteer: unknown;
  units: unknown;
  model: unknown;
  dangers?: unknown;
  duties?: unknown;
  governmentTaxonomy?: Array<Record<string, string>>;
  /** The emergency model file's content; null: the danger rules alone. */
  emergencyModel?: unknown;
  /** The kind model file's content (kind-model.ts); null: the cue rules alone; undefined: the committed file, when there is one. */
  kindModel?: unknown;
  /** The lead model file's content (lead-model.ts); null: the rules alone; undefined: the committed file, when there is one. */
  leadModel?: unknown;
}): Routing {
  const units = parseUnits(docs.units);
  const taxonomy = parseTaxonomy(docs.taxonomy, units, parseGovernmentTaxonomy(docs.governmentTaxonomy ?? readGovernmentTaxonomy()));
  const triage = parseDangers(docs.dangers ?? readJson(DEFAULT_FILES.dangersFile, '险情规则'), taxonomy, units);
  const emergencyModel = docs.emergencyModel === undefined ? readJson(DEFAULT_FILES.emergencyModelFile, '紧急研判模型') : docs.emergencyModel;
  const duties = parseDuties(docs.duties ?? readJson(DEFAULT_FILES.dutiesFile, '职责划分'), taxonomy);
  const gazetteer: Gazetteer = parseGazetteer(docs.gazetteer, units);
  let em: EmergencyModel | null = null;
  if (emergencyModel !== null) {
    try {
      em = readEmergencyModel(emergencyModel);
    } catch (e) {
      throw new RoutingConfigError((e as Error).message);
    }
  }
  // The emergency model's n-grams go into the classifier's tables: one walk of an appeal's n-grams scores both.
  const { model, file } = readModel(docs.model, em);
  if (em) {
    em.attach(model);
    triage.useModel(em);
  }
  const warnings: string[] = [];
  // The learned second opinions (kind-model.ts, lead-model.ts): a file given, the committed one when there is one, or none.
  const opinion = <T extends { missingFeatures(): number }>(given: unknown, file: string, what: string, make: (raw: unknown) => T, retrain: string): T | null => {
    const raw = given === undefined ? (fs.existsSync(file) ? readJson(file, what) : null) : given;
    if (raw === null) return null;
    let judge: T;
    try {
      judge = make(raw);
    } catch (e) {
      throw new RoutingConfigError((e as Error).message);
    }
    const lost = judge.missingFeatures();
    if (lost) warnings.push(`${what}有 ${lost} 个特征不在当前分类器中，建议重新运行 routing ${retrain}`);
    return judge;
  };
  const kindJudge = opinion(docs.kindModel, DEFAULT_FILES.kindModelFile, '诉求类型模型', (raw) => new KindModel(checkKindModel(raw), model), 'train-kind');
  const leadJudge = opinion(docs.leadModel, DEFAULT_FILES.leadModelFile, '牵头单位模型', (raw) => new LeadModel(checkLeadModel(raw), model, taxonomy, units), 'train-lead');
  if (file.taxonomyVersion !== taxonomy.version)
    warnings.push(`模型按事项目录 ${file.taxonomyVersion} 训练，当前目录为 ${taxonomy.version}，建议重新训练`);
  const missing = taxonomy.categories.filter((c) => !model.categories.includes(c));
  if (missing.length) warnings.push(`模型不认识以下一级分类，只按关键词识别：${missing.join('、')}`);
  const learned = file.eventTypes ?? {};
  const idfWords = typeof file.wordIdf?.words === 'string' && file.wordIdf.words ? file.wordIdf.words.split('\n') : [];
  const wordIdf = new Map(idfWords.map((w, i) => [w, Number(file.wordIdf.idf[i])]));
  for (const code of Object.keys(learned)) if (!taxonomy.byCode.has(code)) warnings.push(`模型中纠错学到的事项类型 ${code} 已不在目录中`);
  const profiles = taxonomy.eventTypes.map((t) => {
    const p = catalogueProfile(t, tokenize);
    for (const [w, v] of Object.entries(learned[t.code]?.words ?? {})) p.set(w, Math.max(p.get(w) ?? 0, v));
    return p;
  });
  const engine: SuggestEngine = {
    taxonomy,
    units,
    gazetteer,
    model,
    scorer: new EventTypeScorer(taxonomy.eventTypes, profiles, (w) => {
      const idf = wordIdf.get(w);
      return idf === undefined ? SPECIFICITY.unseen : Math.min(SPECIFICITY.max, Math.max(SPECIFICITY.min, idf / SPECIFICITY.pivotIdf));
    }),
    triage,
    duties,
    typeIndex: new Map(taxonomy.eventTypes.map((t, i) => [t.code, i])),
    typeCategory: Int32Array.from(taxonomy.eventTypes.map((t) => taxonomy.categories.indexOf(t.category))),
    categorySize: taxonomy.categories.map((c) => taxonomy.eventTypes.filter((t) => t.category === c).length),
    categoryModelIndex: taxonomy.categories.map((c) => model.categories.indexOf(c)),
    kindJudge,
    leadJudge,
  };
  const fallback = (err: unknown): Suggestion => ({
    kind: 'complaint',
    category: null,
    categoryConfidence: 0,
    categoryFromEventType: false,
    eventTypes: [],
    urgency: 'general',
    emergencyTriggers: [],
    emergency: null,
    leadUnit: null,
    coUnits: [],
    deadlineClass: 'general',
    reason: '未能给出派单建议，请接线员选择事项类型。',
    words: [],
    explanation: `识别出错（${(err as Error)?.message ?? String(err)}），请接线员选择。`,
    needsOperatorChoice: true,
    operatorChoiceReasons: ['识别出错'],
    town: null,
    townMatch: { town: null, matched: [], source: null, candidates: [] },
    truncated: false,
  });
  const routing: Routing = {
    version: { taxonomy: taxonomy.version, gazetteer: gazetteer.version, model: `${file.taxonomyVersion}/${file.categories.length}c/${model.vocab.length}f` },
    warnings,
    taxonomy,
    units,
    suggest(input) {
      try {
        return suggest(engine, input);
      } catch (err) {
        return fallback(err);
      }
    },
    eventType(code) {
      const t = taxonomy.byCode.get(code);
      return t ? service(t) : null;
    },
    eventTypes() {
      return taxonomy.eventTypes.map((t) => {
        const s = service(t);
        return { code: s.code, name: s.name, group: s.group, description: s.description, keywords: s.keywords };
      });
    },
    decide(code, town, kind, opts) {
      return decide(taxonomy, units, code, town, kind, opts);
    },
    matchTown(text, address) {
      return matchTown(gazetteer, typeof text === 'string' ? text : '', address);
    },
    triage(text) {
      try {
        return triage.triage(normalize(text));
      } catch {
        return { emergency: false, findings: [], dismissed: [], dispatch: null, reason: '' };
      }
    },
    spokenDangerWords() {
      return [...new Set(triage.rules.flatMap((r) => r.spoken))];
    },
  };
  engines.set(routing, engine);
  return routing;
}

/**
 * Load the routing engine (synchronous): the catalogue, the gazetteer and the
 * trained model, validated against city/demo/units.json. Throws RoutingConfigError
 * with a Chinese message naming every problem when a file is wrong.
 */
export function loadRouting(
  opts: { taxonomyFile?: string; gazetteerFile?: string; modelFile?: string; unitsFile?: string; dangersFile?: string; dutiesFile?: string; governmentTaxonomyFile?: string; emergencyModelFile?: string | null; kindModelFile?: string | null; leadModelFile?: string | null } = {},
  /** An emergency model's content instead of the file's (routing eval --emergency-cv). */
  emergencyModel?: unknown,
  /** A kind model's content instead of the file's (routing eval --kind-cv); null: the cue rules alone. */
  kindModel?: unknown,
  /** A lead model's content instead of the file's (routing eval --lead-cv); null: the rules alone. */
  leadModel?: unknown,
): Routing {
  const f = { ...DEFAULT_FILES, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v)) };
  return buildRouting({
    units: readJson(f.unitsFile, '单位'),
    taxonomy: readJson(f.taxonomyFile, '事项类型目录'),
    gazetteer: readJson(f.gazetteerFile, '地名表'),
    model: readJson(f.modelFile, '模型'),
    dangers: readJson(f.dangersFile, '险情规则'),
    duties: readJson(f.dutiesFile, '职责划分'),
    emergencyModel: emergencyModel ?? (opts.emergencyModelFile === null ? null : readJson(f.emergencyModelFile, '紧急研判模型')),
    kindModel: kindModel !== undefined ? kindModel : opts.kindModelFile === null ? null : fs.existsSync(f.kindModelFile) ? readJson(f.kindModelFile, '诉求类型模型') : null,
    leadModel: leadModel !== undefined ? leadModel : opts.leadModelFile === null ? null : fs.existsSync(f.leadModelFile) ? readJson(f.leadModelFile, '牵头单位模型') : null,
    governmentTaxonomy: readGovernmentTaxonomy(f.governmentTaxonomyFile),
  });
}
