// Finding an option by what an operator types: the characters, the pinyin initials
// (「gjj」 → 公积金), or the full pinyin without tones (「gongjijin」).
import { pinyin } from 'pinyin-pro';

const cache = new Map<string, { initials: string; full: string }>();

function keysOf(text: string): { initials: string; full: string } {
  let k = cache.get(text);
  if (!k) {
    const syllables = pinyin(text, { toneType: 'none', type: 'array', nonZh: 'consecutive' }) as string[];
    k = { initials: syllables.map((s) => s[0] ?? '').join('').toLowerCase(), full: syllables.join('').toLowerCase() };
    cache.set(text, k);
  }
  return k;
}

/** Whether the typed query finds this label (empty query: everything). */
export function matches(label: string, query: string): boolean {
  const q = query.trim().toLowerCase().replace(/\s+/g, '');
  if (!q) return true;
  if (label.toLowerCase().includes(q)) return true;
  if (!/^[a-z]+$/.test(q)) return false;
  const k = keysOf(label);
  return k.initials.includes(q) || k.full.includes(q);
}
