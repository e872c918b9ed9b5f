// The operators' knowledge base for consults: the center's own articles (answers its
// supervisors write and keep up to date), and for every matter which unit governs it, what
// it is responsible for and its public phone, built from the city's own configuration (the
// event-type catalogue and the units' duties). Pure: entries in, ranked answers out.
import type { KnowledgeArticle } from '../storage/knowledge';

export interface KnowledgeEntry {
  /** The event type's code, or KB-<id> for an article. */
  code: string;
  source: 'article' | 'catalogue';
  /** The event type a consult resolved with this answer is filed under, if known. */
  eventType: string | null;
  name: string;
  category: string;
  keywords: string[];
  examples: string[];
  unit: { code: string; name: string; duty: string | null; phone: string | null } | null;
  /** The answer the operator reads out and records when resolving at intake. */
  answer: string;
}

export interface KnowledgeSource {
  eventTypes: { code: string; name: string; category: string; owner: string; keywords: string[]; examples: string[] }[];
  units: { code: string; name: string; duty: string | null; phone: string | null }[];
}

export function buildKnowledge(src: KnowledgeSource): KnowledgeEntry[] {
  const units = new Map(src.units.map((u) => [u.code, u]));
  return src.eventTypes.map((e) => {
    const u = units.get(e.owner) ?? null;
    const answer = u
      ? `「${e.name}」类事项由${u.name}负责${u.duty ? `（职责：${u.duty}）` : ''}${u.phone ? `，咨询电话 ${u.phone}` : ''}。`
      : `「${e.name}」类事项的主管单位未配置，请转值班长。`;
    return { code: e.code, source: 'catalogue' as const, eventType: e.code, name: e.name, category: e.category, keywords: e.keywords, examples: e.examples, unit: u, answer };
  });
}

/** What an entry needs of a stored article (storage/knowledge.ts). */
export type ArticleSource = Pick<KnowledgeArticle, 'id' | 'title' | 'keywords' | 'answer' | 'unit' | 'eventType'>;

/** The center's articles as entries; the category is their event type's, when they name one. */
export function articleEntries(articles: ArticleSource[], src: KnowledgeSource): KnowledgeEntry[] {
  const units = new Map(src.units.map((u) => [u.code, u]));
  const types = new Map(src.eventTypes.map((e) => [e.code, e]));
  return articles.map((a) => ({
    code: `KB-${a.id}`, source: 'article' as const, eventType: a.eventType, name: a.title,
    category: (a.eventType ? types.get(a.eventType)?.category : undefined) ?? '中心知识库',
    keywords: a.keywords, examples: [], unit: (a.unit ? units.get(a.unit) : undefined) ?? null, answer: a.answer,
  }));
}

/** Entries matching the words typed, best first: name, then keywords, then category, examples and an article's text; on equal scores the center's articles first. */
export function searchKnowledge(entries: KnowledgeEntry[], query: string, limit = 10): KnowledgeEntry[] {
  const q = query.trim();
  if (!q) return [];
  const terms = q.split(/\s+/).filter(Boolean);
  const scored: { e: KnowledgeEntry; s: number }[] = [];
  for (const e of entries) {
    let s = 0;
    for (const t of terms) {
      if (e.name.includes(t)) s += 5;
      if (e.keywords.some((k) => k.includes(t) || t.includes(k))) s += 3;
      if (e.category.includes(t)) s += 1;
      if (e.examples.some((x) => x.includes(t))) s += 1;
      if (e.unit && (e.unit.name.includes(t) || (e.unit.duty ?? '').includes(t))) s += 1;
      if (e.source === 'article' && e.answer.includes(t)) s += 1;
    }
    if (s > 0) scored.push({ e, s });
  }
  const rank = (e: KnowledgeEntry) => (e.source === 'article' ? 0 : 1);
  return scored.sort((a, b) => b.s - a.s || rank(a.e) - rank(b.e) || a.e.code.localeCompare(b.e.code)).slice(0, limit).map((x) => x.e);
}
