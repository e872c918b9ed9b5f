// AMI framing as Asterisk writes it: "Key: value" lines ending in \r\n, a message ends
// with an empty line. The greeting "Asterisk Call Manager/11.0.0\r\n" is one line alone.

export type AmiBlock = [string, string][];

/** Writes one AMI message: the headers in the given order, then the empty line. */
export function formatBlock(headers: AmiBlock): string {
  return headers.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
}

/** The value of a header (case-insensitive name, first occurrence), or undefined. */
export function header(block: AmiBlock, name: string): string | undefined {
  const n = name.toLowerCase();
  return block.find(([k]) => k.toLowerCase() === n)?.[1];
}

/** Every value of a repeated header (Variable, Output). */
export function headers(block: AmiBlock, name: string): string[] {
  const n = name.toLowerCase();
  return block.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

/**
 * Splits a byte stream into complete messages; keeps the unfinished rest in `rest`.
 * A line without ": " becomes a header with an empty value (as Asterisk itself reads it).
 */
export class BlockReader {
  private rest = '';

  push(chunk: string): AmiBlock[] {
    this.rest += chunk;
    const out: AmiBlock[] = [];
    // The greeting is a single line with no empty line after it.
    const greeting = /^Asterisk Call Manager\/[^\r\n]*\r\n/.exec(this.rest);
    if (greeting) this.rest = this.rest.slice(greeting[0].length);
    for (;;) {
      const end = this.rest.indexOf('\r\n\r\n');
      if (end < 0) break;
      const text = this.rest.slice(0, end);
      this.rest = this.rest.slice(end + 4);
      const block: AmiBlock = [];
      for (const line of text.split('\r\n')) {
        if (!line) continue;
        const at = line.indexOf(':');
        if (at < 0) block.push([line.trim(), '']);
        else block.push([line.slice(0, at).trim(), line.slice(at + 1).replace(/^ /, '')]);
      }
      if (block.length) out.push(block);
    }
    return out;
  }
}
