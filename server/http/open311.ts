// Open311 GeoReport v2 for the web, app, mailbox and grid channels.
// Covered: services, services/{code}, requests (GET, POST form or JSON), requests/{id},
// each in JSON (.json) and XML (.xml), errors in the format asked for.
import { Router, Request, Response } from 'express';
import { Knex } from 'knex';
import { z } from 'zod';
import { TicketService } from '../services/tickets';
import { apiClientForKey, ApiClient } from '../../storage/directory';
import { searchTickets, ticketFromRow } from '../../storage/tickets';
import { AppealKind, APPEAL_KINDS, Channel, Ticket, TICKET_STATUSES } from '../../workflow/types';
import { InvalidInput, NotFound, TransitionRefused } from '../../workflow/errors';
import { STATUS_LABELS, UnitInfo } from '../../workflow/lifecycle';
import { open311Xml } from './open311-xml';
import { clientMistake } from './errors';
import { isoInstantText, parseInstant } from '../../workflow/instant';
import { PerUserRate } from './user-rate';
import { coarsen, isPublic, PublicationRules, redactPersonalText } from '../../workflow/publication';

export interface Open311Service { code: string; name: string; group: string; description: string; keywords: string[] }

export interface Open311Deps {
  db: Knex;
  tickets: TicketService;
  services: () => Open311Service[];
  units: () => Map<string, UnitInfo>;
  /** Which tickets the public feed shows (configuration OPEN311_PUBLIC_*); what it shows is redacted. */
  publication: PublicationRules;
  /** Reads of the public feed (GET requests) one address may make per minute, per server (config OPEN311_FEED_PER_MINUTE). */
  feedPerMinute?: number;
  /** Requests one api_key may submit per minute, per server (config OPEN311_SUBMIT_PER_MINUTE). */
  submitPerMinute?: number;
  /** The appeal kind the routing engine reads in the text, when the client does not say. */
  suggestKind: (text: string) => AppealKind;
  now: () => Date;
}

const KIND_LABELS: Record<AppealKind, string> = { consult: '咨询', complaint: '投诉', help_request: '求助', report: '举报', suggestion: '建议' };
const CLIENT_CHANNELS: Channel[] = ['web', 'mayor_mailbox', 'grid_report', 'photo_report', 'gov_service_hotline', 'urban_hotline'];

/** Reads of the public feed one address may make per minute, per server (a person reads a few; a city portal polls once a minute). */
export const OPEN311_FEED_PER_MINUTE = 30;
/** Submissions one api_key may make per minute, per server: a portal forwards its citizens' requests as they come; a leaked key floods no more than this. */
export const OPEN311_SUBMIT_PER_MINUTE = 60;
/** Unknown api_keys one address may present per minute before it is refused without a look-up. */
const BAD_KEYS_PER_MINUTE = 10;
/** Public list answers computed at once, and waiting (more: 429, come back in 5 s). */
const FEED_LISTS_AT_ONCE = 1;
const FEED_LISTS_WAITING = 2;

class Open311Error extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}

type Format = 'json' | 'xml';
const FORMATS: Format[] = ['json', 'xml'];

/** A document in the format asked for; `root`/`item` name its XML elements (item null: one object). */
const send = (res: Response, format: Format, status: number, body: unknown, root: string, item: string | null) => {
  if (format === 'json') return res.status(status).json(body);
  res.status(status).type('application/xml; charset=utf-8').send(open311Xml(root, item, body));
};

const wrap = (format: Format, fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
  const fail = (status: number, code: number, description: string) => send(res, format, status, [{ code, description }], 'errors', 'error');
  try {
    await fn(req, res);
  } catch (e) {
    if (e instanceof Open311Error) return fail(e.status, e.code, e.message);
    if (e instanceof InvalidInput) return fail(400, 400, e.message);
    // A retried Idempotency-Key with other content (409, as the desk API answers), a ticket that is not there.
    if (e instanceof TransitionRefused) return fail(409, 409, e.message);
    if (e instanceof NotFound) return fail(404, 404, e.message);
    const client = clientMistake(e);
    if (client) return fail(client.status, client.status, client.message);
    console.error('[open311]', e);
    fail(500, 500, '服务器内部错误，请稍后重试');
  }
};

/** A latitude or longitude: a number, or a numeric string (form-encoded); null, "", true, [] … are refused, not read as 0. */
const coordinate = (name: string, limit: number) =>
  z
    .union([z.number(), z.string().trim().regex(/^-?\d{1,3}(\.\d+)?$/)], { error: `${name} 须是数字（度，例如 36.85）` })
    .transform(Number)
    .pipe(z.number().finite().min(-limit, `${name} 须在 -${limit} 到 ${limit} 之间`).max(limit, `${name} 须在 -${limit} 到 ${limit} 之间`));

const postBody = z
  .object({
    api_key: z.string().min(1, '缺少 api_key'),
    jurisdiction_id: z.string().optional(),
    service_code: z.string().min(1, '缺少 service_code'),
    lat: coordinate('lat', 90).optional(),
    long: coordinate('long', 180).optional(),
    address_string: z.string().max(300).optional(),
    address_id: z.string().max(100).optional(),
    email: z.string().email('email 格式不正确').optional(),
    device_id: z.string().max(100).optional(),
    account_id: z.string().max(100).optional(),
    first_name: z.string().max(50).optional(),
    last_name: z.string().max(50).optional(),
    phone: z.string().max(30).optional(),
    description: z.string().max(5000).optional(),
    media_url: z
      .string()
      .max(1000)
      .refine((u) => URL.canParse(u) && ['http:', 'https:'].includes(new URL(u).protocol), 'media_url 须是 http:// 或 https:// 开头的网址')
      .optional(),
    attribute: z
      .object({
        kind: z.enum(APPEAL_KINDS).optional(),
        town: z.string().max(40).optional(),
        title: z.string().max(200).optional(),
        anonymous: z.enum(['true', 'false']).optional(),
        no_callback: z.enum(['true', 'false']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const listQuery = z
  .object({
    jurisdiction_id: z.string().optional(),
    service_request_id: z.string().max(2000).optional(),
    service_code: z.string().max(200).optional(),
    start_date: isoInstantText('start_date 须是 1970 到 2199 年间的 ISO 8601 时间').optional(),
    end_date: isoInstantText('end_date 须是 1970 到 2199 年间的 ISO 8601 时间').optional(),
    status: z.enum(['open', 'closed']).optional(),
    api_key: z.string().optional(),
  })
  .strict();

function parse<S extends z.ZodType>(schema: S, v: unknown): z.infer<S> {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new Open311Error(400, 400, `${i.path.join('.') || '参数'}：${i.message}`);
}

export function open311Routes(d: Open311Deps): Router {
  const r = Router();

  const serviceRow = (s: Open311Service) => ({
    service_code: s.code,
    service_name: s.name,
    description: s.description,
    metadata: true,
    type: 'realtime',
    keywords: s.keywords.join(','),
    group: s.group,
  });

  for (const f of FORMATS) {
    r.get(`/services.${f}`, wrap(f, async (_req, res) => {
      send(res, f, 200, d.services().map(serviceRow), 'services', 'service');
    }));

    r.get(`/services/:code.${f}`, wrap(f, async (req, res) => {
      const s = d.services().find((x) => x.code === req.params.code);
      if (!s) throw new Open311Error(404, 404, `没有这个服务：${req.params.code}`);
      const towns = [...d.units().values()].filter((u) => u.kind === 'town');
      send(res, f, 200, {
        service_code: s.code,
        attributes: [
          { variable: true, code: 'kind', datatype: 'singlevaluelist', required: false, datatype_description: '诉求类型；不填时由系统识别', order: 1, description: '诉求类型', values: APPEAL_KINDS.map((k) => ({ key: k, name: KIND_LABELS[k] })) },
          { variable: true, code: 'town', datatype: 'singlevaluelist', required: false, datatype_description: '事发镇街；不填时由地址识别', order: 2, description: '镇街', values: towns.map((t) => ({ key: t.code, name: t.name })) },
          { variable: true, code: 'title', datatype: 'string', required: false, datatype_description: '不超过 200 字', order: 3, description: '标题' },
          { variable: true, code: 'anonymous', datatype: 'singlevaluelist', required: false, datatype_description: '只有举报可以匿名', order: 4, description: '匿名', values: [{ key: 'true', name: '是' }, { key: 'false', name: '否' }] },
          { variable: true, code: 'no_callback', datatype: 'singlevaluelist', required: false, datatype_description: '不需要电话回访', order: 5, description: '谢绝回访', values: [{ key: 'true', name: '是' }, { key: 'false', name: '否' }] },
        ],
      }, 'service_definition', null);
    }));
  }

  /** A ticket as the public sees it: only a published one (isPublic), redacted (workflow/publication.ts). */
  const requestRow = (t: Ticket) => {
    const units = d.units();
    const service = t.eventType ? d.services().find((s) => s.code === t.eventType) : undefined;
    const report = t.kind === 'report';
    const redact = (text: string | null) => (text === null ? null : redactPersonalText(text, [t.citizenName]));
    return {
      service_request_id: t.number,
      status: t.status === 'closed' ? 'closed' : 'open',
      status_notes: STATUS_LABELS[t.status],
      service_name: service?.name ?? null,
      service_code: t.eventType,
      // A report's content and place (举报) are never published.
      description: report ? '（举报内容不公开）' : redact(t.content),
      agency_responsible: t.leadUnit ? units.get(t.leadUnit)?.name ?? t.leadUnit : '社会治理服务中心',
      service_notice: null,
      requested_datetime: t.acceptedAt,
      updated_datetime: t.updatedAt,
      expected_datetime: t.dueAt,
      address: report ? null : redact(t.address),
      address_id: null,
      zipcode: null,
      lat: report ? null : coarsen(t.lat),
      long: report ? null : coarsen(t.lng),
      media_url: null,
    };
  };
  const published = (rows: any[]) => rows.map(ticketFromRow).filter((t) => isPublic(t, d.publication));
  // Anyone may read the feed, without a key, and an answer reads and redacts up to 1,000 requests: limited per address.
  const feedRate = new PerUserRate(d.feedPerMinute ?? OPEN311_FEED_PER_MINUTE, { code: 'too_many_requests', message: (s) => `请求过于频繁，请 ${s} 秒后再试` });
  const admitFeed = (req: Request, res: Response) => {
    const wait = feedRate.take(req.ip ?? 'unknown', d.now().getTime());
    if (!wait) return;
    res.set('Retry-After', String(wait));
    throw new Open311Error(429, 429, `请求过于频繁，请 ${wait} 秒后再试`);
  };
  // A list answer is read, redacted and written in one stretch of the server's one JavaScript
  // thread (hundreds of ms for 1,000 requests): one at a time, a few waiting, the rest told to come
  // back, so a burst from many addresses cannot hold the desks and the intake up.
  let listing = 0;
  const waiting: Array<() => void> = [];
  const oneListAtATime = async (res: Response, fn: () => Promise<void>) => {
    if (listing >= FEED_LISTS_AT_ONCE) {
      if (waiting.length >= FEED_LISTS_WAITING) {
        res.set('Retry-After', '5');
        throw new Open311Error(429, 429, '公开数据查询繁忙，请 5 秒后再试');
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else listing++;
    try {
      // Let the requests that arrived with this one be read first (on SQLite the whole answer
      // would otherwise be made before any of them is looked at): they wait or are told to come back.
      await new Promise((resolve) => setImmediate(resolve));
      await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else listing--;
    }
  };

  // Submitting needs a key. Each key's submissions are limited (a leaked key cannot bury the center
  // in junk tickets), and an address that keeps presenting unknown keys is refused before the look-up.
  const submitRate = new PerUserRate(d.submitPerMinute ?? OPEN311_SUBMIT_PER_MINUTE, { code: 'too_many_requests', message: (s) => `提交过于频繁，请 ${s} 秒后再试` });
  const badKeys = new PerUserRate(BAD_KEYS_PER_MINUTE, { code: 'too_many_requests', message: (s) => `api_key 错误次数过多，请 ${s} 秒后再试` });
  const tooMany = (res: Response, wait: number, what: string) => {
    res.set('Retry-After', String(wait));
    return new Open311Error(429, 429, `${what}，请 ${wait} 秒后再试`);
  };
  const admitSubmission = async (req: Request, res: Response, key: string): Promise<ApiClient> => {
    const at = d.now().getTime();
    const address = req.ip ?? 'unknown';
    // Keys are 24 random bytes: guessing one is hopeless, so a failure is counted after the look-up
    // (a parallel burst of wrong keys costs one indexed read each) and the address refused after 10.
    const blocked = badKeys.wait(address, at);
    if (blocked) throw tooMany(res, blocked, 'api_key 错误次数过多');
    const client = await apiClientForKey(d.db, key);
    if (!client) {
      badKeys.take(address, at);
      throw new Open311Error(403, 403, 'api_key 无效');
    }
    // Counted before anything is written, so a parallel burst with one key admits at most the limit.
    const wait = submitRate.take(client.id, at);
    if (wait) throw tooMany(res, wait, '提交过于频繁');
    return client;
  };

  for (const f of FORMATS) {
    r.get(`/requests.${f}`, wrap(f, async (req, res) => {
      admitFeed(req, res);
      const q = parse(listQuery, req.query);
      const now = d.now();
      if (q.service_request_id) {
        const numbers = q.service_request_id.split(',').map((s) => s.trim()).filter(Boolean).slice(0, 100);
        const found = await d.db('tickets').whereIn('number', numbers).whereIn('channel', d.publication.channels).whereIn('status', d.publication.statuses);
        send(res, f, 200, published(found).map(requestRow), 'service_requests', 'request');
        return;
      }
      // The spec's defaults: the last 90 days, at most 1000 requests.
      const end = q.end_date ? parseInstant(q.end_date)! : now;
      const start = q.start_date ? parseInstant(q.start_date)! : new Date(end.getTime() - 90 * 86400_000);
      if (start >= end) throw new Open311Error(400, 400, 'start_date 须早于 end_date');
      const codes = q.service_code?.split(',').map((s) => s.trim()).filter(Boolean);
      // Only the channels and statuses the city publishes (and of those, open or closed as asked).
      const statuses = d.publication.statuses.filter((s) => s !== 'draft' && (q.status === 'closed' ? s === 'closed' : q.status === 'open' ? s !== 'closed' : true));
      await oneListAtATime(res, async () => {
        const page = statuses.length
          ? await searchTickets(d.db, { from: start.toISOString(), to: end.toISOString(), status: statuses, channel: d.publication.channels, eventTypes: codes }, 1, 1000, now)
          : { items: [] };
        send(res, f, 200, page.items.filter((t) => isPublic(t, d.publication)).map(requestRow), 'service_requests', 'request');
      });
    }));

    r.get(`/requests/:id.${f}`, wrap(f, async (req, res) => {
      admitFeed(req, res);
      // One the city does not publish answers as one that does not exist.
      const row = await d.db('tickets').where({ number: req.params.id }).first();
      const shown = row ? published([row]) : [];
      if (!shown.length) throw new Open311Error(404, 404, `没有这个诉求：${req.params.id}`);
      send(res, f, 200, shown.map(requestRow), 'service_requests', 'request');
    }));

    r.post(`/requests.${f}`, wrap(f, async (req, res) => {
      const b = parse(postBody, req.body ?? {});
      const client = await admitSubmission(req, res, b.api_key);
      if (!CLIENT_CHANNELS.includes(client.channel as Channel)) throw new Open311Error(403, 403, '此 api_key 的渠道不能提交诉求');
      const service = d.services().find((s) => s.code === b.service_code);
      if (!service) throw new Open311Error(404, 404, `没有这个服务：${b.service_code}`);
      const description = b.description?.trim();
      if (!description) throw new Open311Error(400, 400, 'description：诉求内容不能为空');
      const a = b.attribute ?? {};
      const name = [b.last_name, b.first_name].filter(Boolean).join('') || null;
      const appeal = {
        channel: client.channel,
        kind: a.kind ?? d.suggestKind(`${a.title ?? ''} ${description}`),
        title: a.title ?? null,
        content: description,
        citizenName: name,
        citizenPhone: b.phone ?? null,
        anonymous: a.anonymous === 'true',
        noCallback: a.no_callback === 'true',
        address: b.address_string ?? null,
        town: a.town ?? null,
        lat: b.lat ?? null,
        lng: b.long ?? null,
        eventType: service.code,
      };
      const key = req.get('idempotency-key') || undefined;
      const { ticket, created } = await d.tickets.create(appeal, { id: null, role: 'system', unit: 'center' }, { idempotencyKey: key, scope: `client:${client.id}` });
      if (created && b.media_url) {
        await d.db('attachments').insert({
          ticket_id: ticket.id, kind: 'photo', file_name: b.media_url.split('/').pop()?.slice(0, 200) || 'media', content_type: 'application/octet-stream',
          size: 0, url: b.media_url, stage: 'intake', uploaded_by: null, created_at: d.now().toISOString(),
        });
      }
      send(res, f, created ? 201 : 200, [{ service_request_id: ticket.number, service_notice: `已受理，工单号 ${ticket.number}`, account_id: b.account_id ?? null }], 'service_requests', 'request');
    }));
  }
  return r;
}
