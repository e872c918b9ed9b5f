// GET /api/bulletins/daily?date=YYYY-MM-DD and /api/bulletins/weekly?date=…: the bulletins' numbers.
import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow } from '../../workflow/intake';
import { requireRole } from './auth';
import { loadBulletin } from '../services/bulletins';

export function bulletinRoutes(d: Parameters<typeof loadBulletin>[0] & { now: () => Date }): Router {
  const r = Router();
  r.get('/bulletins/:kind', requireRole('supervisor', 'leader', 'admin'), async (req, res) => {
    const kind = parseOrThrow(z.enum(['daily', 'weekly']), req.params.kind, '简报类型');
    const today = d.policy().calendar.localDate(d.now());
    const date = parseOrThrow(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期须为 YYYY-MM-DD').default(today), req.query.date, '日期');
    res.json(await loadBulletin(d, kind, date));
  });
  return r;
}
