import assert from 'node:assert/strict';
import { startTestHotline, TestHotline } from '../support/hotline';

// Tuesday 2026-12-01: the next 60 days reach into 2027, which no official schedule covers yet.
const DEC_1 = Date.parse('2026-12-01T02:00:00Z');

describe('wallboard: calendar warning, transcription backlog, call-back list', function () {
  let h: TestHotline;
  before(async () => {
    h = await startTestHotline({ now: () => new Date(DEC_1), env: { SCHEDULER_INTERVAL_MS: '0' } });
  });
  after(async () => h.close());

  it('warns that 2027 is not covered, shows the backlog, and lists the abandoned callers until one is called back', async () => {
    await h.db('callbacks').insert({ caller: '13912345678', call_id: 'abandoned-1', reason: 'abandoned', at: new Date(DEC_1).toISOString() });
    const sup = await h.as('sup01');
    const w = (await sup('GET', '/api/desk/wallboard')).body;
    assert.match(w.calendarWarning, /2027/);
    assert.match(w.speech.text, /^语音转写：排队 0/);
    assert.deepEqual(w.callbacks.map((c: any) => c.caller), ['13912345678']);
    const op = await h.as('op01');
    assert.equal((await op('POST', `/api/desk/callbacks/${w.callbacks[0].id}/done`)).status, 200);
    assert.equal((await op('POST', `/api/desk/callbacks/${w.callbacks[0].id}/done`)).status, 404);
    assert.deepEqual((await sup('GET', '/api/desk/wallboard')).body.callbacks, []);
  });
});
