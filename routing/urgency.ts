// Emergency triggers: words that make a matter an emergency (facts and feedback
// within 1 hour) whatever its type; the catalogue adds per-type triggers.
import { PhraseMatcher } from './phrases';

/** Triggers that hold for any event type. */
export const GENERAL_TRIGGERS = [
  '燃气泄漏', '煤气泄漏', '天然气泄漏', '闻到煤气味', '闻到燃气味', '液化气泄漏', '着火', '起火', '失火', '火灾', '大火', '爆炸',
  '坍塌', '倒塌', '塌方', '垮塌', '被困', '困在电梯', '电梯困人', '困人', '洪水', '决堤', '溃坝', '漫堤', '被淹', '倒灌',
  '触电', '电线断落', '高压线断', '中毒', '有人受伤', '伤亡', '昏迷', '跳楼', '轻生', '持刀', '医院停电', '医院停水',
];

const GENERAL = new Set(GENERAL_TRIGGERS);

/** Words just before a trigger that deny or only fear it ("没有着火", "担心倒塌"). */
const NEGATIONS = ['没有', '没', '不是', '未', '无', '防止', '预防', '以防', '避免', '担心', '怕', '可能'];
/** Words just after a trigger that make it a risk, not an event ("火灾隐患"). */
const RISK_AFTER = ['隐患', '风险', '危险', '演练', '预案'];

export interface UrgencyHit {
  emergency: boolean;
  triggers: string[];
}

export class EmergencyDetector {
  private readonly matcher: PhraseMatcher;
  private readonly byType: Map<string, Set<string>>;

  constructor(typeTriggers: Map<string, readonly string[]>) {
    this.byType = new Map([...typeTriggers].map(([code, t]) => [code, new Set(t)]));
    this.matcher = new PhraseMatcher([...GENERAL_TRIGGERS, ...[...typeTriggers.values()].flat()]);
  }

  /** Triggers heard in the text: general ones, and those of the given event types. */
  find(text: string, eventTypes: readonly string[]): UrgencyHit {
    const general = GENERAL;
    const found = new Set<string>();
    for (const h of this.matcher.find(text)) {
      const relevant = general.has(h.phrase) || eventTypes.some((c) => this.byType.get(c)?.has(h.phrase));
      if (!relevant) continue;
      const before = text.slice(Math.max(0, h.index - 3), h.index);
      if (NEGATIONS.some((n) => before.includes(n))) continue;
      const after = text.slice(h.index + h.phrase.length, h.index + h.phrase.length + 2);
      if (RISK_AFTER.includes(after)) continue;
      found.add(h.phrase);
    }
    return { emergency: found.size > 0, triggers: [...found] };
  }
}
