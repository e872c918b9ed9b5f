// Plain data shapes of the ticket domain. No I/O here: storage, HTTP and the
// switch adapters convert to and from these.

export const CHANNELS = [
  'hotline', // 民声热线
  'gov_service_hotline', // 政务服务热线
  'urban_hotline', // 城管热线
  'mayor_mailbox', // 书记市长信箱
  'web', // 热线网站
  'photo_report', // 随手拍
  'grid_report', // 网格上报
] as const;
export type Channel = (typeof CHANNELS)[number];

export const APPEAL_KINDS = ['consult', 'complaint', 'help_request', 'report', 'suggestion'] as const;
export type AppealKind = (typeof APPEAL_KINDS)[number];

/** Deadline class: emergency = facts and feedback in 1 hour; general = 3 working days; complex = 5. */
export const URGENCY_CLASSES = ['emergency', 'general', 'complex'] as const;
export type UrgencyClass = (typeof URGENCY_CLASSES)[number];

export const TICKET_STATUSES = [
  'draft', // created by the system (e.g. an after-hours voice message), an operator completes it
  'accepted', // 受理: at the center, not dispatched
  'resolved_at_intake', // 直接办结: answered on the call, awaiting return visit
  'dispatched', // 派单: at the lead unit, not yet acknowledged
  'acknowledged', // 签收
  'returned', // 退回: a unit said "not ours", awaiting the center
  'replied', // 回复: awaiting the center's review
  'reviewed', // 审核通过: awaiting the return visit
  'under_review', // 研判: unsatisfied, on the leader's daily review list
  'supervised', // 督办: second handling under a supervision notice
  'merged', // 并案: a duplicate attached to a main ticket; it follows the main ticket's outcome
  'closed', // 办结
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const ROLES = ['operator', 'supervisor', 'unit_handler', 'leader', 'admin', 'system'] as const;
export type Role = (typeof ROLES)[number];

export const SATISFACTION = ['satisfied', 'basically_satisfied', 'unsatisfied', 'unreachable'] as const;
export type Satisfaction = (typeof SATISFACTION)[number];

export interface Ticket {
  id: number;
  number: string; // citizens read it aloud: YYYYMMDD + 4-digit daily sequence
  channel: Channel;
  kind: AppealKind;
  status: TicketStatus;
  title: string | null;
  content: string;
  citizenName: string | null;
  citizenPhone: string | null;
  anonymous: boolean;
  noCallback: boolean;
  address: string | null;
  town: string | null; // unit code of the town/street office where it happens
  lat: number | null;
  lng: number | null;
  eventType: string | null;
  urgency: UrgencyClass;
  leadUnit: string | null;
  coUnits: string[];
  firstUnit: string | null; // first unit that received it (first-responder rule)
  returnOverruled: boolean; // the center overruled a return by the current lead unit
  handlingRound: number; // 1, then 2+ after supervision notices
  escalationLevel: number; // 0 none, 1 city leader in charge, 2 main city leaders
  satisfaction: Satisfaction | null;
  acceptedAt: string; // ISO 8601 UTC
  dispatchedAt: string | null;
  acknowledgedAt: string | null;
  ackDueAt: string | null;
  feedbackDueAt: string | null;
  feedbackAt: string | null;
  dueAt: string | null;
  repliedAt: string | null;
  closedAt: string | null;
  extensionPending: { until: string; reason: string } | null;
  callId: string | null;
  createdBy: number | null;
  updatedAt: string;
  /** The main ticket this one is merged into (并案), or null. */
  mergedInto: number | null;
}

export interface TicketEvent {
  id: number;
  ticketId: number;
  action: string;
  fromStatus: TicketStatus | null;
  toStatus: TicketStatus;
  actorId: number | null;
  actorRole: Role;
  actorUnit: string | null;
  reason: string | null;
  data: Record<string, unknown>;
  createdAt: string; // ISO 8601 UTC
}
