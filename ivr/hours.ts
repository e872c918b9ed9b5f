// Operators' hours and survey calling hours, in the city's time zone. Which days are
// working days is the city's calendar's business (HotlineServices.isWorkingDay).

/** Local date (YYYY-MM-DD) and minutes since midnight of `at` in `timeZone`. */
const formats = new Map<string, Intl.DateTimeFormat>();
/** The last answer per time zone, for its UTC minute: every call asks (bench:ivr's burst: 500 at once), formatToParts cost ~15 µs. */
const lastParts = new Map<string, { minute: number; parts: { date: string; minutes: number } }>();
/** From 1970 on every time zone's offset is whole minutes (before, some local mean times had seconds): one UTC minute is one local minute. */
const WHOLE_MINUTE_OFFSETS_FROM = 0;

export function localParts(at: Date, timeZone: string): { date: string; minutes: number } {
  const ms = at.getTime();
  const minute = Math.floor(ms / 60_000);
  const last = lastParts.get(timeZone);
  if (last && last.minute === minute && ms >= WHOLE_MINUTE_OFFSETS_FROM) return { ...last.parts };
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    });
    formats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const parts = { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
  if (ms >= WHOLE_MINUTE_OFFSETS_FROM && Number.isFinite(minute)) lastParts.set(timeZone, { minute, parts: { ...parts } });
  return parts;
}

/** `range` is one period "09:00-12:00" or several separated by commas. */
function inRange(minutes: number, range: string): boolean {
  return range.split(',').some((period) => {
    const [a, b] = period.trim().split('-').map((t) => {
      const [h, m] = t.split(':').map(Number);
      return h * 60 + m;
    });
    return minutes >= a && minutes < b;
  });
}

/** Operators answer on working days (make-up workdays count, holidays do not) within `range` (e.g. "08:30-17:30"). */
export function isWorkingTime(at: Date, range: string, timeZone: string, isWorkingDay: (at: Date) => boolean): boolean {
  return isWorkingDay(at) && inRange(localParts(at, timeZone).minutes, range);
}

/** Survey calls go out every day within `range` (e.g. "09:00-12:00,14:00-20:00"): citizens are called back on holidays too, but not at night. */
export function isCallingTime(at: Date, range: string, timeZone: string): boolean {
  return inRange(localParts(at, timeZone).minutes, range);
}
