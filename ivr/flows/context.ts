// What every call flow receives: the call, the application's services, the settings
// that shape the flow, one clock, and where call events go.
import { CallChannel } from '../channel';
import { HotlineServices } from '../services';
import { CallEvent } from '../telephony';

export interface FlowSettings {
  recordingsDir: string;
  queue: string;
  workingHours: string;
  timeZone: string;
  /** Longest message, in seconds. */
  messageMaxS: number;
}

export interface FlowContext {
  channel: CallChannel;
  services: HotlineServices;
  settings: FlowSettings;
  now: () => Date;
  report: (e: CallEvent) => void;
}

export const iso = (ctx: FlowContext): string => ctx.now().toISOString();

/** Recording files are named by kind and call id, so a file always tells which call it belongs to. */
export function recordingPath(ctx: FlowContext, kind: 'call' | 'message' | 'survey_reason'): string {
  return `${ctx.settings.recordingsDir}/${kind}_${ctx.channel.callId}.wav`;
}
