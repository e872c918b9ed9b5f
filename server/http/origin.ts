// Same-origin checks for the routes a browser page of another site must not reach with
// this site's cookie: the login (login CSRF) and the push socket. A request without an
// Origin header is an API client or a same-origin GET; "null" (sandboxed frames, file:
// pages) and anything that is not a URL are foreign.

/** Whether a request carrying this Origin comes from a page of this site (`host`: the Host the request was sent to). */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!host) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === host.toLowerCase();
  } catch {
    return false;
  }
}
