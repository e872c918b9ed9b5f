// Intake: what an appeal must contain to become a ticket, checked with one schema
// whichever channel it came by (desk, Open311, IVR message).
import { z } from 'zod';
import { APPEAL_KINDS, CHANNELS, Ticket, URGENCY_CLASSES } from './types';
import { normalizePhone } from './phone';
import { InvalidInput } from './errors';
import { fieldLabel } from './field-labels';

// Messages zod writes itself (wrong type, unknown option …) in Chinese.
z.config(z.locales.zhCN());

export const MAX_CONTENT = 5000;

const unitCode = z.string().trim().min(1).max(40);

export const phoneField = z
  .string()
  .trim()
  .max(30)
  .transform((v, ctx) => {
    const r = normalizePhone(v);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }
    return r.normalized;
  });

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `不能超过 ${max} 个字`)
    .optional()
    .nullable()
    .transform((v) => (v ? v : null));

export const dispatchInput = z
  .object({
    leadUnit: unitCode,
    coUnits: z.array(unitCode).max(10).default([]),
    urgency: z.enum(URGENCY_CLASSES).optional(),
    eventType: z.string().trim().max(40).optional(),
  })
  .strict();
export type DispatchInput = z.infer<typeof dispatchInput>;

export const appealInput = z
  .object({
    channel: z.enum(CHANNELS),
    kind: z.enum(APPEAL_KINDS),
    title: optionalText(200),
    content: z.string().trim().min(1, '诉求内容不能为空').max(MAX_CONTENT, `诉求内容不能超过 ${MAX_CONTENT} 个字`),
    citizenName: optionalText(100),
    citizenPhone: phoneField.optional().nullable(),
    anonymous: z.boolean().default(false),
    noCallback: z.boolean().default(false),
    address: optionalText(300),
    town: unitCode.optional().nullable(),
    lat: z.number().min(-90).max(90).optional().nullable(),
    lng: z.number().min(-180).max(180).optional().nullable(),
    eventType: z.string().trim().max(40).optional().nullable(),
    urgency: z.enum(URGENCY_CLASSES).default('general'),
    callId: z.string().trim().max(80).optional().nullable(),
    /** Draft: created by the system (an IVR message), to be completed by an operator. */
    draft: z.boolean().default(false),
    /** Dispatch in the same step (the desk's "create and dispatch"). */
    dispatch: dispatchInput.optional(),
    /** Answer a consult on the call and close it at intake. */
    resolveAtIntake: z.object({ answer: z.string().trim().min(1).max(MAX_CONTENT) }).strict().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.anonymous && v.kind !== 'report') {
      ctx.addIssue({ code: 'custom', path: ['anonymous'], message: '只有举报类诉求可以匿名' });
    }
    if ((v.lat == null) !== (v.lng == null)) {
      ctx.addIssue({ code: 'custom', path: ['lat'], message: '经纬度须同时提供' });
    }
    if (v.dispatch && v.resolveAtIntake) {
      ctx.addIssue({ code: 'custom', path: ['dispatch'], message: '不能同时派单和直接办结' });
    }
    if (v.draft && (v.dispatch || v.resolveAtIntake)) {
      ctx.addIssue({ code: 'custom', path: ['draft'], message: '草稿工单须先由接线员补全，不能直接派单或办结' });
    }
  });
export type AppealInput = z.infer<typeof appealInput>;

/** A record's id in a path (tickets, users, attachments …): a positive integer that fits the databases' integer column. */
export const idParam = z.coerce.number().int().min(1).max(2 ** 31 - 1);

/** Parse with a schema; on failure throw InvalidInput listing every field in Chinese. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what = '请求'): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const field = i.path.join('.') || '(body)';
    // Unknown fields: name them plainly rather than zod's 「出现未知的键(key)」.
    const message = i.code === 'unrecognized_keys' ? `不接受的字段：${(i.keys as string[]).join('、')}` : i.message;
    return { field, label: fieldLabel(field), message };
  });
  throw new InvalidInput(`${what}有误：${issues.map((i) => (i.field === '(body)' ? i.message : `${i.label}：${i.message}`)).join('；')}`, issues);
}

/** The ticket as intake creates it (before any dispatch); id and number come from storage. */
export function newTicket(input: AppealInput, actorId: number | null, now: Date): Omit<Ticket, 'id' | 'number'> {
  const at = now.toISOString();
  return {
    channel: input.channel,
    kind: input.kind,
    status: input.draft ? 'draft' : 'accepted',
    title: input.title ?? null,
    content: input.content,
    citizenName: input.anonymous ? null : input.citizenName ?? null,
    citizenPhone: input.anonymous ? null : input.citizenPhone ?? null,
    anonymous: input.anonymous,
    noCallback: input.noCallback || input.anonymous,
    address: input.address ?? null,
    town: input.town ?? null,
    lat: input.lat ?? null,
    lng: input.lng ?? null,
    eventType: input.eventType ?? null,
    urgency: input.urgency,
    leadUnit: null,
    coUnits: [],
    firstUnit: null,
    returnOverruled: false,
    handlingRound: 1,
    escalationLevel: 0,
    satisfaction: null,
    acceptedAt: at,
    dispatchedAt: null,
    acknowledgedAt: null,
    ackDueAt: null,
    feedbackDueAt: null,
    feedbackAt: null,
    dueAt: null,
    repliedAt: null,
    closedAt: null,
    extensionPending: null,
    callId: input.callId ?? null,
    createdBy: actorId,
    updatedAt: at,
    mergedInto: null,
  };
}
