// The ticket text index (search in title, content and address). Chinese has no spaces
// and most searches are two characters (路灯, 噪音, 物业), which a trigram index cannot
// serve; so the text is indexed as overlapping character pairs (bigrams, as CJK search
// engines do) and a search is a phrase of the query's pairs: consecutive pairs = the
// query's characters in a row, an exact substring match of the normalized text.
// SQLite: an FTS5 table of pairs (rowid = ticket id). PostgreSQL: a tsvector of pairs with
// their positions (body unweighted, address weight A) under a GIN index; built here from
// text, so the database's locale and parser play no part.

/** Letters and digits only, full-width folded to half-width, lower case. */
export function normalizeForSearch(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Overlapping pairs of characters (code points) of normalized text; one character gives itself. */
export function bigrams(normalized: string): string[] {
  const cps = Array.from(normalized);
  if (cps.length < 2) return cps;
  const out: string[] = new Array(cps.length - 1);
  for (let i = 0; i < cps.length - 1; i++) out[i] = cps[i] + cps[i + 1];
  return out;
}

/** The shortest query the index can answer (in characters after normalization). */
export const MIN_QUERY_CHARS = 2;

export interface SearchDoc { body: string; addr: string }

export function searchDoc(t: { title: string | null; content: string; address: string | null }): SearchDoc {
  return {
    body: bigrams(normalizeForSearch(`${t.title ?? ''}${t.content}`)).join(' '),
    addr: bigrams(normalizeForSearch(t.address ?? '')).join(' '),
  };
}

// PostgreSQL: positions 1…16383; a lexeme keeps at most 256 positions (more are refused).
const PG_MAX_POS = 16383;
const ADDR_OFFSET = 10000;

/** The tsvector literal of a ticket's text (pairs contain letters and digits only: nothing to quote). */
export function pgTsvector(d: SearchDoc): string {
  const positions = new Map<string, string[]>();
  const add = (grams: string, offset: number, weight: string) => {
    if (!grams) return;
    grams.split(' ').forEach((g, i) => {
      const pos = offset + i + 1;
      if (pos > PG_MAX_POS) return;
      let list = positions.get(g);
      if (!list) positions.set(g, (list = []));
      if (list.length < 256) list.push(`${pos}${weight}`);
    });
  };
  add(d.body, 0, '');
  add(d.addr, ADDR_OFFSET, 'A');
  return [...positions].map(([g, p]) => `'${g}':${p.join(',')}`).join(' ');
}

export type SearchField = 'body' | 'addr';

/** The pairs of a query, or null when it is too short to search. */
export function queryGrams(q: string): string[] | null {
  const n = normalizeForSearch(q);
  if (Array.from(n).length < MIN_QUERY_CHARS) return null;
  return bigrams(n);
}

/** FTS5 MATCH text: every field's phrase must be there. */
export function ftsMatch(terms: Array<{ field: SearchField; grams: string[] }>): string {
  return terms.map((t) => `${t.field} : "${t.grams.join(' ')}"`).join(' AND ');
}

/** tsquery text: each field a phrase of pairs (address pairs carry weight A, body pairs D). */
export function pgTsquery(terms: Array<{ field: SearchField; grams: string[] }>): string {
  return terms.map((t) => `(${t.grams.map((g) => `'${g}':${t.field === 'addr' ? 'A' : 'D'}`).join(' <-> ')})`).join(' & ');
}
