// An in-memory HotlineServices for the IVR suites: it keeps what the IVR asked for,
// so a test can check that a message became a draft ticket or that an answer was stored.
import { DraftTicketRequest, HotlineServices, SurveyAnswer } from '../../ivr/services';
import { WorkingCalendar } from '../../workflow/calendar';

export class InMemoryHotline implements HotlineServices {
  drafts: (DraftTicketRequest & { ticketId: number; ticketNumber: string })[] = [];
  answers: SurveyAnswer[] = [];
  callbacks: { callerPhone: string; callId: string; at: string; reason: string }[] = [];
  tickets = new Map<string, { status: string }>();
  private seq = 0;

  /** The PRC calendar as the server builds it by default; a test may put its own. */
  constructor(public calendar = new WorkingCalendar()) {}

  async createDraftTicket(req: DraftTicketRequest) {
    const ticketId = ++this.seq;
    const ticketNumber = `20261123${String(ticketId).padStart(4, '0')}`;
    this.drafts.push({ ...req, ticketId, ticketNumber });
    return { ticketId, ticketNumber };
  }

  async ticketStatusByNumber(number: string) {
    return this.tickets.get(number) ?? null;
  }

  async recordSurveyAnswer(a: SurveyAnswer) {
    this.answers.push(a);
  }

  async addToCallbackList(req: { callerPhone: string; callId: string; at: string; reason: 'abandoned' | 'requested' }) {
    this.callbacks.push(req);
  }

  isWorkingDay(at: Date) {
    return this.calendar.isWorkingDay(at);
  }
}
