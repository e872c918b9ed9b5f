// Ticket attachments (photos from grid workers, documents with a reply): rows in
// `attachments`, files under the configured folder, written before the row so a row
// never points at nothing.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { Knex } from 'knex';

export interface Attachment {
  id: number; ticketId: number; kind: string; fileName: string; contentType: string; size: number;
  url: string | null; stage: string; uploadedBy: number | null; createdAt: string;
}

const fromRow = (r: any): Attachment => ({
  id: Number(r.id), ticketId: Number(r.ticket_id), kind: r.kind, fileName: r.file_name, contentType: r.content_type, size: Number(r.size),
  url: r.url ?? null, stage: r.stage, uploadedBy: r.uploaded_by == null ? null : Number(r.uploaded_by), createdAt: r.created_at,
});

export async function listAttachments(db: Knex, ticketId: number): Promise<Attachment[]> {
  return (await db('attachments').where({ ticket_id: ticketId }).orderBy('id')).map(fromRow);
}

export async function getAttachment(db: Knex, ticketId: number, id: number): Promise<(Attachment & { path: string | null }) | null> {
  const r = await db('attachments').where({ ticket_id: ticketId, id }).first();
  return r ? { ...fromRow(r), path: r.path ?? null } : null;
}

export async function saveAttachment(
  db: Knex,
  dir: string,
  a: { ticketId: number; kind: string; fileName: string; contentType: string; stage: string; uploadedBy: number | null; body: Buffer; at: string },
): Promise<Attachment> {
  const folder = path.join(dir, String(a.ticketId));
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${crypto.randomBytes(8).toString('hex')}${path.extname(a.fileName).slice(0, 10)}`);
  const fd = fs.openSync(file, 'wx');
  try {
    fs.writeSync(fd, a.body);
    fs.fsyncSync(fd); // on disk before the row that points at it
  } finally {
    fs.closeSync(fd);
  }
  const [row] = await db('attachments')
    .insert({ ticket_id: a.ticketId, kind: a.kind, file_name: a.fileName, content_type: a.contentType, size: a.body.length, path: file, url: null, stage: a.stage, uploaded_by: a.uploadedBy, created_at: a.at })
    .returning('*');
  return fromRow(row);
}
