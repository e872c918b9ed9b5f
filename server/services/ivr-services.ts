// What the IVR needs from the application (ivr/services.ts), on top of the ticket
// lifecycle: voice messages become draft tickets, callers hear their ticket's status,
// survey answers go to the return-visit service, abandoned callers to the call-back list.
import { Knex } from 'knex';
import type { HotlineServices } from '../../ivr/services';
import { TicketService } from './tickets';
import { VisitService } from './visits';
import { addCallback } from '../../storage/visits';
import { getTicketByNumber } from '../../storage/tickets';
import { normalizePhone } from '../../workflow/phone';
import type { ClockPolicy } from '../../workflow/clocks';

const REASONS = { after_hours: '非工作时间留言', overflow: '排队超时留言', caller_choice: '来电者选择留言' } as const;

export function hotlineServices(o: { db: Knex; tickets: TicketService; visits: VisitService; policy: () => ClockPolicy }): HotlineServices {
  return {
    async createDraftTicket(req) {
      const phone = normalizePhone(req.callerPhone);
      const { ticket } = await o.tickets.create(
        {
          channel: 'hotline',
          // Provisional: the operator who listens to the message sets the kind when completing the draft.
          kind: 'complaint',
          draft: true,
          title: REASONS[req.reason],
          content: `语音留言（${REASONS[req.reason]}），待接线员听取录音后补全诉求内容。`,
          citizenPhone: phone.ok ? phone.normalized : null,
          callId: req.callId,
        },
        { id: null, role: 'system', unit: 'center' },
        { idempotencyKey: `message:${req.callId}`, scope: 'ivr' },
      );
      await o.db('recordings').where({ path: req.recordingPath }).update({ ticket_id: ticket.id });
      await o.db('calls').where({ id: req.callId }).update({ ticket_id: ticket.id });
      return { ticketId: ticket.id, ticketNumber: ticket.number };
    },

    async ticketStatusByNumber(number) {
      if (!/^\d{8,16}$/.test(number)) return null;
      const t = await getTicketByNumber(o.db, number);
      return t ? { status: t.status } : null;
    },

    recordSurveyAnswer: (a) => o.visits.recordSurveyAnswer(a),

    async addToCallbackList(req) {
      await addCallback(o.db, { caller: req.callerPhone, callId: req.callId, reason: req.reason, at: req.at });
    },

    // The calendar in force: a schedule loaded by an administrator reaches the greeting at once.
    isWorkingDay: (at) => o.policy().calendar.isWorkingDay(at),
  };
}
