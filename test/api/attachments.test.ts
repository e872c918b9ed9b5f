import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, TEST_PASSWORD } from '../support/hotline';

// A real (tiny) PNG: 1×1 pixel.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

describe('ticket attachments', function () {
  let h: TestHotline;
  let token: string;
  let ticketId: number;
  const upload = (path: string, body: Buffer, type: string, who = token) =>
    fetch(`${h.base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${who}`, 'content-type': type }, body: new Uint8Array(body) });

  before(async () => {
    h = await startTestHotline();
    const op = await h.as('op01');
    const t = await op('POST', '/api/tickets', { channel: 'grid_report', kind: 'complaint', content: '井盖缺失', dispatch: { leadUnit: 'cgj', coUnits: [] } });
    ticketId = t.body.ticket.id;
    token = (await (await fetch(`${h.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cgj', password: TEST_PASSWORD }) })).json()).token;
  });
  after(async () => h.close());

  it('the unit uploads an after photo with its reply; it is listed and downloads byte for byte', async () => {
    const r = await upload(`/api/tickets/${ticketId}/attachments?name=${encodeURIComponent('修复后.png')}&stage=after`, PNG, 'image/png');
    assert.equal(r.status, 201);
    const { attachment } = await r.json();
    assert.deepEqual([attachment.kind, attachment.stage, attachment.size, attachment.fileName], ['photo', 'after', PNG.length, '修复后.png']);
    const list = await (await fetch(`${h.base}/api/tickets/${ticketId}/attachments`, { headers: { authorization: `Bearer ${token}` } })).json();
    assert.equal(list.items.length, 1);
    const file = await fetch(`${h.base}/api/tickets/${ticketId}/attachments/${attachment.id}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), PNG);
  });

  it('refuses an unsupported type, an empty file and a unit that does not hold the ticket', async () => {
    assert.equal((await upload(`/api/tickets/${ticketId}/attachments?name=x.exe`, Buffer.from('MZ'), 'application/x-msdownload')).status, 400);
    assert.equal((await upload(`/api/tickets/${ticketId}/attachments?name=x.png`, Buffer.alloc(0), 'image/png')).status, 400);
    const other = (await (await fetch(`${h.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'zjj', password: TEST_PASSWORD }) })).json()).token;
    assert.equal((await upload(`/api/tickets/${ticketId}/attachments?name=x.png`, PNG, 'image/png', other)).status, 404);
    assert.equal(Number((await h.db('attachments').count({ n: '*' }))[0].n), 1);
  });
});
