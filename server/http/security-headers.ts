// The security headers of every answer (desk pages, API, Open311), set by helmet: a
// well-kept middleware that knows each header's current advice, rather than our own list.
//
// Content-Security-Policy: scripts only from this site (the desk is a built bundle with no
// inline script; no eval); styles from this site and inline style attributes (Element Plus
// sets them on its components); images from this site, data: and blob: (charts saved as
// images, photo previews); connections to this site only (the API and the push socket);
// no plugins, no <base> elsewhere, forms posting only here, and no framing by any site
// (clickjacking) — also said with X-Frame-Options: DENY for older browsers. No referrer
// leaves the site (ticket numbers are in the desk's addresses). The printable notice,
// a server-made page, runs its one inline script under a nonce (allowInlineScript).
import crypto from 'node:crypto';
import { RequestHandler, Response } from 'express';
import helmet from 'helmet';

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  mediaSrc: ["'self'", 'blob:'],
  workerSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Not upgrade-insecure-requests: the demo runs on plain http://localhost; TLS is the reverse proxy's.
  upgradeInsecureRequests: null,
};

export const securityHeaders: RequestHandler = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

/** A server-made HTML page that needs one inline script: a fresh nonce, allowed by this answer's policy only. */
export function allowInlineScript(res: Response): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const csp = String(res.getHeader('content-security-policy') ?? '');
  res.setHeader('content-security-policy', csp.replace("script-src 'self'", `script-src 'self' 'nonce-${nonce}'`));
  return nonce;
}
