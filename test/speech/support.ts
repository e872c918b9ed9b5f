// Shared by the speech tests: where the shared model and its real recordings
// are, and small database fixtures (a call, a recording row pointing at a file).
import fs from 'node:fs';
import path from 'node:path';
import { Knex } from 'knex';

export const repoRoot = path.resolve(__dirname, '../..');
export const KWS_MODEL_DIR = path.resolve(repoRoot, '../shared/models/kws-zipformer-zh-3.3M');
export const TEST_WAVS = path.join(KWS_MODEL_DIR, 'test_wavs');

export const haveModel = fs.existsSync(path.join(KWS_MODEL_DIR, 'tokens.txt')) && fs.existsSync(TEST_WAVS);

/** Skip the calling suite when the shared model is not beside the repository. */
export function requireModel(ctx: Mocha.Context): void {
  if (!haveModel) {
    console.log(`      (skipped: shared speech model not found at ${KWS_MODEL_DIR})`);
    ctx.skip();
  }
}

/**
 * The keywords each shared recording contains, from the model's own
 * test_keywords.txt ("w én s ēn t è k ǎ s uǒ @文森特卡索"), in the order spoken.
 * The model's README pairs recordings 3–6 with two keywords each; 0–2 contain none.
 */
export const EXPECTED_HITS: Record<string, string[]> = {
  '0.wav': [], '1.wav': [], '2.wav': [],
  '3.wav': ['文森特卡索', '法国'],
  '4.wav': ['蒋友伯', '女儿'],
  '5.wav': ['周望军', '落实'],
  '6.wav': ['朱丽楠', '见面会'],
};

export function testKeywordLines(): string[] {
  return fs.readFileSync(path.join(TEST_WAVS, 'test_keywords.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
}

let seq = 0;

export async function insertRecording(
  db: Knex,
  file: string,
  opts: { callId?: string | null; kind?: string; ticketId?: number | null; startedAt?: string } = {},
): Promise<number> {
  const now = opts.startedAt ?? '2026-11-23T08:00:00.000Z';
  if (opts.callId) {
    const exists = await db('calls').where({ id: opts.callId }).first('id');
    if (!exists) {
      await db('calls').insert({ id: opts.callId, switch: 'freeswitch', direction: 'inbound', purpose: 'hotline', caller: '13800000000', created_at: now });
    }
  }
  const [row] = await db('recordings')
    .insert({
      call_id: opts.callId ?? null, path: file, kind: opts.kind ?? 'call', started_at: now,
      ticket_id: opts.ticketId ?? null, created_at: now,
    })
    .returning('id');
  seq++;
  return Number(typeof row === 'object' ? row.id : row);
}
