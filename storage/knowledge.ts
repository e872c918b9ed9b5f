// The knowledge base's articles: the center's own answers to common consults.
import { Knex } from 'knex';

export interface KnowledgeArticle {
  id: number;
  title: string;
  keywords: string[];
  answer: string;
  unit: string | null;
  eventType: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  updatedBy: number;
}

export type ArticleFields = Pick<KnowledgeArticle, 'title' | 'keywords' | 'answer' | 'unit' | 'eventType' | 'active'>;

const fromRow = (r: any): KnowledgeArticle => ({
  id: Number(r.id),
  title: r.title,
  keywords: JSON.parse(r.keywords),
  answer: r.answer,
  unit: r.unit_code ?? null,
  eventType: r.event_type ?? null,
  active: r.active === true || r.active === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  updatedBy: Number(r.updated_by),
});

const toRow = (a: Partial<ArticleFields>) => {
  const row: Record<string, unknown> = {};
  if (a.title !== undefined) row.title = a.title;
  if (a.keywords !== undefined) row.keywords = JSON.stringify(a.keywords);
  if (a.answer !== undefined) row.answer = a.answer;
  if (a.unit !== undefined) row.unit_code = a.unit;
  if (a.eventType !== undefined) row.event_type = a.eventType;
  if (a.active !== undefined) row.active = a.active;
  return row;
};

export async function listArticles(db: Knex, o: { activeOnly?: boolean } = {}): Promise<KnowledgeArticle[]> {
  const q = db('knowledge_articles').orderBy('id');
  if (o.activeOnly) q.where({ active: true });
  return (await q).map(fromRow);
}

export async function getArticle(db: Knex, id: number): Promise<KnowledgeArticle | null> {
  const r = await db('knowledge_articles').where({ id }).first();
  return r ? fromRow(r) : null;
}

export async function insertArticle(db: Knex, a: ArticleFields, by: number, at: Date): Promise<KnowledgeArticle> {
  const [row] = await db('knowledge_articles')
    .insert({ ...toRow(a), created_at: at.toISOString(), updated_at: at.toISOString(), updated_by: by })
    .returning('id');
  return (await getArticle(db, Number(typeof row === 'object' ? row.id : row)))!;
}

export async function updateArticle(db: Knex, id: number, a: Partial<ArticleFields>, by: number, at: Date): Promise<KnowledgeArticle | null> {
  const n = await db('knowledge_articles').where({ id }).update({ ...toRow(a), updated_at: at.toISOString(), updated_by: by });
  return n ? getArticle(db, id) : null;
}
