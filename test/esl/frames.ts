// ESL wire framing as FreeSWITCH 1.10.12 writes it (see ../shared/esl-traces/README.md):
// header order per frame type, Content-Length bodies, plain/json/xml event bodies.
export type EventFormat = 'plain' | 'json' | 'xml';
export type Headers = Record<string, string>;

/** FreeSWITCH url-encodes header values of plain/xml events (spaces, colons, @). */
export function fsEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function commandReply(replyText: string, extra: Headers = {}): string {
  let s = `Content-Type: command/reply\nReply-Text: ${replyText}\n`;
  for (const [k, v] of Object.entries(extra)) s += `${k}: ${v}\n`;
  return s + '\n';
}

export function apiResponse(body: string): string {
  return `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;
}

export const GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';
export const SHUTTING_DOWN = 'The system is being shut down.\n';

export function disconnectNotice(body: string, session?: { uuid: string; disposition: 'disconnect' }): string {
  let s = 'Content-Type: text/disconnect-notice\n';
  if (session) s += `Controlled-Session-UUID: ${session.uuid}\nContent-Disposition: ${session.disposition}\n`;
  return s + `Content-Length: ${Buffer.byteLength(body)}\n\n${body}`;
}

export function lingerNotice(uuid: string, channelName: string, lingerTime: number): string {
  return (
    'Content-Type: text/disconnect-notice\n' +
    `Controlled-Session-UUID: ${uuid}\nContent-Disposition: linger\nChannel-Name: ${channelName}\n` +
    `Linger-Time: ${lingerTime}\nContent-Length: 0\n\n`
  );
}

/**
 * Headers that are the same on every event (the bench's padding of channel variables), with their
 * serialised forms made once: an event that carries them is written as if they were spread in
 * (`{ ...before, ...padding, ...after }`), byte for byte, without copying or encoding them again.
 */
export class Padding {
  readonly json: string;
  readonly plain: string;
  readonly xml: string;
  /** The three forms as UTF-8 bytes, written with each frame (paddedEventFrameChunks) without encoding or copying them again. */
  readonly bytes: Record<EventFormat, Buffer>;
  constructor(readonly headers: Headers) {
    const e = Object.entries(headers);
    this.json = e.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
    this.plain = e.map(([k, v]) => plainLine(k, v)).join('');
    this.xml = e.map(([k, v]) => xmlLine(k, v)).join('');
    this.bytes = { json: Buffer.from(this.json), plain: Buffer.from(this.plain), xml: Buffer.from(this.xml) };
  }
}

/** An event whose headers are `{ ...before, ...pad.headers, ...after }` (see Padding). */
export interface PaddedHeaders {
  before: Headers;
  pad: Padding;
  after: Headers;
}

const plainLine = (k: string, v: string) => `${k}: ${fsEncode(v)}\n`;
const xmlLine = (k: string, v: string) => `    <${k}>${fsEncode(v)}</${k}>\n`;

/** An event frame in the connection's current format; `body` is the event's own body (BACKGROUND_JOB). */
export function eventFrame(format: EventFormat, headers: Headers | PaddedHeaders, body?: string): string {
  if (isPadded(headers)) return paddedEventFrame(format, headers, body);
  let inner: string;
  if (format === 'json') {
    const o: Record<string, string> = { ...headers };
    if (body !== undefined) {
      o['Content-Length'] = String(Buffer.byteLength(body));
      o._body = body;
    }
    inner = JSON.stringify(o);
  } else if (format === 'plain') {
    inner = Object.entries(headers).map(([k, v]) => plainLine(k, v)).join('');
    inner += body !== undefined ? `Content-Length: ${Buffer.byteLength(body)}\n\n${body}` : '\n';
  } else {
    inner = '<event>\n  <headers>\n';
    for (const [k, v] of Object.entries(headers)) inner += xmlLine(k, v);
    inner += '  </headers>\n';
    if (body !== undefined) inner += `  <Content-Length>${Buffer.byteLength(body)}</Content-Length>\n  <body>${xmlEscape(body)}</body>\n`;
    inner += '</event>';
  }
  return withOuterHeaders(format, inner);
}

function isPadded(h: Headers | PaddedHeaders): h is PaddedHeaders {
  return h.pad instanceof Padding;
}

function withOuterHeaders(format: EventFormat, inner: string): string {
  return `Content-Length: ${Buffer.byteLength(inner)}\nContent-Type: text/event-${format}\n\n${inner}`;
}

const merged = ({ before, pad, after }: PaddedHeaders): Headers => ({ ...before, ...pad.headers, ...after });
const lines = (h: Headers, line: (k: string, v: string) => string): string => Object.entries(h).map(([k, v]) => line(k, v)).join('');

/**
 * `{ ...before, ...pad.headers, ...after, ...tail }` as the headers before and after the padding.
 * Spread semantics: a later key that is already there keeps its place and takes the new value, so
 * a key of `after` (or `tail`) that is also in `before` moves there. A key that overrides the
 * padding, or a padding key that overrides one of `before`, is rare enough for the caller to take
 * the plain path (null).
 */
function aroundPadding({ before, pad, after }: PaddedHeaders, tail?: Headers): [Headers, Headers] | null {
  const ph = pad.headers;
  for (const k in before) if (Object.hasOwn(ph, k)) return null;
  // `before` itself unless a later key takes one of its places (then a copy with the new value): the result is only read.
  let b: Headers | null = null;
  const a: Headers = {};
  for (let i = 0; i < 2; i++) {
    const part = i === 0 ? after : tail;
    if (!part) continue;
    for (const k in part) {
      if (Object.hasOwn(ph, k)) return null;
      if (Object.hasOwn(before, k)) (b ??= { ...before })[k] = part[k];
      else a[k] = part[k];
    }
  }
  return [b ?? before, a];
}

/** The same bytes as eventFrame(format, { ...before, ...pad.headers, ...after }, body). */
function paddedEventFrame(format: EventFormat, h: PaddedHeaders, body?: string): string {
  const tail: Headers = format === 'json' && body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)), _body: body } : {};
  const around = aroundPadding(h, tail);
  if (!around) return eventFrame(format, merged(h), body);
  const [b, a] = around;
  const { pad } = h;
  let inner: string;
  if (format === 'json') {
    const head = JSON.stringify(b);
    const rest = JSON.stringify(a);
    const parts = [head.slice(1, -1), pad.json, rest.slice(1, -1)].filter((x) => x !== '');
    inner = `{${parts.join(',')}}`;
  } else if (format === 'plain') {
    inner = lines(b, plainLine) + pad.plain + lines(a, plainLine);
    inner += body !== undefined ? `Content-Length: ${Buffer.byteLength(body)}\n\n${body}` : '\n';
  } else {
    inner = '<event>\n  <headers>\n';
    for (const [k, v] of Object.entries(b)) inner += xmlLine(k, v);
    inner += pad.xml;
    for (const [k, v] of Object.entries(a)) inner += xmlLine(k, v);
    inner += '  </headers>\n';
    if (body !== undefined) inner += `  <Content-Length>${Buffer.byteLength(body)}</Content-Length>\n  <body>${xmlEscape(body)}</body>\n`;
    inner += '</event>';
  }
  return withOuterHeaders(format, inner);
}

/**
 * The same bytes as eventFrame(format, padded, body), as the chunks a socket write takes: the
 * frame's text up to the padding, the padding's own bytes (one Buffer shared by every frame,
 * never copied), and the text after it. Written together (one writev), the socket sends exactly
 * the frame's bytes. Building each 4–5 kB frame as a Buffer of its own (the padding copied into
 * fresh memory every time) was a sixth of the test switch's CPU in bench:ivr's burst.
 */
export function paddedEventFrameChunks(format: EventFormat, h: PaddedHeaders, body?: string): [string, Buffer, string] | string {
  const tail = format === 'json' && body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)), _body: body } : undefined;
  const around = aroundPadding(h, tail);
  const pad = h.pad.bytes[format];
  if (!around || pad.length === 0) return eventFrame(format, h, body);
  const [b, a] = around;
  let pre: string;
  let post: string;
  if (format === 'json') {
    const head = JSON.stringify(b).slice(1, -1);
    const rest = JSON.stringify(a).slice(1, -1);
    pre = head ? `{${head},` : '{';
    post = rest ? `,${rest}}` : '}';
  } else if (format === 'plain') {
    pre = lines(b, plainLine);
    post = lines(a, plainLine) + (body !== undefined ? `Content-Length: ${Buffer.byteLength(body)}\n\n${body}` : '\n');
  } else {
    pre = '<event>\n  <headers>\n' + lines(b, xmlLine);
    post = lines(a, xmlLine) + '  </headers>\n';
    if (body !== undefined) post += `  <Content-Length>${Buffer.byteLength(body)}</Content-Length>\n  <body>${xmlEscape(body)}</body>\n`;
    post += '</event>';
  }
  const length = Buffer.byteLength(pre) + pad.length + Buffer.byteLength(post);
  return [`Content-Length: ${length}\nContent-Type: text/event-${format}\n\n${pre}`, pad, post];
}

/** The same bytes as eventFrame(format, padded, body), as one Buffer (paddedEventFrameChunks joined). */
export function paddedEventFrameBytes(format: EventFormat, h: PaddedHeaders, body?: string): Buffer {
  const c = paddedEventFrameChunks(format, h, body);
  return typeof c === 'string' ? Buffer.from(c) : Buffer.concat([Buffer.from(c[0]), c[1], Buffer.from(c[2])]);
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The outbound `connect` reply: a command/reply whose headers are the CHANNEL_DATA event. */
export function channelDataReply(headers: Headers | PaddedHeaders): string {
  let s = '';
  if (isPadded(headers)) {
    const around = aroundPadding(headers);
    if (!around) return channelDataReply(merged(headers));
    s = lines(around[0], plainLine) + headers.pad.plain + lines(around[1], plainLine);
  } else s = lines(headers, plainLine);
  return s + 'Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n';
}

export interface ParsedFrame {
  headers: Headers;
  body: string;
}

/**
 * Incremental parser for frames in either direction: a header block ended by an
 * empty line, then exactly Content-Length bytes. Works on bytes, not chunks.
 */
const LFLF = Buffer.from('\n\n');

export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer | string): ParsedFrame[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    // Usually a chunk holds whole frames and nothing waits: no copy then.
    this.buf = this.buf.length ? Buffer.concat([this.buf, bytes]) : bytes;
    const out: ParsedFrame[] = [];
    for (;;) {
      const end = this.buf.indexOf(LFLF);
      if (end < 0) break;
      const headText = this.buf.subarray(0, end).toString('utf8');
      const headers: Headers = {};
      const lines = headText.split('\n');
      // A command's first line ("api status") has no colon-space; keep it as "_command".
      lines.forEach((line, i) => {
        const at = line.indexOf(': ');
        if (at < 0) {
          if (i === 0) headers._command = line;
          else if (line.endsWith(':')) headers[line.slice(0, -1)] = '';
          return;
        }
        headers[line.slice(0, at)] = line.slice(at + 2);
      });
      const len = headers['Content-Length'] ? Number(headers['Content-Length']) : 0;
      if (this.buf.length < end + 2 + len) break;
      const body = this.buf.subarray(end + 2, end + 2 + len).toString('utf8');
      this.buf = this.buf.subarray(end + 2 + len);
      out.push({ headers, body });
    }
    return out;
  }
}

/** Decodes an event frame's body into its headers (and _body), whatever the format. */
export function decodeEvent(frame: ParsedFrame): Headers | null {
  const type = frame.headers['Content-Type'];
  if (type === 'text/event-json') return JSON.parse(frame.body) as Headers;
  if (type === 'text/event-plain') {
    const r = new FrameReader().push(frame.body);
    if (r.length === 0) return null;
    const h: Headers = {};
    for (const [k, v] of Object.entries(r[0].headers)) h[k] = decodeURIComponent(v);
    if (r[0].body) h._body = r[0].body;
    return h;
  }
  if (type === 'text/event-xml') {
    const h: Headers = {};
    for (const m of frame.body.matchAll(/<([A-Za-z0-9_-]+)>([^<]*)<\/\1>/g)) h[m[1]] = decodeURIComponent(m[2]);
    return h;
  }
  return null;
}
