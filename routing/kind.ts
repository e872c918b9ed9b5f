// Appeal kind (咨询 / 投诉 / 求助 / 举报 / 建议) from cue words. The training data
// carries no kind labels, so this is a transparent rule set rather than a model;
// the operator sees the cue and corrects the kind when it is wrong.
import type { AppealKind } from '../workflow/types';

const CUES: Record<AppealKind, Array<[string, number]>> = {
  consult: [
    ['咨询', 3], ['请问', 3], ['想问', 3], ['想了解', 3], ['问一下', 3], ['怎么办理', 3], ['如何办理', 3], ['需要什么', 2],
    ['什么手续', 2], ['什么材料', 2], ['在哪里办', 2], ['能否', 1], ['是否', 1], ['多久', 1], ['什么时候', 1], ['怎么申请', 2], ['政策', 1], ['吗', 1],
  ],
  complaint: [
    ['投诉', 3], ['扰民', 2], ['严重影响', 2], ['不作为', 2], ['态度差', 2], ['态度很差', 2], ['不给', 1], ['拖欠', 1], ['不处理', 2],
    ['没人管', 2], ['无人管', 2], ['乱收费', 2], ['坏了', 1], ['不退', 1], ['噪音', 1], ['推诿', 2],
  ],
  help_request: [
    ['求助', 3], ['帮帮', 3], ['帮忙', 2], ['救助', 2], ['困难', 1], ['走投无路', 3], ['没有办法', 1], ['救命', 3], ['被困', 2], ['急需', 2],
  ],
  report: [
    ['举报', 4], ['偷排', 2], ['非法', 1], ['违法', 1], ['私自', 1], ['无证', 1], ['黑诊所', 2], ['赌博', 2], ['传销', 2], ['造假', 2], ['贿选', 2],
  ],
  suggestion: [
    ['建议', 3], ['提议', 3], ['希望增设', 3], ['希望增加', 3], ['能不能增加', 3], ['应该增设', 3], ['设立', 1], ['增设', 2], ['增开', 2], ['意见', 1],
  ],
};

export interface KindGuess {
  kind: AppealKind;
  /** The cue words found, for the operator. */
  cues: string[];
  /** No cue at all: the default (complaint, the most common kind) was used. */
  defaulted: boolean;
}

const KINDS = Object.keys(CUES) as AppealKind[];

export function guessKind(text: string): KindGuess {
  let best: AppealKind = 'complaint';
  let bestScore = 0;
  let bestCues: string[] = [];
  for (const kind of KINDS) {
    let score = 0;
    const cues: string[] = [];
    for (const [w, s] of CUES[kind]) {
      if (text.includes(w)) {
        score += s;
        cues.push(w);
      }
    }
    if (score > bestScore) {
      best = kind;
      bestScore = score;
      bestCues = cues;
    }
  }
  return { kind: best, cues: bestCues, defaulted: bestScore === 0 };
}
