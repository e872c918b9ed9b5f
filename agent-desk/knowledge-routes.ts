// The knowledge base over HTTP: operators search it (the center's articles and the
// catalogue); supervisors and administrators write and keep the articles.
import { Router } from 'express';
import { z } from 'zod';
import { actorOf, requireRole } from '../server/http/auth';
import { HttpError } from '../server/http/errors';
import { idParam, parseOrThrow } from '../workflow/intake';
import { InvalidInput } from '../workflow/errors';
import { insertArticle, listArticles, updateArticle, ArticleFields } from '../storage/knowledge';
import { articleEntries, KnowledgeEntry, KnowledgeSource, searchKnowledge } from './knowledge';
import type { HotlineContext } from '../server/extensions';

const keywords = z.array(z.string().trim().min(1).max(20)).max(20);
const fields = {
  title: z.string().trim().min(1, '标题不能为空').max(100),
  keywords,
  answer: z.string().trim().min(1, '答复内容不能为空').max(4000),
  unit: z.string().trim().min(1).max(40).nullable(),
  eventType: z.string().trim().min(1).max(20).nullable(),
  active: z.boolean(),
};
const newArticle = z.object({ ...fields, keywords: keywords.default([]), unit: fields.unit.default(null), eventType: fields.eventType.default(null), active: fields.active.default(true) }).strict();
const articlePatch = z.object(fields).partial().strict().refine((p) => Object.keys(p).length > 0, '没有要修改的内容');

export function knowledgeRoutes(o: { ctx: HotlineContext; catalogue: () => KnowledgeEntry[]; source: () => KnowledgeSource }): Router {
  const { ctx } = o;
  const r = Router();
  const editors = requireRole('supervisor', 'admin');

  r.get('/desk/knowledge', requireRole('operator', 'supervisor', 'leader', 'admin'), async (req, res) => {
    const q = parseOrThrow(z.object({ q: z.string().max(100).default('') }).strict(), req.query, '知识库查询').q;
    const articles = articleEntries(await listArticles(ctx.db, { activeOnly: true }), o.source());
    res.json({ items: searchKnowledge([...articles, ...o.catalogue()], q) });
  });

  /** The unit and the event type an article names must exist. */
  const check = (a: Partial<ArticleFields>) => {
    if (a.unit && !ctx.units().has(a.unit)) throw new InvalidInput(`单位「${a.unit}」不存在`, [{ field: 'unit', message: '不存在的单位' }]);
    if (a.eventType && !ctx.routing.eventType(a.eventType)) throw new InvalidInput(`事项类型「${a.eventType}」不存在`, [{ field: 'eventType', message: '不存在的事项类型' }]);
  };

  r.get('/desk/knowledge/articles', editors, async (_req, res) => {
    res.json({ articles: await listArticles(ctx.db) });
  });
  r.post('/desk/knowledge/articles', editors, async (req, res) => {
    const a = parseOrThrow(newArticle, req.body, '知识库文章');
    check(a);
    res.status(201).json({ article: await insertArticle(ctx.db, a, actorOf(req).id!, ctx.now()) });
  });
  r.patch('/desk/knowledge/articles/:id', editors, async (req, res) => {
    const id = parseOrThrow(idParam, req.params.id, '文章编号');
    const a = parseOrThrow(articlePatch, req.body, '知识库文章');
    check(a);
    const article = await updateArticle(ctx.db, id, a, actorOf(req).id!, ctx.now());
    if (!article) throw new HttpError(404, 'not_found', `知识库文章 ${id} 不存在`);
    res.json({ article });
  });
  return r;
}
