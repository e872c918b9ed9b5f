// Errors as JSON with a message a person can act on.
import { ErrorRequestHandler, RequestHandler } from 'express';
import { Forbidden, InvalidInput, NotFound, TransitionRefused } from '../../workflow/errors';
import { fieldLabel } from '../../workflow/field-labels';

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
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.too.large') return { status: 413, body: { error: { code: 'too_large', message: '请求内容过大' } } };
  if (e?.type === 'entity.parse.failed') return { status: 400, body: { error: { code: 'bad_json', message: '请求体不是有效的 JSON' } } };
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return { status: 415, body: { error: { code: 'bad_encoding', message: '不支持的编码，请使用 UTF-8' } } };
  return { status: 500, body: { error: { code: 'internal', message: '服务器内部错误，请稍后重试；问题已记录' } } };
}

export const jsonErrors: ErrorRequestHandler = (err, req, res, _next) => {
  const { status, body } = errorBody(err);
  if (status === 500) console.error(`[http] ${req.method} ${req.originalUrl}:`, err);
  res.status(status).json(body);
};

export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `没有这个接口：${req.method} ${req.path}` } });
};
