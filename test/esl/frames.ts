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

/** An event frame in the connection's current format; `body` is the event's own body (BACKGROUND_JOB). */
export function eventFrame(format: EventFormat, headers: Headers, body?: string): string {
  let inner: string;
  if (format === 'json') {
    const o: Record<string, string> = { ...headers };
    if (body !== undefined) {
      o['Content-Length'] = String(Buffer.byteLength(body));
      o._body = body;
    }
    inner = JSON.stringify(o);
  } else if (format === 'plain') {
    inner = Object.entries(headers).map(([k, v]) => `${k}: ${fsEncode(v)}\n`).join('');
    inner += body !== undefined ? `Content-Length: ${Buffer.byteLength(body)}\n\n${body}` : '\n';
  } else {
    inner = '<event>\n  <headers>\n';
    for (const [k, v] of Object.entries(headers)) inner += `    <${k}>${fsEncode(v)}</${k}>\n`;
    inner += '  </headers>\n';
    if (body !== undefined) inner += `  <Content-Length>${Buffer.byteLength(body)}</Content-Length>\n  <body>${xmlEscape(body)}</body>\n`;
    inner += '</event>';
  }
  const type = `text/event-${format}`;
  return `Content-Length: ${Buffer.byteLength(inner)}\nContent-Type: ${type}\n\n${inner}`;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The outbound `connect` reply: a command/reply whose headers are the CHANNEL_DATA event. */
export function channelDataReply(headers: Headers): string {
  let s = '';
  for (const [k, v] of Object.entries(headers)) s += `${k}: ${fsEncode(v)}\n`;
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
export class FrameReader {
  private buf = Buffer.alloc(0);

  push(chunk: Buffer | string): ParsedFrame[] {
    this.buf = Buffer.concat([this.buf, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    const out: ParsedFrame[] = [];
    for (;;) {
      const end = this.buf.indexOf('\n\n');
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
