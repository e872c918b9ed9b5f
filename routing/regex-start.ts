// The characters a regular expression's match must begin with, read from its source when that is
// plain enough to be sure of (a literal, a class of literals, a group of alternatives that each
// begin so; zero-width lookarounds before them skipped), else null. A text with none of those
// characters cannot match, so the regex need not be run on it (kind.ts: about thirty shapes per
// appeal, most of which cannot match).

/** The UTF-16 units a match of `re` must start with, or null when the source is not plain enough to tell. */
export function firstUnits(re: RegExp): number[] | null {
  if (re.flags.includes('i') || re.flags.includes('u') || re.flags.includes('v') || re.flags.includes('x')) return null;
  const out = new Set<number>();
  return alternatives(re.source, 0, re.source.length, out) ? [...out].sort((a, b) => a - b) : null;
}

/** Characters with a meaning in a pattern (outside a class). */
const SPECIAL = new Set([...'\\^$.|?*+()[]{}']);

/** The end (exclusive) of the group or class that opens at `i`, or -1. */
function closing(src: string, i: number): number {
  if (src[i] === '[') {
    for (let j = i + 1; j < src.length; j++) {
      if (src[j] === '\\') j++;
      else if (src[j] === ']') return j + 1;
    }
    return -1;
  }
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === '[') {
      const e = closing(src, j);
      if (e < 0) return -1;
      j = e - 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j + 1;
  }
  return -1;
}

/** Adds the first units of every alternative of src[a, b) to `out`; false when any is not plain. */
function alternatives(src: string, a: number, b: number, out: Set<number>): boolean {
  let start = a;
  for (let j = a; j <= b; j++) {
    if (j === b || src[j] === '|') {
      if (!alternative(src, start, j, out)) return false;
      start = j + 1;
      continue;
    }
    if (src[j] === '\\') j++;
    else if (src[j] === '(' || src[j] === '[') {
      const e = closing(src, j);
      if (e < 0 || e > b) return false;
      j = e - 1;
    }
  }
  return true;
}

/** Whether the atom ending at `e` is followed by a quantifier that lets it match nothing (?, *, {0…}). */
function optional(src: string, e: number, b: number): boolean {
  if (e >= b) return false;
  const q = src[e];
  return q === '?' || q === '*' || (q === '{' && /^\{0[,}]/.test(src.slice(e, b)));
}

/** Adds the first units of one alternative src[a, b) to `out`; false when they cannot be told. */
function alternative(src: string, a: number, b: number, out: Set<number>): boolean {
  let i = a;
  // Zero-width lookarounds consume nothing: the match begins with what follows them.
  while (i < b && (src.startsWith('(?<!', i) || src.startsWith('(?<=', i) || src.startsWith('(?=', i) || src.startsWith('(?!', i))) {
    const e = closing(src, i);
    if (e < 0 || e > b) return false;
    i = e;
    if (i < b && (src[i] === '?' || src[i] === '*' || src[i] === '+' || src[i] === '{')) return false;
  }
  if (i >= b) return false; // an empty alternative (or nothing but lookarounds) matches the empty string
  const c = src[i];
  if (c === '(') {
    const e = closing(src, i);
    if (e < 0 || e > b || optional(src, e, b)) return false;
    let inner = i + 1;
    if (src.startsWith('?:', inner)) inner += 2;
    else if (src[inner] === '?') return false; // a named group or another construct
    return alternatives(src, inner, e - 1, out);
  }
  if (c === '[') {
    const e = closing(src, i);
    if (e < 0 || e > b || optional(src, e, b)) return false;
    const body = src.slice(i + 1, e - 1);
    if (!body || body[0] === '^' || body.includes('\\') || body.includes('-')) return false;
    for (let k = 0; k < body.length; k++) out.add(body.charCodeAt(k));
    return true;
  }
  if (SPECIAL.has(c)) return false;
  if (optional(src, i + 1, b)) return false;
  const u = src.charCodeAt(i);
  if (u >= 0xd800 && u <= 0xdfff) return false;
  out.add(u);
  return true;
}
