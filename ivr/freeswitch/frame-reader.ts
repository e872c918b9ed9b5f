// The Event Socket stream as FreeSWITCH writes it to a client, read strictly: a header block
// ("Name: value" lines, then an empty line) with a known Content-Type, then exactly
// Content-Length bytes of body. Anything else means the stream lost its framing (a
// Content-Length off by one shifts every later frame), so the reader stops with a
// FrameError and the connection is dropped rather than guessed at. Chunks are kept as a
// list and joined once a frame is whole, so a large frame costs one copy, not one per chunk.

/** Content types FreeSWITCH sends to an Event Socket client (mod_event_socket.c). */
const CONTENT_TYPES = new Set([
  'auth/request', 'command/reply', 'api/response', 'text/event-json', 'text/event-plain', 'text/event-xml',
  'text/disconnect-notice', 'text/rude-rejection', 'log/data',
]);

/** The largest frame accepted. A full `show channels as json` of a few thousand calls stays far below. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** The largest header block (the outbound `connect` reply carries every channel variable: ~10 kB). */
const MAX_HEADER_BYTES = 1024 * 1024;

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export interface RawFrame {
  headers: Record<string, string>;
  /** Content-Length as sent (0 without one). */
  length: number;
  /** A view into the bytes read (it keeps them alive while it is kept). */
  body: Buffer;
}

/** Parses "Name: value" lines; a line that is not one (and is not empty) is a framing error. */
export function parseHeaderBlock(text: string, where: string): Record<string, string> {
  const headers: Record<string, string> = {};
  // Names and values are cut from the text directly (no string per line: the outbound connect
  // reply has 100–300 lines, and 500 calls arriving at once bring 500 of them).
  for (let pos = 0; ;) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    if (eol === pos) throw new FrameError(`${where}: empty header line`);
    const colon = text.indexOf(':', pos);
    if (colon <= pos || colon > eol || !isHeaderName(text, pos, colon)) {
      throw new FrameError(`${where}: not a header line: ${JSON.stringify(text.slice(pos, eol).slice(0, 60))}`);
    }
    // "Name: value"; FreeSWITCH writes one space after the colon, and nothing for an empty value.
    headers[text.slice(pos, colon)] = text.slice(text.charCodeAt(colon + 1) === 0x20 && colon + 1 < eol ? colon + 2 : colon + 1, eol);
    if (eol === text.length) return headers;
    pos = eol + 1;
  }
}

/** The name (text from `from` up to `to`) has no white space or control character. */
function isHeaderName(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    // Printable ASCII is never white space; anything else is checked as the pattern says.
    if (c <= 0x20 || c >= 0x7f) return !/[\s\x00-\x1f]/.test(text.slice(from, to));
  }
  return true;
}

/** decodeURIComponent, for a value that has an escape in it (without one it is the value itself). */
export function urlDecode(v: string): string {
  return v.includes('%') ? decodeURIComponent(v) : v;
}

export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** The header block of the frame whose body is still arriving. */
  private head: { headers: Record<string, string>; length: number; headBytes: number } | null = null;
  /** How far the search for the end of the headers got (no rescans of a growing block). */
  private scanned = 0;
  private failed: FrameError | null = null;

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Bytes buffered, not yet part of a whole frame. */
  get buffered(): number {
    return this.size;
  }

  /** Feeds bytes; returns the frames now complete. Throws FrameError, and keeps throwing it, once the stream is unreadable. */
  push(chunk: Buffer): RawFrame[] {
    if (this.failed) throw this.failed;
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: RawFrame[] = [];
    try {
      for (;;) {
        const f = this.next();
        if (!f) break;
        out.push(f);
      }
    } catch (err) {
      this.failed = err as FrameError;
      this.chunks = [];
      this.size = 0;
      throw err;
    }
    return out;
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private consume(n: number): void {
    const buf = this.joined();
    const rest = buf.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    this.scanned = 0;
  }

  private next(): RawFrame | null {
    if (!this.head) {
      if (this.size === 0) return null;
      const buf = this.joined();
      if (buf[0] === 0x0a) throw new FrameError('frame starts with an empty line');
      const end = buf.indexOf(LFLF, Math.max(0, this.scanned - 1));
      if (end < 0) {
        this.scanned = buf.length;
        if (buf.length > MAX_HEADER_BYTES) throw new FrameError(`no end of headers within ${MAX_HEADER_BYTES} bytes`);
        return null;
      }
      const headers = parseHeaderBlock(buf.subarray(0, end).toString('utf8'), 'frame');
      const type = headers['Content-Type'];
      if (!type) throw new FrameError('frame without Content-Type');
      if (!CONTENT_TYPES.has(type)) throw new FrameError(`unknown Content-Type ${JSON.stringify(type.slice(0, 60))}`);
      const cl = headers['Content-Length'];
      let length = 0;
      if (cl !== undefined) {
        if (!/^\d{1,10}$/.test(cl)) throw new FrameError(`bad Content-Length ${JSON.stringify(cl.slice(0, 20))}`);
        length = Number(cl);
        if (length > this.maxFrameBytes) throw new FrameError(`Content-Length ${length} is over the ${this.maxFrameBytes}-byte limit`);
      }
      this.head = { headers, length, headBytes: end + 2 };
    }
    const { headers, length, headBytes } = this.head;
    if (this.size < headBytes + length) return null;
    const buf = this.joined();
    // A view, not a copy: the buffer is never written to again (new bytes go into new chunks).
    const body = buf.subarray(headBytes, headBytes + length);
    this.consume(headBytes + length);
    this.head = null;
    return { headers, length, body };
  }
}

/**
 * The headers of an event frame's body (json or plain), checked: an event body that does not
 * parse means the frame boundaries are wrong. `_body` holds an event's own body (plain/json).
 * Values of plain events are url-encoded; a bad escape is kept as sent (the frame is whole).
 */
/** The end of a header block, as bytes (a string needle is encoded again on every search). */
const LFLF = Buffer.from('\n\n');

export function decodeEventBody(type: string, body: string | Buffer): Record<string, string> {
  if (type === 'text/event-json') return lazyJsonEvent(body);
  return decodePlainEvent(typeof body === 'string' ? body : body.toString('utf8'));
}

/** A JSON event body parsed whole (what lazyJsonEvent falls back to). */
export function parseJsonEvent(body: string): Record<string, string> {
  {
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch (err) {
      throw new FrameError(`event body is not JSON: ${(err as Error).message}`);
    }
    if (!data || typeof data !== 'object' || Array.isArray(data) || typeof (data as Record<string, unknown>)['Event-Name'] !== 'string') {
      throw new FrameError('JSON event without Event-Name');
    }
    // FreeSWITCH sends every value as a string: the parsed object is used as it is, other values made strings in place.
    const out = data as Record<string, unknown>;
    for (const k in out) if (typeof out[k] !== 'string') out[k] = String(out[k]);
    return out as Record<string, string>;
  }
}

function decodePlainEvent(body: string): Record<string, string> {
  // text/event-plain: a header block, then (with Content-Length) the event's body.
  const end = body.indexOf('\n\n');
  const headText = end < 0 ? body.replace(/\n$/, '') : body.slice(0, end);
  const raw = parseHeaderBlock(headText, 'plain event');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    try {
      out[k] = urlDecode(v);
    } catch {
      out[k] = v;
    }
  }
  if (!out['Event-Name']) throw new FrameError('plain event without Event-Name');
  if (out['Content-Length'] !== undefined) {
    const n = Number(out['Content-Length']);
    const inner = Buffer.from(body.slice(end + 2), 'utf8');
    if (!Number.isInteger(n) || n < 0 || inner.length < n) throw new FrameError('plain event body shorter than its Content-Length');
    out._body = inner.subarray(0, n).toString('utf8');
  }
  return out;
}

/** Distinct headers read one at a time, after which a lazy event is parsed whole (a reader of many headers). */
const LAZY_READS = 10;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * A JSON event as a record whose headers are read from its bytes one at a time, parsed whole only
 * when someone enumerates, changes or reads many of them. FreeSWITCH's events are 4–13 kB of ~300
 * headers (every channel variable); JSON.parse of one is 20–70 µs and builds an object the flow
 * reads three or four values of. The bytes are searched as they were read (a view of the socket's
 * chunk): no 4–13 kB string is made per event (bench:ivr's burst read 53 MB of them, a third of
 * the app's allocations), and a value read is a string of its own (a slice of a whole-body string
 * would keep that body alive for as long as the value is kept: a call id in a map, say).
 * FreeSWITCH writes a flat object of string values (cJSON, unformatted); a header is found as
 * `"Name":` not preceded by a backslash — inside a string every `"` is escaped, so that text can
 * only be a key (the last one wins, as in JSON.parse). In UTF-8 the bytes of `"` and `\` occur
 * only as those characters. Anything else (a value that is not a plain string, an escape in it, an
 * odd name) is read from the whole parse, so a value reads the same either way. The framing check
 * stays strict: the body must be one object (`{…}`: a Content-Length off by one cuts its end or
 * takes the next frame's first byte) with a string Event-Name.
 */
export function lazyJsonEvent(body: string | Buffer): Record<string, string> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let end = bytes.length - 1;
  while (end > 0 && (bytes[end] === 0x0a || bytes[end] === 0x20)) end--;
  if (bytes[0] !== 0x7b || bytes[end] !== 0x7d) throw new FrameError('event body is not one JSON object');
  const state: LazyState = { bytes, parsed: null, seen: null };
  if (typeof readLazy(state, 'Event-Name') !== 'string') throw new FrameError('JSON event without Event-Name');
  return new Proxy(state, LAZY_HANDLER) as unknown as Record<string, string>;
}

/** The bytes of a lazy event, the headers read from them so far, and the whole parse once made. */
interface LazyState {
  bytes: Buffer;
  parsed: Record<string, string> | null;
  seen: Map<string, string | undefined> | null;
}

function parsedOf(t: LazyState): Record<string, string> {
  if (!t.parsed) {
    t.parsed = parseJsonEvent(t.bytes.toString('utf8'));
    t.seen = null;
  }
  return t.parsed;
}

/**
 * `Name":` as bytes (the key without its opening quote: see readLazy), for the names read most (a
 * string needle is encoded again on every search).
 */
const keyNeedles = new Map<string, Buffer>();
function keyNeedle(name: string): Buffer {
  let k = keyNeedles.get(name);
  if (!k) {
    k = Buffer.from(`${name}":`, 'utf8');
    if (keyNeedles.size < 1000) keyNeedles.set(name, k);
  }
  return k;
}

/** A header's value (undefined: none), from the bytes while that is safe, else from the whole parse. */
function readLazy(t: LazyState, name: string): string | undefined {
  if (t.parsed) return t.parsed[name];
  const seen = (t.seen ??= new Map());
  if (seen.has(name)) return seen.get(name);
  if (seen.size >= LAZY_READS || /["\\\x00-\x1f]/.test(name)) return parsedOf(t)[name];
  const bytes = t.bytes;
  // An event's own body is the last member FreeSWITCH writes (after Content-Length): read only when
  // the object ends with it, so that events without one are not searched end to end for it.
  if (name === '_body' && lastKeyOf(bytes) !== '_body') {
    seen.set(name, undefined);
    return undefined;
  }
  const key = keyNeedle(name);
  // `at`: the last occurrence of `"Name":`, as JSON.parse keeps the last. Searched for as `Name":`,
  // each hit checked for the quote before it: the quote is the most frequent byte of a JSON event,
  // and a search for a needle that starts with it stops every few bytes (2.0 µs per header read in a
  // 4.7 kB event, 0.2–0.45 µs this way; bench:ivr's app read 5–6 headers of ~10,000 events per burst).
  // Every occurrence is found (the next search starts one byte on), so the last one is the same.
  let at = -1;
  for (let n = bytes.indexOf(key); n >= 0; n = bytes.indexOf(key, n + 1)) if (bytes[n - 1] === QUOTE) at = n - 1;
  let value: string | undefined;
  if (at >= 0) {
    const from = at + 1 + key.length;
    const to = bytes.indexOf(QUOTE, from + 1);
    // Not a plain string value (a number, an array of values, an escape inside): the whole parse says.
    if (bytes[at - 1] === BACKSLASH || bytes[from] !== QUOTE || to < 0) return parsedOf(t)[name];
    for (let i = from + 1; i < to; i++) if (bytes[i] === BACKSLASH) return parsedOf(t)[name];
    value = bytes.toString('utf8', from + 1, to);
  }
  seen.set(name, value);
  return value;
}

/**
 * The name of an object's last member when its value is a string: found by walking back from the
 * closing brace over the value (its length, not the whole text), then over the key.
 */
export function lastKeyOf(body: string | Buffer): string | null {
  const code = typeof body === 'string' ? (i: number) => body.charCodeAt(i) : (i: number) => body[i];
  let i = body.length - 1;
  while (i > 0 && code(i) !== 0x7d) i--;
  if (code(--i) !== QUOTE) return null;
  // Back to the quote that opens the value: one not escaped (an even run of backslashes before it).
  for (i--; i >= 0; i--) {
    if (code(i) !== QUOTE) continue;
    let slashes = 0;
    while (code(i - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) break;
  }
  if (i < 3 || code(i - 1) !== 0x3a || code(i - 2) !== QUOTE) return null;
  let open = i - 3;
  while (open >= 0 && code(open) !== QUOTE) open--;
  if (open < 0) return null;
  return typeof body === 'string' ? body.slice(open + 1, i - 2) : body.toString('utf8', open + 1, i - 2);
}

/**
 * One handler for every lazy event (no closures per event). The proxy's target is the state, not
 * the record: the record's properties are reported from the text or the whole parse (all
 * configurable), which the invariants of an extensible target allow.
 */
const LAZY_HANDLER: ProxyHandler<LazyState> = {
  // Never a thenable: a record is what a step's promise resolves with, and resolving asks for
  // `then` (which would search the whole text for a header FreeSWITCH does not send).
  // A name that is no header reads as on a plain object (toString, hasOwnProperty…: logging or a check never breaks).
  get: (t, name) => {
    if (name === 'then') return undefined;
    if (typeof name !== 'string' || t.parsed) return Reflect.get(parsedOf(t), name);
    const v = readLazy(t, name);
    return v === undefined && name in Object.prototype ? (Object.prototype as Record<string, unknown>)[name] : v;
  },
  has: (t, name) => (name === 'then' ? false : typeof name === 'string' && !t.parsed ? readLazy(t, name) !== undefined || name in Object.prototype : Reflect.has(parsedOf(t), name)),
  getOwnPropertyDescriptor: (t, name) => {
    if (typeof name !== 'string' || t.parsed) return Reflect.getOwnPropertyDescriptor(parsedOf(t), name);
    const value = readLazy(t, name);
    if (t.parsed) return Reflect.getOwnPropertyDescriptor(t.parsed, name);
    return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
  },
  ownKeys: (t) => Reflect.ownKeys(parsedOf(t)),
  set: (t, name, value) => Reflect.set(parsedOf(t), name, value),
  deleteProperty: (t, name) => Reflect.deleteProperty(parsedOf(t), name),
  defineProperty: (t, name, d) => Reflect.defineProperty(parsedOf(t), name, d),
};
