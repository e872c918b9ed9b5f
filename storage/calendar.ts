// Queries of calendar_schedules.
import { Knex } from 'knex';
import { parseYearSchedule, YearSchedule } from '../workflow/calendar';

export async function loadedSchedules(db: Knex): Promise<{ schedules: YearSchedule[]; version: string | null }> {
  const rows = await db('calendar_schedules').orderBy('year');
  const version = rows.reduce<string | null>((v, r) => (v === null || r.loaded_at > v ? r.loaded_at : v), null);
  return { schedules: rows.map((r) => parseYearSchedule(r.body)), version: version ? `${rows.length}:${version}` : null };
}

/** Validate and store (replace) one year's schedule; returns it. A malformed one throws InvalidInput and stores nothing. */
export async function saveSchedule(db: Knex, input: string | unknown, by: number | null, now: Date): Promise<YearSchedule> {
  const s = parseYearSchedule(input);
  await db('calendar_schedules')
    .insert({ year: s.year, body: JSON.stringify(s), loaded_by: by, loaded_at: now.toISOString() })
    .onConflict('year')
    .merge();
  return s;
}

export async function scheduleVersion(db: Knex): Promise<string | null> {
  const [r] = await db('calendar_schedules').count({ n: '*' }).max({ at: 'loaded_at' });
  return r && Number(r.n) > 0 ? `${r.n}:${r.at}` : null;
}
