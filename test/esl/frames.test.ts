// The test server's padded event frames (bench:ivr) are the bytes the plain path writes for the merged headers.
import assert from 'node:assert/strict';
import { EventFormat, Headers, Padding, channelDataReply, decodeEvent, eventFrame, paddedEventFrameBytes, paddedEventFrameChunks } from './frames';

const pad = new Padding({ variable_sip_pad_000: 'x'.repeat(24), variable_sip_pad_001: 'a b:c@d', variable_sip_pad_002: '' });
const formats: EventFormat[] = ['json', 'plain', 'xml'];

describe('ESL test server: padded event frames', () => {
  const cases: { name: string; before: Headers; after: Headers; body?: string }[] = [
    { name: 'headers, padding, extra', before: { 'Event-Name': 'CHANNEL_EXECUTE_COMPLETE', 'Unique-ID': 'u1', variable_x: 'a%b' }, after: { Application: 'playback', 'Application-Data': '/p/a b.wav' } },
    { name: 'no extra', before: { 'Event-Name': 'CHANNEL_ANSWER', 'Unique-ID': 'u1' }, after: {} },
    { name: 'an extra header that is also a channel variable keeps its place', before: { 'Event-Name': 'CHANNEL_EXECUTE_COMPLETE', variable_cc_cancel_reason: 'TIMEOUT', z: '1' }, after: { variable_cc_cancel_reason: 'TIMEOUT2', y: '2' } },
    { name: 'an extra header that overrides the padding', before: { 'Event-Name': 'X' }, after: { variable_sip_pad_001: 'over', y: '2' } },
    { name: 'a channel variable the padding overrides', before: { 'Event-Name': 'X', variable_sip_pad_000: 'mine' }, after: { y: '2' } },
    { name: 'with a body', before: { 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': 'j' }, after: { 'Job-Command': 'status' }, body: '+OK 中文 <b>&\n' },
    { name: 'with a body and a Content-Length header already there', before: { 'Event-Name': 'BACKGROUND_JOB', 'Content-Length': '1' }, after: {}, body: 'xyz' },
  ];
  for (const c of cases) {
    for (const f of formats) {
      it(`${c.name} (${f})`, () => {
        const merged = { ...c.before, ...pad.headers, ...c.after };
        const own = structuredClone({ before: c.before, after: c.after });
        const padded = eventFrame(f, { before: c.before, pad, after: c.after }, c.body);
        assert.equal(padded, eventFrame(f, merged, c.body));
        assert.ok(paddedEventFrameBytes(f, { before: c.before, pad, after: c.after }, c.body).equals(Buffer.from(padded)), 'as bytes');
        const chunks = paddedEventFrameChunks(f, { before: c.before, pad, after: c.after }, c.body);
        const joined = typeof chunks === 'string' ? Buffer.from(chunks) : Buffer.concat(chunks.map((x) => (typeof x === 'string' ? Buffer.from(x) : x)));
        assert.ok(joined.equals(Buffer.from(padded)), 'as chunks');
        const frame = padded.slice(padded.indexOf('\n\n') + 2);
        const decoded = decodeEvent({ headers: { 'Content-Type': `text/event-${f}` }, body: frame });
        assert.equal(decoded?.['Event-Name'], c.before['Event-Name']);
        assert.deepEqual({ before: c.before, after: c.after }, own, 'the event\'s own headers are left as they were');
      });
    }
    it(`${c.name} (the outbound connect reply)`, () => {
      assert.equal(channelDataReply({ before: c.before, pad, after: c.after }), channelDataReply({ ...c.before, ...pad.headers, ...c.after }));
    });
  }
});
