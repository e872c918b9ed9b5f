// The server's clock as the desk knows it: deadlines and "today" follow the server, not a
// browser whose clock is off. Answers that carry the server's time (`at`, `now`) set the skew.
let skew = 0;

export function serverNow(): number {
  return Date.now() + skew;
}

/** An answer said the server's time was `iso` just now. */
export function sawServerTime(iso: string | null | undefined): void {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isFinite(t)) skew = t - Date.now();
}
