// The event-type catalogue (city/demo/event-types.json) and the city's units
// (city/demo/units.json): loading and validation. Data, not code: an admin edits
// the JSON and the engine checks it at start.
import fs from 'node:fs';
import type { UrgencyClass } from '../workflow/types';
import { RoutingConfigError } from './errors';

/** Who leads a matter of this type (see routing/README.md). */
export type Territory = 'department' | 'town' | 'department_with_town';
export const TERRITORIES: readonly Territory[] = ['department', 'town', 'department_with_town'];

export interface EventType {
  code: string;
  name: string;
  /** First-level category, exactly as in the government taxonomy. */
  category: string;
  subcategory: string;
  /** The third-level classes of the government taxonomy merged into this type. */
  taxonomyClasses: string[];
  /** Competent department (unit code). */
  owner: string;
  territory: Territory;
  coUnits: string[];
  complexity: Exclude<UrgencyClass, 'emergency'>;
  gridHandleable: boolean;
  keywords: string[];
  examples: string[];
  /**
   * The type the same matter becomes in a village or a town's own streets (属地管理):
   * e.g. 环境卫生脏乱 (城管局) → 农村人居环境 (the town). Absent for matters that are the
   * same department's everywhere.
   */
  rural?: string;
}

/** The government's three-level classification (city/demo/appeal-taxonomy.csv): "level1/level2/level3" paths. */
export type GovernmentTaxonomy = ReadonlySet<string>;

export function parseGovernmentTaxonomy(rows: ReadonlyArray<Record<string, string>>): GovernmentTaxonomy {
  const out = new Set<string>();
  for (const r of rows) if (r.level1 && r.level2 && r.level3) out.add(`${r.level1}/${r.level2}/${r.level3}`);
  if (!out.size) throw new RoutingConfigError('政府分类表为空或缺少 level1,level2,level3 列');
  return out;
}

export interface Taxonomy {
  version: string;
  eventTypes: EventType[];
  byCode: Map<string, EventType>;
  /** First-level categories in catalogue order. */
  categories: string[];
}

export interface Unit {
  code: string;
  name: string;
  kind: 'center' | 'leader' | 'department' | 'town';
  townKind?: 'street' | 'town';
  duty?: string;
}

export interface Units {
  units: Unit[];
  byCode: Map<string, Unit>;
  towns: Unit[];
}

export function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new RoutingConfigError(`无法读取${what}文件 ${file}：${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new RoutingConfigError(`${what}文件 ${file} 不是合法的 JSON：${(e as Error).message}`);
  }
  const twice = duplicateKeys(text);
  if (twice.length)
    throw new RoutingConfigError(
      twice.map((k) => `${what}文件 ${file} 的同一对象中“${k}”写了两次（JSON 只保留最后一次，前一次被悄悄覆盖）`).join('\n'),
    );
  return doc;
}

/**
 * Keys written twice in one object of a JSON text (JSON.parse keeps the last one silently: a word
 * class added again by a second editor would replace the first). The text is valid JSON already.
 */
export function duplicateKeys(text: string): string[] {
  const out: string[] = [];
  const stack: Array<Set<string> | null> = []; // a Set for an object, null for an array
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) out.push(key);
        else top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(null);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] != null;
    }
  }
  return out;
}

export function parseUnits(raw: unknown): Units {
  const list = (raw as { units?: unknown })?.units;
  if (!Array.isArray(list)) throw new RoutingConfigError('单位文件缺少 units 数组');
  const byCode = new Map<string, Unit>();
  for (const u of list as Unit[]) {
    if (!u || typeof u.code !== 'string' || typeof u.name !== 'string') throw new RoutingConfigError('单位文件中有缺少编码或名称的单位');
    if (byCode.has(u.code)) throw new RoutingConfigError(`单位编码重复：${u.code}`);
    byCode.set(u.code, u);
  }
  return { units: list as Unit[], byCode, towns: (list as Unit[]).filter((u) => u.kind === 'town') };
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/**
 * Validate the catalogue against the units (every type has a department as owner, codes
 * unique, units exist) and, when given, against the government taxonomy (every type's
 * level1/level2/level3 path exists there).
 */
export function parseTaxonomy(raw: unknown, units: Units, government?: GovernmentTaxonomy): Taxonomy {
  const doc = raw as { version?: unknown; eventTypes?: unknown };
  if (!doc || typeof doc.version !== 'string') throw new RoutingConfigError('事项类型目录缺少 version');
  if (!Array.isArray(doc.eventTypes) || doc.eventTypes.length === 0) throw new RoutingConfigError('事项类型目录缺少 eventTypes');
  const byCode = new Map<string, EventType>();
  const errors: string[] = [];
  for (const [i, t] of (doc.eventTypes as EventType[]).entries()) {
    const at = `第 ${i + 1} 项（${t?.code ?? '无编码'} ${t?.name ?? ''}）`;
    if (!t || typeof t.code !== 'string' || !/^[A-Z]{2}-\d{4}$/.test(t.code)) {
      errors.push(`${at}：编码必须形如 CX-0101`);
      continue;
    }
    if (byCode.has(t.code)) errors.push(`${at}：编码重复`);
    if (typeof t.name !== 'string' || !t.name) errors.push(`${at}：缺少名称`);
    if (typeof t.category !== 'string' || !t.category) errors.push(`${at}：缺少一级分类`);
    if (typeof t.subcategory !== 'string') errors.push(`${at}：缺少二级分类`);
    const owner = units.byCode.get(t.owner);
    if (!owner) errors.push(`${at}：主管部门 ${t.owner} 不存在`);
    else if (owner.kind !== 'department') errors.push(`${at}：主管单位 ${t.owner} 不是职能部门`);
    if (!TERRITORIES.includes(t.territory)) errors.push(`${at}：territory 必须是 ${TERRITORIES.join(' / ')}`);
    if (!isStrings(t.coUnits)) errors.push(`${at}：coUnits 必须是单位编码数组`);
    else
      for (const c of t.coUnits) {
        const u = units.byCode.get(c);
        if (!u) errors.push(`${at}：协办单位 ${c} 不存在`);
        else if (u.kind !== 'department') errors.push(`${at}：默认协办单位 ${c} 必须是职能部门（属地镇街由地址决定）`);
        if (c === t.owner) errors.push(`${at}：协办单位不能是主管部门本身`);
      }
    if (t.complexity !== 'general' && t.complexity !== 'complex') errors.push(`${at}：complexity 必须是 general 或 complex`);
    if (typeof t.gridHandleable !== 'boolean') errors.push(`${at}：gridHandleable 必须是布尔值`);
    for (const f of ['taxonomyClasses', 'keywords', 'examples'] as const)
      if (!isStrings(t[f])) errors.push(`${at}：${f} 必须是字符串数组`);
    if ('emergencyTriggers' in t) errors.push(`${at}：emergencyTriggers 已不再使用（紧急险情由 dangers.json 的规则识别），请删除该字段，词语可并入 keywords`);
    if (isStrings(t.taxonomyClasses) && !t.taxonomyClasses.length) errors.push(`${at}：taxonomyClasses 至少要有一个三级分类`);
    if (government && isStrings(t.taxonomyClasses))
      for (const c of t.taxonomyClasses)
        if (!government.has(`${t.category}/${t.subcategory}/${c}`)) errors.push(`${at}：政府分类表中没有 ${t.category}/${t.subcategory}/${c}`);
    byCode.set(t.code, t);
  }
  for (const t of byCode.values()) {
    if (t.rural === undefined) continue;
    const r = byCode.get(t.rural);
    if (!r) errors.push(`${t.code} ${t.name}：rural 指向的事项类型 ${t.rural} 不存在`);
    else if (r.territory !== 'town') errors.push(`${t.code} ${t.name}：rural 指向的 ${r.code} ${r.name} 必须是属地镇街牵头（territory: town）`);
  }
  if (errors.length) throw new RoutingConfigError(`事项类型目录校验失败：\n${errors.join('\n')}`);
  const eventTypes = [...byCode.values()];
  const names = new Set<string>();
  for (const t of eventTypes) {
    if (names.has(t.name)) throw new RoutingConfigError(`事项类型名称重复：${t.name}`);
    names.add(t.name);
  }
  return { version: doc.version, eventTypes, byCode, categories: [...new Set(eventTypes.map((t) => t.category))] };
}
