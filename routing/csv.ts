// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines.
// Returns rows of strings; the caller decides what the header means. Fields are
// sliced from the input (not built a character at a time), so a 10 MB file stays small in memory.

export function parseCsv(input: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = input.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = input.length;
  while (i <= n) {
    let field: string;
    if (input[i] === '"') {
      let j = i + 1;
      let parts = '';
      for (;;) {
        const q = input.indexOf('"', j);
        if (q < 0) {
          parts += input.slice(j);
          j = n;
          break;
        }
        parts += input.slice(j, q);
        if (input[q + 1] === '"') {
          parts += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      // Anything between the closing quote and the next separator is kept, as lenient parsers do.
      let k = j;
      while (k < n && input[k] !== ',' && input[k] !== '\n' && input[k] !== '\r') k++;
      field = parts + input.slice(j, k);
      i = k;
    } else {
      let k = i;
      while (k < n && input[k] !== ',' && input[k] !== '\n' && input[k] !== '\r') k++;
      field = input.slice(i, k);
      i = k;
    }
    row.push(field);
    if (i >= n) {
      rows.push(row);
      break;
    }
    if (input[i] === ',') {
      i++;
      if (i === n) {
        row.push('');
        rows.push(row);
        break;
      }
      continue;
    }
    // End of line (\n, \r or \r\n).
    i += input[i] === '\r' && input[i + 1] === '\n' ? 2 : 1;
    rows.push(row);
    row = [];
    if (i === n) break;
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Parse CSV with a header row into objects keyed by the header's names. */
export function parseCsvObjects(input: string): Array<Record<string, string>> {
  const rows = parseCsv(input);
  if (!rows.length) return [];
  const header = rows[0].map((h) => h.trim());
  return rows.slice(1).map((r) => {
    const o: Record<string, string> = {};
    header.forEach((h, k) => {
      o[h] = r[k] ?? '';
    });
    return o;
  });
}
