// Who may listen to call recordings. The server serves the files and logs each listening
// (desk issue); this is the one rule it asks.
import { Role } from '../workflow/types';

/** Operators hear calls to review their own work; supervisors and leaders for quality and daily review. */
const MAY_HEAR: ReadonlySet<Role> = new Set<Role>(['operator', 'supervisor', 'leader', 'admin']);

export function mayHearRecordings(role: Role): boolean {
  return MAY_HEAR.has(role);
}
