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
  for (let pos = 0; ;) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const line = text.slice(pos, eol);
    if (line === '') throw new FrameError(`${where}: empty header line`);
    const at = line.indexOf(':');
    if (at <= 0 || !isHeaderName(line, at)) throw new FrameError(`${where}: not a header line: ${JSON.stringify(line.slice(0, 60))}`);
    // "Name: value"; FreeSWITCH writes one space after the colon, and nothing for an empty value.
    headers[line.slice(0, at)] = line.slice(line.charCodeAt(at + 1) === 0x20 ? at + 2 : at + 1);
    if (eol === text.length) return headers;
    pos = eol + 1;
  }
}

/** The name (line up to `at`) has no white space or control character. */
function isHeaderName(line: string, at: number): boolean {
  for (let i = 0; i < at; i++) {
    const c = line.charCodeAt(i);
    // Printable ASCII is never white space; anything else is checked as the pattern says.
    if (c <= 0x20 || c >= 0x7f) return !/[\s\x00-\x1f]/.test(line.slice(0, at));
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

export function decodeEventBody(type: string, body: string): Record<string, string> {
  if (type === 'text/event-json') {
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
