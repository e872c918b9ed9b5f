// Same issue (并案): a new appeal that describes the same thing at the same place
// as an open ticket of the last days is suggested for linking instead of a new
// dispatch (many callers about one burst pipe). Pure over rows the caller passes in.
import { normalize, tokenize } from './text';

export interface OpenTicket {
  id: number;
  number: string;
  eventType: string | null;
  town: string | null;
  address: string | null;
  content: string;
  /** ISO 8601. */
  acceptedAt: string;
}

export interface NewAppeal {
  title?: string;
  text: string;
  address?: string | null;
  eventType?: string | null;
  town?: string | null;
}

export interface SameIssueOptions {
  /** ISO 8601 "now" (default: the newest acceptedAt among the tickets). */
  now?: string;
  /** Only tickets accepted within this many days (default 3). */
  windowDays?: number;
  /** Minimum score to suggest linking (default 0.45). */
  minScore?: number;
}

export interface SameIssueMatch {
  id: number;
  number: string;
  score: number;
  /** Why, in words for the operator. */
  reason: string;
}

function bigrams(s: string): Set<string> {
  const out = new Set<string>();
  const t = s.replace(/[\s，。、！？,.!?；;：:（）()]/g, '');
  for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2));
  return out;
}

function dice<T>(a: Set<T>, b: Set<T>): number {
  if (!a.size || !b.size) return 0;
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return (2 * n) / (a.size + b.size);
}

/** Open tickets that are probably the same issue, best first. Bad rows are skipped, never thrown on. */
export function findSameIssue(appeal: NewAppeal, openTickets: readonly OpenTicket[], options: SameIssueOptions = {}): SameIssueMatch[] {
  const text = normalize(`${appeal?.title ?? ''} ${appeal?.text ?? ''}`);
  if (!text || !Array.isArray(openTickets)) return [];
  const words = new Set(tokenize(text));
  const place = bigrams(normalize(appeal.address ?? '') || text);
  const times = openTickets.map((t) => Date.parse(t?.acceptedAt)).filter((x) => Number.isFinite(x));
  const now = options.now ? Date.parse(options.now) : times.length ? Math.max(...times) : NaN;
  if (!Number.isFinite(now)) return [];
  const since = now - (options.windowDays ?? 3) * 86400000;
  const minScore = options.minScore ?? 0.45;
  const out: SameIssueMatch[] = [];
  for (const t of openTickets) {
    const at = Date.parse(t?.acceptedAt);
    if (!Number.isFinite(at) || at < since || at > now || typeof t.content !== 'string') continue;
    if (appeal.eventType && t.eventType && appeal.eventType !== t.eventType) continue;
    if (appeal.town && t.town && appeal.town !== t.town) continue;
    const textSim = dice(words, new Set(tokenize(normalize(t.content))));
    const addressSim = dice(place, bigrams(normalize(t.address ?? '') || normalize(t.content)));
    const sameTown = !!(appeal.town && t.town && appeal.town === t.town);
    const placeSim = Math.max(addressSim, sameTown ? 0.4 : 0);
    const sameType = !!(appeal.eventType && appeal.eventType === t.eventType);
    const score = 0.5 * textSim + 0.35 * placeSim + (sameType ? 0.15 : 0);
    if (score < minScore) continue;
    const why = [`内容相似 ${Math.round(textSim * 100)}%`, `地点相似 ${Math.round(addressSim * 100)}%`];
    if (sameTown) why.push('同一镇街');
    if (sameType) why.push('同一事项类型');
    out.push({ id: t.id, number: t.number, score: Math.round(score * 1000) / 1000, reason: `建议并案到工单 ${t.number}：${why.join('，')}` });
  }
  return out.sort((a, b) => b.score - a.score || a.id - b.id);
}
