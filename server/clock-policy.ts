// The clock policy in force: the configured working hours and the year schedules — the
// city's shipped files, overridden year by year by those an admin loaded into the database.
import path from 'node:path';
import { Knex } from 'knex';
import { Config, clockSettings } from './config';
import { parseClockPolicy, ClockPolicy } from '../workflow/clocks';
import { loadYearSchedules } from './cli/sla';
import { loadedSchedules } from '../storage/calendar';

/** The policy, and the version of the loaded schedules it was built from (to notice changes). */
export async function clockPolicyInForce(db: Knex, config: Config): Promise<{ policy: ClockPolicy; version: string | null }> {
  const loaded = await loadedSchedules(db);
  const byYear = new Map([...loadYearSchedules(path.join(config.cityDir, 'calendar')), ...loaded.schedules].map((y) => [y.year, y]));
  return { policy: parseClockPolicy(clockSettings(config), [...byYear.values()]), version: loaded.version };
}
