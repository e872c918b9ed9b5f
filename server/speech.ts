// Speech at start-up: transcription jobs for every recording and message, emergencies
// (the routing engine's triage over the transcript and over each spotted word) raising
// the ticket to emergency, transcripts pushed to the desk with a fresh routing
// suggestion beside the operator's choice (never replacing it).
import {
  parseSpeechConfig, speechStatus, createSpeechProvider, createConfiguredSpotter, workerSettings,
  startSpeechWorker, enqueueTranscription,
} from '../ivr/speech';
import { ExtensionFactory } from './extensions';
import { TransitionRefused } from '../workflow/errors';

export const speech: ExtensionFactory = async (ctx) => {
  const cfg = parseSpeechConfig(process.env);
  // Said once per start, in the server's log (e.g. that no offline model is installed).
  for (const line of speechStatus(cfg).messages) ctx.log(line);
  const provider = await createSpeechProvider(cfg);
  const kws = createConfiguredSpotter(cfg);
  const worker = startSpeechWorker({
    db: ctx.db,
    provider,
    kws,
    ...workerSettings(cfg),
    // The routing engine's emergency triage reads the transcript and each spotted word.
    triage: (text) => ctx.routing.triage(text),
    onTranscript: async (e) => {
      const suggestion = e.callerText.trim() ? ctx.routing.suggest({ text: e.callerText }) : null;
      ctx.bus.emit('transcript', { recordingId: e.recordingId, callId: e.callId, ticketId: e.ticketId, text: e.text, callerText: e.callerText, provider: e.provider, suggestion });
    },
    onEmergency: async (e) => {
      ctx.bus.emit('alert', { kind: 'emergency_word', keyword: e.keyword, ticketId: e.ticketId, callId: e.callId, at: e.at });
      if (e.ticketId === null) return;
      try {
        await ctx.tickets.transition(e.ticketId, { id: null, role: 'system', unit: null }, { action: 'raise_urgency', reason: `录音中识别到紧急情况：${e.keyword}` });
      } catch (err) {
        // Already an emergency, or closed: the alert stands, the ticket needs no change.
        if (!(err instanceof TransitionRefused)) throw err;
      }
    },
  });
  const off = ctx.bus.on('call', (e) => {
    if (e.type !== 'recording_ended') return;
    void ctx.db('recordings')
      .where({ path: e.path })
      .first()
      .then((row) => (row ? enqueueTranscription(ctx.db, { recordingId: Number(row.id) }) : undefined))
      .catch((err) => ctx.log(`[speech] 录音 ${e.path} 未能排入转写队列：${err instanceof Error ? err.message : err}`));
  });
  return {
    name: 'speech',
    close: async () => {
      off();
      await worker.stop();
    },
  };
};
