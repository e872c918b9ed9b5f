// The working calendar: coverage of the coming days (the supervisors' board warns when a
// year's official schedule is missing) and loading a year's schedule.
import { Router } from 'express';
import { Knex } from 'knex';
import { z } from 'zod';
import { ClockPolicy } from '../../workflow/clocks';
import { coverageWarning } from '../../workflow/calendar';
import { saveSchedule } from '../../storage/calendar';
import { parseOrThrow } from '../../workflow/intake';
import { InvalidInput } from '../../workflow/errors';
import { actorOf, requireRole } from './auth';

export function calendarRoutes(d: { db: Knex; now: () => Date; policy: () => ClockPolicy; reload: () => Promise<void> }): Router {
  const r = Router();
  r.get('/calendar/coverage', requireRole(), (req, res) => {
    const days = parseOrThrow(z.coerce.number().int().min(1).max(400).default(60), req.query.days, '天数');
    const cal = d.policy().calendar;
    res.json({ days, uncovered: cal.coverage(d.now(), days), warning: coverageWarning(cal, d.now(), days) });
  });
  r.put('/calendar/schedules/:year', requireRole('admin', 'supervisor'), async (req, res) => {
    const year = parseOrThrow(z.coerce.number().int().min(2000).max(2100), req.params.year, '年份');
    if (req.body?.year !== undefined && req.body.year !== year) throw new InvalidInput(`地址中的年份 ${year} 与文件中的年份 ${req.body.year} 不一致`);
    const s = await saveSchedule(d.db, { ...req.body, year }, actorOf(req).id, d.now());
    await d.reload();
    res.json({ year: s.year, stored: true });
  });
  return r;
}
