// The desk as one extension of the hotline: its pages (built by Vite into dist/), its API,
// the login rate limit in front of POST /api/session, and the WebSocket push hub with
// the cross-instance fan-out. Appended to EXTENSIONS in server/extensions.ts.
import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { dbKind } from '../storage/db';
import { listUnits } from '../storage/directory';
import { getTicket } from '../storage/tickets';
import type { Extension, ExtensionFactory, HotlineContext } from '../server/extensions';
import { TicketEvent } from '../workflow/types';
import { deskRoutes } from './api';
import { workListRoutes } from './work-lists';
import { PushHub } from './hub';
import { forgetUserSessions } from '../server/http/auth';
import { Fanout, FanoutMessage, startPgFanout } from './fanout';
import { buildKnowledge, KnowledgeEntry, KnowledgeSource } from './knowledge';
import { knowledgeRoutes } from './knowledge-routes';
import { DESK_DIST } from './build';

async function eventsByIds(ctx: HotlineContext, ids: number[]): Promise<TicketEvent[]> {
  if (!ids.length) return [];
  const rows = await ctx.db('ticket_events').whereIn('id', ids).orderBy('id');
  return rows.map((r) => ({
    id: Number(r.id), ticketId: Number(r.ticket_id), action: r.action, fromStatus: r.from_status ?? null, toStatus: r.to_status, actorId: r.actor_id == null ? null : Number(r.actor_id),
    actorRole: r.actor_role, actorUnit: r.actor_unit ?? null, reason: r.reason ?? null, data: JSON.parse(r.data || '{}'), createdAt: r.created_at,
  }));
}

/** The desk's extension; `hub` is there for the benchmark and tests (connections, delivery). */
export type DeskExtension = Extension & { hub: PushHub };

export const desk: ExtensionFactory = async (ctx): Promise<DeskExtension> => {
  const env = ctx.config;
  const hub = new PushHub({ db: ctx.db, now: ctx.now, log: ctx.log });

  let knowledgeSource: KnowledgeSource = { eventTypes: [], units: [] };
  let knowledge: KnowledgeEntry[] = [];
  const loadKnowledge = async () => {
    const units = await listUnits(ctx.db);
    const types = ctx.routing.eventTypes().map((e) => ctx.routing.eventType(e.code)).filter((e) => e !== null);
    knowledgeSource = { eventTypes: types, units };
    knowledge = buildKnowledge(knowledgeSource);
  };
  await loadKnowledge();

  // Messages from the other servers: re-read the committed ticket here and push it.
  const onRemote = (m: FanoutMessage) => {
    if (m.type === 'ticket') {
      void (async () => {
        const ticket = await getTicket(ctx.db, m.ticketId);
        if (ticket) hub.deliver({ type: 'ticket', ticket, events: await eventsByIds(ctx, m.eventIds) });
      })().catch((e) => ctx.log(`[desk] 读取其他服务器的工单 ${m.ticketId} 失败：${(e as Error).message}`));
    } else if (m.type === 'transcript') {
      void (async () => {
        const r = await ctx.db('speech_transcripts').where({ recording_id: m.recordingId }).first();
        if (!r) return;
        const suggestion = r.caller_text ? ctx.routing.suggest({ text: r.caller_text }) : null;
        hub.deliver({ type: 'transcript', transcript: { recordingId: m.recordingId, callId: r.call_id ?? null, ticketId: r.ticket_id ?? null, text: r.text, callerText: r.caller_text, provider: r.provider, suggestion } });
      })().catch((e) => ctx.log(`[desk] 读取其他服务器的转写 ${m.recordingId} 失败：${(e as Error).message}`));
    } else if (m.type === 'user') {
      forgetUserSessions(m.userId);
      void hub.userChanged(m.userId);
    } else if (m.type === 'call') hub.deliver({ type: 'call', call: m.call });
    else hub.deliver({ type: 'alert', alert: m.alert });
  };
  let fanout: Fanout | null = null;
  if (dbKind(ctx.db) === 'postgres' && env.DESK_FANOUT === 'auto') fanout = await startPgFanout(ctx.db, onRemote, ctx.log);
  const forward = (m: FanoutMessage) => void fanout?.publish(m).catch((e) => ctx.log(`[desk] 推送转发失败：${(e as Error).message}`));

  const off = [
    ctx.bus.on('ticket', ({ ticket, events }) => {
      hub.deliver({ type: 'ticket', ticket, events });
      forward({ type: 'ticket', ticketId: ticket.id, eventIds: events.map((e) => e.id) });
    }),
    ctx.bus.on('call', (call) => {
      hub.deliver({ type: 'call', call });
      forward({ type: 'call', call });
    }),
    ctx.bus.on('alert', (alert) => {
      hub.deliver({ type: 'alert', alert });
      forward({ type: 'alert', alert });
    }),
    ctx.bus.on('user', ({ userId }) => {
      void hub.userChanged(userId);
      forward({ type: 'user', userId });
    }),
    ctx.bus.on('transcript', (transcript) => {
      hub.deliver({ type: 'transcript', transcript });
      forward({ type: 'transcript', recordingId: transcript.recordingId });
    }),
  ];

  const pages = Router();
  pages.get('/', (_req, res) => res.redirect(302, '/desk/'));
  // The built pages: hashed assets cached for good, index.html asked for afresh each time.
  pages.use('/desk/assets', express.static(path.join(DESK_DIST, 'assets'), { immutable: true, maxAge: '365d' }));
  pages.use('/desk', express.static(DESK_DIST, { index: 'index.html', fallthrough: true, maxAge: 0 }));
  pages.get('/desk', (_req, res) => {
    if (fs.existsSync(path.join(DESK_DIST, 'index.html'))) return res.redirect(302, '/desk/');
    res.status(503).type('text/plain; charset=utf-8').send('工作台页面尚未构建：请运行 npm run build:desk（npm start 会自动构建）。\n');
  });

  return {
    name: 'desk' as const,
    rootRouters: [pages],
    apiRouters: [
      deskRoutes({ ctx, wrapUpSeconds: env.DESK_WRAP_UP_SECONDS }),
      workListRoutes(ctx, (code) => (code ? ctx.units().get(code)?.name ?? null : null)),
      knowledgeRoutes({ ctx, catalogue: () => knowledge, source: () => knowledgeSource }),
    ],
    attach: (server) => hub.attach(server),
    close: async () => {
      for (const f of off) f();
      await fanout?.close();
      await hub.close();
    },
    hub,
  } satisfies DeskExtension;
};
