// Points in time as clients send them (search ranges, deadlines, Open311 dates): ISO 8601
// with a real calendar date in a sensible range. Date.parse alone takes "2026-02-30",
// "+275760-09-13" and "0", and a date at the edge of its range turns into an error the
// moment a day is added to it; these are refused here, as the client's mistake.
import { z } from 'zod';

export const FIRST_YEAR = 1970;
export const LAST_YEAR = 2199;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-](\d{2})(?::?(\d{2}))?)?$/;

/** The instant, or null when the text is not an ISO 8601 date or time of a real day between 1970 and 2199. */
export function parseInstant(s: string): Date | null {
  const m = ISO.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', , oh = '0', om = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < FIRST_YEAR || year > LAST_YEAR || month < 1 || month > 12) return null;
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59 || Number(oh) > 14 || Number(om) > 59) return null;
  const t = Date.parse(s.trim());
  return Number.isFinite(t) ? new Date(t) : null;
}

/** A zod schema for such an instant (kept as the text the client sent). */
export const isoInstantText = (message = '须为 ISO 8601 日期或时间，例如 2026-11-23 或 2026-11-23T10:00:00+08:00') =>
  z.string().max(40).refine((s) => parseInstant(s) !== null, message);
