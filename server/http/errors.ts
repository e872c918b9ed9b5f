// Errors as JSON with a message a person can act on.
import { ErrorRequestHandler, RequestHandler } from 'express';
import { Forbidden, InvalidInput, NotFound, TransitionRefused } from '../../workflow/errors';
import { fieldLabel } from '../../workflow/field-labels';
import { open311Xml } from './open311-xml';

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export function errorBody(err: unknown): { status: number; body: { error: { code: string; message: string; issues?: unknown } } } {
  if (err instanceof InvalidInput) {
    const issues = err.issues.map((i) => ({ field: i.field, label: i.label ?? fieldLabel(i.field), message: i.message }));
    return { status: 400, body: { error: { code: err.code, message: err.message, issues } } };
  }
  if (err instanceof TransitionRefused) return { status: 409, body: { error: { code: err.code, message: err.message } } };
  if (err instanceof Forbidden) return { status: 403, body: { error: { code: err.code, message: err.message } } };
  if (err instanceof NotFound) return { status: 404, body: { error: { code: 'not_found', message: err.message } } };
  if (err instanceof HttpError) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  const client = clientMistake(err);
  if (client) return { status: client.status, body: { error: { code: client.code, message: client.message } } };
  return { status: 500, body: { error: { code: 'internal', message: '服务器内部错误，请稍后重试；问题已记录' } } };
}

/** What the body parsers and the router throw for a request they cannot read (http-errors with a 4xx status and a type). */
const PARSER_MISTAKES: Record<string, { status?: number; code: string; message: string }> = {
  'entity.too.large': { status: 413, code: 'too_large', message: '请求内容过大' },
  'entity.parse.failed': { code: 'bad_json', message: '请求体不是有效的 JSON' },
  'entity.verify.failed': { code: 'bad_body', message: '请求体无法读取' },
  'encoding.unsupported': { status: 415, code: 'bad_encoding', message: '不支持的内容编码（Content-Encoding），请不压缩或使用 gzip、deflate、br' },
  'charset.unsupported': { status: 415, code: 'bad_charset', message: '不支持的字符集，请使用 UTF-8' },
  'parameters.too.many': { status: 413, code: 'too_many_parameters', message: '表单字段过多' },
  'querystring.parse.rangeError': { code: 'too_deep', message: '表单字段嵌套过深' },
  'request.aborted': { code: 'aborted', message: '请求未发送完整' },
  'request.size.invalid': { code: 'bad_length', message: '请求体长度与 Content-Length 不符' },
  'stream.encoding.set': { code: 'bad_body', message: '请求体无法读取' },
};

/**
 * A request the server could not read, as the client's mistake (4xx) with words a person can
 * act on, or null when the error is ours. Body parsers and the router throw http-errors
 * carrying a 4xx status; a percent-escape that does not decode is a URIError.
 */
export function clientMistake(err: unknown): { status: number; code: string; message: string } | null {
  const e = err as { type?: string; status?: number; statusCode?: number; code?: string } | null;
  if (!e || typeof e !== 'object') return null;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : null;
  const known = e.type ? PARSER_MISTAKES[e.type] : undefined;
  if (known && status !== null && status >= 400 && status < 500) return { status: known.status ?? status, code: known.code, message: known.message };
  if (err instanceof URIError) return { status: 400, code: 'bad_escape', message: '地址或参数中有无效的百分号编码（%）' };
  if (status !== null && status >= 400 && status < 500) {
    // zlib's codes for a body that is not what its Content-Encoding says (gzip/deflate: Z_…; brotli: ERR__ERROR_FORMAT_… and the like).
    if (typeof e.code === 'string' && (e.code.startsWith('Z_') || e.code.startsWith('ERR__ERROR_') || e.code === 'ERR_BROTLI_DECOMPRESSION_FAILED')) {
      return { status: 400, code: 'bad_encoding', message: '请求体与它声明的压缩格式（Content-Encoding）不符' };
    }
    return { status, code: 'bad_request', message: '请求无法读取，请检查地址、参数和请求体' };
  }
  return null;
}

export const jsonErrors: ErrorRequestHandler = (err, req, res, _next) => {
  const { status, body } = errorBody(err);
  if (status === 500) console.error(`[http] ${req.method} ${req.originalUrl}:`, err);
  // Open311 clients get the spec's error document, in the format their path asks for (a body they sent that could not be read never reached the route).
  if (req.path.startsWith('/open311/')) {
    const errors = [{ code: status, description: body.error.message }];
    if (req.path.endsWith('.xml')) return void res.status(status).type('application/xml; charset=utf-8').send(open311Xml('errors', 'error', errors));
    return void res.status(status).json(errors);
  }
  res.status(status).json(body);
};

export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `没有这个接口：${req.method} ${req.path}` } });
};

/** True when a parsed body holds a NUL character in any string, key or value (depth-bounded walk). */
function holdsNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (!v || typeof v !== 'object' || depth > 64) return false;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k.includes('\u0000') || holdsNul(x, depth + 1)) return true;
  }
  return false;
}

/**
 * A NUL character (%00, \u0000) is in no ticket number, filter, name or text a person sends,
 * and PostgreSQL cannot even compare a text with one (it raises, which would be a 500).
 * Refused before any route: in the path, the query string and the parsed body.
 */
export const refuseNul: RequestHandler = (req, _res, next) => {
  if (/%00/i.test(req.originalUrl) || req.originalUrl.includes('\u0000') || holdsNul(req.body)) {
    return next(new HttpError(400, 'nul_character', '地址、参数或请求内容中含有空字符（%00），无法处理'));
  }
  next();
};
