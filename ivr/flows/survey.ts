// The return-visit survey, on a call the dialer placed and the callee answered:
//   question: 1 = satisfied, 2 = basically satisfied, 3 = unsatisfied
//   → the answer is stored the moment the digit arrives → the answer is confirmed
//   → for "unsatisfied", an optional recorded reason → thanks → hang up.
import { CallerHungUp, RecordingFailed } from '../channel';
import { SurveyOutcome } from '../telephony';
import { FlowContext, iso, recordingPath } from './context';

export const SURVEY_DIGITS: Record<string, SurveyOutcome> = {
  '1': 'satisfied',
  '2': 'basically_satisfied',
  '3': 'unsatisfied',
};

const CONFIRM = {
  satisfied: 'survey_confirm_satisfied',
  basically_satisfied: 'survey_confirm_basically_satisfied',
  unsatisfied: 'survey_confirm_unsatisfied',
} as const;

export interface SurveyCallInfo {
  ticketId: number;
  attempt: number;
}

export async function runSurveyCall(ctx: FlowContext, info: SurveyCallInfo): Promise<SurveyOutcome> {
  const ch = ctx.channel;
  let stored: SurveyOutcome | null = null;
  const store = async (outcome: SurveyOutcome, digit: string | null, reasonRecordingPath?: string) => {
    await ctx.services.recordSurveyAnswer({
      ticketId: info.ticketId, attempt: info.attempt, callId: ch.callId, outcome, digit, answeredAt: iso(ctx), reasonRecordingPath,
    });
    ctx.report({ type: 'survey_result', at: iso(ctx), callId: ch.callId, ticketId: info.ticketId, attempt: info.attempt, outcome, digit });
    stored = outcome;
  };
  try {
    await ch.answer();
    const digit = await ch.collect({
      prompt: 'survey_question', min: 1, max: 1, tries: 2, timeoutMs: 6000, pattern: '^[123]$', variable: 'survey_answer',
    });
    if (digit === null) {
      await store('no_input', null);
      await ch.play('goodbye');
      await ch.hangup('NORMAL_CLEARING');
      return 'no_input';
    }
    const outcome = SURVEY_DIGITS[digit];
    await store(outcome, digit);
    await ch.setVariable('return_visit_result', outcome);
    await ch.play(CONFIRM[outcome as keyof typeof CONFIRM]);
    if (outcome === 'unsatisfied') {
      await ch.play('survey_reason');
      const path = recordingPath(ctx, 'survey_reason');
      ctx.report({ type: 'recording_started', at: iso(ctx), callId: ch.callId, path, kind: 'survey_reason' });
      let recorded = true;
      try {
        await ch.recordMessage(path, 60);
      } catch (err) {
        if (!(err instanceof RecordingFailed)) throw err;
        // The reason is optional; a file that was never written is not stored as one.
        recorded = false;
        ctx.report({ type: 'recording_failed', at: iso(ctx), callId: ch.callId, path, detail: err.detail });
      } finally {
        // Stored even if the callee hangs up while speaking: the reason is optional, the file is not lost.
        if (recorded) {
          await ctx.services.recordSurveyAnswer({
            ticketId: info.ticketId, attempt: info.attempt, callId: ch.callId, outcome, digit, answeredAt: iso(ctx), reasonRecordingPath: path,
          });
        }
      }
    }
    await ch.play('survey_thanks');
    await ch.hangup('NORMAL_CLEARING');
    return outcome;
  } catch (err) {
    if (!(err instanceof CallerHungUp)) throw err;
    if (stored) return stored;
    await store('hung_up', null);
    return 'hung_up';
  }
}
