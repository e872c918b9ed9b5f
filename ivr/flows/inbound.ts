// The hotline call flow, top to bottom as the caller hears it:
//   answer → record the whole call → greeting (working hours or after hours)
//   → short menu: wait = operator (default), 1 = ticket progress, 2 = leave a message
//   → queue; after the configured wait: 1 = leave a message, 2 = call me back.
// A hang-up at any step ends the flow (CallerHungUp); a message recorded before the
// hang-up still becomes a draft ticket.
import { CallStep, CallerHungUp, MessageReason, QueueResult, RecordingFailed } from '../channel';
import { isWorkingTime } from '../hours';
import { statusPromptKey } from '../services';
import { FlowContext, iso, recordingPath } from './context';

export type InboundOutcome =
  | 'answered_by_agent'
  | 'message_left'
  | 'ticket_status_read'
  | 'ticket_not_found'
  | 'callback_registered'
  | 'caller_hung_up'
  | 'no_input';

export async function runInboundCall(ctx: FlowContext): Promise<InboundOutcome> {
  const ch = ctx.channel;
  try {
    await ch.answer();
    const path = recordingPath(ctx, 'call');
    try {
      await ch.recordSession(path);
      ctx.report({ type: 'recording_started', at: iso(ctx), callId: ch.callId, path, kind: 'call' });
    } catch (err) {
      if (!(err instanceof RecordingFailed)) throw err;
      // The caller is served all the same; no recording row may point at a file never written,
      // and the failure is reported (the switch's status, the wallboard).
      ctx.report({ type: 'recording_failed', at: iso(ctx), callId: ch.callId, path, detail: err.detail, kind: 'call' });
    }
    await mark(ctx, 'answered');

    if (!isWorkingTime(ctx.now(), ctx.settings.workingHours, ctx.settings.timeZone, (at) => ctx.services.isWorkingDay(at))) {
      await ch.play('after_hours');
      return await leaveMessage(ctx, 'after_hours');
    }
    // The greeting is interrupted by a menu key: callers who know the menu press at once.
    const choice = await ch.collect({
      intro: 'welcome', prompt: 'menu', min: 1, max: 1, tries: 1, timeoutMs: 4000, pattern: '^[12]$', variable: 'menu_choice',
    });
    if (choice === '1') return await ticketStatus(ctx);
    if (choice === '2') return await leaveMessage(ctx, 'caller_choice');
    return await toOperator(ctx);
  } catch (err) {
    if (err instanceof CallerHungUp) return 'caller_hung_up';
    throw err;
  }
}

/** Where a call left by an app that went away mid-call (killed, restarted) is taken up again. */
export type ResumePoint =
  | { step: 'answered' }
  | { step: 'queue'; result: QueueResult }
  | { step: 'message'; reason: MessageReason }
  | { step: 'done' };

/**
 * A call handed back to the app by the switch after the app went away mid-call: it goes on
 * from its last step, never from the greeting. `answered`: to an operator; `queue`: the
 * caller's wait is over (bridged: the call ends; otherwise message or call back); `message`:
 * the message recorded meanwhile becomes the draft ticket; `done`: goodbye.
 */
export async function resumeInboundCall(ctx: FlowContext, at: ResumePoint): Promise<InboundOutcome> {
  try {
    switch (at.step) {
      case 'answered':
        return await toOperator(ctx);
      case 'queue':
        return await afterQueue(ctx, at.result);
      case 'message':
        return await messageRecorded(ctx, at.reason, recordingPath(ctx, 'message'), null);
      case 'done':
        await goodbye(ctx);
        return 'caller_hung_up';
    }
  } catch (err) {
    if (err instanceof CallerHungUp) return 'caller_hung_up';
    throw err;
  }
}

const mark = async (ctx: FlowContext, step: CallStep, reason?: MessageReason): Promise<void> => {
  await ctx.channel.checkpoint?.(step, reason);
};

async function ticketStatus(ctx: FlowContext): Promise<InboundOutcome> {
  const ch = ctx.channel;
  const number = await ch.collect({
    prompt: 'ticket_number', min: 12, max: 12, tries: 3, timeoutMs: 10000, pattern: '^\\d{12}$', variable: 'ticket_number',
  });
  if (number === null) {
    await goodbye(ctx);
    return 'no_input';
  }
  const found = await ctx.services.ticketStatusByNumber(number, ch.caller);
  ctx.report({ type: 'ticket_status_query', at: iso(ctx), callId: ch.callId, caller: ch.caller, ticketNumber: number, found: !!found });
  await ch.play(found ? statusPromptKey(found.status) : 'ticket_not_found');
  await goodbye(ctx);
  return found ? 'ticket_status_read' : 'ticket_not_found';
}

async function toOperator(ctx: FlowContext): Promise<InboundOutcome> {
  const ch = ctx.channel;
  await ch.play('queue_wait');
  await ch.setVariable('hangup_after_bridge', 'true');
  await mark(ctx, 'queue');
  return afterQueue(ctx, await ch.enterQueue(ctx.settings.queue));
}

/** The caller left the queue: bridged (wait for the end), or the wait is over (message or call back). */
async function afterQueue(ctx: FlowContext, r: QueueResult): Promise<InboundOutcome> {
  const ch = ctx.channel;
  if (r.bridged) {
    await ch.ended();
    return 'answered_by_agent';
  }
  const choice = await ch.collect({
    prompt: 'overflow', min: 1, max: 1, tries: 2, timeoutMs: 5000, pattern: '^[12]$', variable: 'overflow_choice',
  });
  if (choice === '1') return leaveMessage(ctx, 'overflow');
  // "2", or no answer: the caller waited long enough; an operator calls back.
  return callBack(ctx);
}

/** The caller goes on the call-back list and hears so. */
async function callBack(ctx: FlowContext): Promise<InboundOutcome> {
  const ch = ctx.channel;
  await ctx.services.addToCallbackList({ callerPhone: ch.caller, callId: ch.callId, at: iso(ctx), reason: 'requested' });
  await mark(ctx, 'done');
  await ch.play('callback_registered');
  await goodbye(ctx);
  return 'callback_registered';
}

async function leaveMessage(ctx: FlowContext, reason: MessageReason): Promise<InboundOutcome> {
  const ch = ctx.channel;
  if (reason !== 'after_hours') await ch.play('message_prompt');
  await mark(ctx, 'message', reason);
  const path = recordingPath(ctx, 'message');
  ctx.report({ type: 'recording_started', at: iso(ctx), callId: ch.callId, path, kind: 'message' });
  let hungUp: CallerHungUp | null = null;
  try {
    await ch.recordMessage(path, ctx.settings.messageMaxS);
  } catch (err) {
    if (err instanceof RecordingFailed) {
      // Nothing was recorded: never a draft ticket pointing at a file that does not exist.
      ctx.report({ type: 'recording_failed', at: iso(ctx), callId: ch.callId, path, detail: err.detail });
      return messageFailed(ctx, reason);
    }
    // Most callers hang up when they have said what they wanted: the message still counts.
    if (!(err instanceof CallerHungUp)) throw err;
    hungUp = err;
  }
  return messageRecorded(ctx, reason, path, hungUp);
}

/** A recorded message becomes a draft ticket (even when the caller hung up while speaking). */
async function messageRecorded(ctx: FlowContext, reason: MessageReason, path: string, hungUp: CallerHungUp | null): Promise<InboundOutcome> {
  const ch = ctx.channel;
  const draft = await ctx.services.createDraftTicket({
    reason, callerPhone: ch.caller, callId: ch.callId, recordingPath: path, receivedAt: iso(ctx),
  });
  ctx.report({ type: 'message_left', at: iso(ctx), callId: ch.callId, caller: ch.caller, path, ticketId: draft.ticketId, ticketNumber: draft.ticketNumber });
  if (hungUp) throw hungUp;
  await mark(ctx, 'done');
  await ch.play('message_saved');
  await goodbye(ctx);
  return 'message_left';
}

/** The message could not be recorded: in working hours an operator takes the call, otherwise an operator calls back. */
async function messageFailed(ctx: FlowContext, reason: MessageReason): Promise<InboundOutcome> {
  if (reason === 'caller_choice') return toOperator(ctx);
  return callBack(ctx);
}

async function goodbye(ctx: FlowContext): Promise<void> {
  await ctx.channel.play('goodbye');
  await ctx.channel.hangup('NORMAL_CLEARING');
}
