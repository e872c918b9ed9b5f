// The frame reader's header parsing (ivr/freeswitch/frame-reader.ts), checked against the plain
// split-and-pattern reading it replaced: the same headers, and the same lines refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FrameError, FrameReader, decodeEventBody, lastKeyOf, lazyJsonEvent, parseHeaderBlock, parseJsonEvent, urlDecode } from '../../ivr/freeswitch/frame-reader';

/** The reading before the scan without split (kept here as the reference). */
function reference(text: string, where: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '') throw new FrameError(`${where}: empty header line`);
    const at = line.indexOf(':');
    if (at <= 0 || /[\s\x00-\x1f]/.test(line.slice(0, at))) throw new FrameError(`${where}: not a header line: ${JSON.stringify(line.slice(0, 60))}`);
    headers[line.slice(0, at)] = line.slice(at + 1).replace(/^ /, '');
  }
  return headers;
}

function outcome(f: () => Record<string, string>): Record<string, string> | string {
  try {
    return f();
  } catch (err) {
    assert.ok(err instanceof FrameError);
    return `FrameError: ${err.message}`;
  }
}

describe('ESL header blocks', () => {
  const cases = [
    'Content-Length: 42\nContent-Type: text/event-json',
    'Reply-Text: +OK accepted',
    'Empty:\nTwo:  spaces\nNo:space\nColon: a: b\nCR: value\r',
    'Event-Name: CHANNEL_DATA\nvariable_sip_from_uri: 0301%40127.0.0.1\nReply-Text: %2BOK%0A',
    '',
    'a\n',
    '\nA: 1',
    'A: 1\n\nB: 2',
    ': no name',
    'Bad Name: 1',
    'Tab\tName: 1',
    'Ctl\x01: 1',
    'Nbsp\u00a0Name: 1',
    'Ideographic\u3000Space: 1',
    'Ümlaut-Name: 1',
    '名字: 值',
    'no colon at all',
    'Dup: 1\nDup: 2',
  ];
  for (const text of cases) {
    it(`${JSON.stringify(text.slice(0, 40))} reads as before`, () => {
      assert.deepEqual(outcome(() => parseHeaderBlock(text, 'frame')), outcome(() => reference(text, 'frame')));
    });
  }

  it('random blocks of header-ish characters read as before', () => {
    const alphabet = ['A', 'b', '-', '_', ':', ' ', '\n', '\t', '\r', '%', '2', '\x00', '\u00a0', '中', '\n', ': '];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      let text = '';
      for (let j = rnd(30); j > 0; j--) text += alphabet[rnd(alphabet.length)];
      assert.deepEqual(outcome(() => parseHeaderBlock(text, 'x')), outcome(() => reference(text, 'x')), JSON.stringify(text));
    }
  });

  it('values are url-decoded only where they have an escape; a bad escape in a plain event is kept as sent', () => {
    assert.equal(urlDecode('plain value'), 'plain value');
    assert.equal(urlDecode('a%20b%40c'), 'a b@c');
    assert.throws(() => urlDecode('%ZZ'), URIError);
    const h = decodeEventBody('text/event-plain', 'Event-Name: HEARTBEAT\nUp-Time: %ZZbroken%\nInfo: a%20b\n\n');
    assert.deepEqual(h, { 'Event-Name': 'HEARTBEAT', 'Up-Time': '%ZZbroken%', Info: 'a b' });
  });
});

describe('JSON events read lazily (lazyJsonEvent)', () => {
  /** Every JSON event body FreeSWITCH sent in the recorded sessions (../shared/esl-traces). */
  function recordedBodies(): string[] {
    const dir = path.resolve(__dirname, '../../../shared/esl-traces');
    const bodies: string[] = [];
    for (const sub of fs.readdirSync(dir)) {
      const d = path.join(dir, sub);
      if (!fs.statSync(d).isDirectory()) continue;
      for (const f of fs.readdirSync(d).filter((n) => n.endsWith('.jsonl'))) {
        const reader = new FrameReader();
        for (const line of fs.readFileSync(path.join(d, f), 'utf8').split('\n')) {
          if (!line.trim()) continue;
          const rec = JSON.parse(line) as { dir?: string; data?: string };
          if (rec.dir !== 's2c' || typeof rec.data !== 'string') continue;
          for (const fr of reader.push(Buffer.from(rec.data))) {
            if (fr.headers['Content-Type'] === 'text/event-json') bodies.push(fr.body.toString('utf8'));
          }
        }
      }
    }
    return bodies;
  }

  it('every header of every recorded JSON event reads as JSON.parse reads it: one at a time, absent ones, and after a whole parse', function () {
    if (!fs.existsSync(path.resolve(__dirname, '../../../shared/esl-traces'))) this.skip();
    const bodies = recordedBodies();
    assert.ok(bodies.length > 50, `recorded JSON events: ${bodies.length}`);
    let escaped = 0;
    let withBody = 0;
    for (const body of bodies) {
      const expected = parseJsonEvent(body);
      const names = Object.keys(expected);
      // A fresh record per header: each read is a lazy one (never past the whole-parse threshold).
      for (const name of names) {
        const lazy = lazyJsonEvent(body);
        assert.equal(lazy[name], expected[name], name);
        assert.ok(Object.hasOwn(lazy, name) && name in lazy, name);
        if (expected[name].includes('\\') || /[\r\n"]/.test(expected[name])) escaped++;
      }
      // FreeSWITCH writes an event's own body last: the lazy reader relies on it.
      assert.equal(lastKeyOf(body) === '_body', '_body' in expected, `last key ${lastKeyOf(body)}`);
      if ('_body' in expected) withBody++;
      const lazy = lazyJsonEvent(body);
      for (const absent of ['No-Such-Header', 'variable_', 'Event', '_body']) {
        if (absent in expected) continue;
        assert.equal(lazy[absent], undefined, absent);
        assert.equal(Object.hasOwn(lazy, absent), false, absent);
      }
      // Reading many headers, then enumerating: the whole parse, the same record.
      for (const name of names) assert.equal(lazy[name], expected[name], name);
      assert.deepEqual({ ...lazy }, expected);
    }
    assert.ok(escaped > 0, 'some recorded values have escapes (SDP line breaks, quoted names)');
    assert.ok(withBody > 0, 'some recorded events have a body of their own');
  });

  it('duplicate keys (the last wins), values that are not strings, escapes, a key inside a value, and changes read as in the whole parse', () => {
    const body = JSON.stringify({ 'Event-Name': 'CUSTOM', A: '1', Quote: 'say "x":"y"', Esc: 'a\\b' }).replace('}', ',"A":"2","Num":5,"Arr":["p","q"],"Inner":"\\"A\\":\\"9\\""}');
    const check = (name: string, value: string | undefined) => {
      assert.equal(lazyJsonEvent(body)[name], value, name);
    };
    check('A', '2');
    check('Num', '5');
    check('Arr', 'p,q');
    check('Quote', 'say "x":"y"');
    check('Esc', 'a\\b');
    check('Inner', '"A":"9"');
    check('x', undefined);
    check('_body', undefined);
    // A record is never a thenable (steps resolve with it), even with a header of that name.
    const thenable = lazyJsonEvent('{"Event-Name":"CUSTOM","then":"x"}');
    assert.equal(thenable.then, undefined);
    assert.equal('then' in thenable, false);
    // Names that are no header read as on a plain object: logging and own-property checks work.
    const plain = lazyJsonEvent('{"Event-Name":"HEARTBEAT"}');
    assert.equal(`${plain}`, '[object Object]');
    assert.equal(plain.hasOwnProperty('Event-Name'), true);
    assert.equal(typeof plain.toString, 'function');
    assert.equal(plain['Event-Name'], 'HEARTBEAT');
    const withBody = '{"Event-Name":"BACKGROUND_JOB","Content-Length":"12","_body":"+OK \\"a\\"\\\\"}';
    assert.equal(lastKeyOf(withBody), '_body');
    assert.equal(lazyJsonEvent(withBody)._body, '+OK "a"\\');
    assert.equal(lastKeyOf('{"Event-Name":"X","A":"\\"_body\\":\\""}'), 'A');
    const r = lazyJsonEvent(body);
    r.Added = 'z';
    delete r.A;
    assert.equal(r.Added, 'z');
    assert.equal(r.A, undefined);
    assert.equal(Object.keys(r).includes('Added'), true);
  });

  it('a header whose name ends another name, starts with a colon or shows in a value, duplicates among them: random events read as JSON.parse reads them', () => {
    const names = ['A', 'AA', 'B-A', 'Unique-ID', 'Caller-Unique-ID', ':A', ':', 'A:', 'A"', 'x'];
    const values = ['1', 'A":"2', ':A":"3', 'Unique-ID":', '"', '\\', 'A', '', 'é"A":'];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    for (let round = 0; round < 400; round++) {
      // Written member by member (JSON.stringify of an object cannot repeat a key).
      const members = ['"Event-Name":"CUSTOM"'];
      for (let i = 0, n = 1 + rnd(8); i < n; i++) members.push(`${JSON.stringify(names[rnd(names.length)])}:${JSON.stringify(values[rnd(values.length)])}`);
      const text = `{${members.join(',')}}`;
      const whole = JSON.parse(text) as Record<string, string>;
      for (const name of names) assert.equal(lazyJsonEvent(Buffer.from(text))[name], whole[name], `${name} in ${text}`);
    }
  });

  it('read from the bytes of a frame (a Buffer view): values in UTF-8, escapes and the last key as from the text', () => {
    const o = { 'Event-Name': 'CUSTOM', Caller: '张三 <1001>', Quote: '说 "好"', 'variable_地址': '北京市', Path: 'C:\\rec', Tail: 'x' };
    const text = JSON.stringify(o);
    // A view inside a larger chunk, as the frame reader hands it over.
    const chunk = Buffer.from(`Content-Length: 9\n\n${text}Content-Type: next`, 'utf8');
    const start = chunk.indexOf('{');
    const view = chunk.subarray(start, start + Buffer.byteLength(text));
    for (const [k, v] of Object.entries(o)) assert.equal(lazyJsonEvent(view)[k], v, k);
    assert.equal(lazyJsonEvent(view).Missing, undefined);
    assert.deepEqual({ ...lazyJsonEvent(view) }, o);
    assert.equal(lastKeyOf(view), 'Tail');
    assert.equal(lastKeyOf(Buffer.from('{"Event-Name":"X","名字":"值"}')), '名字');
    assert.throws(() => lazyJsonEvent(chunk.subarray(start, start + Buffer.byteLength(text) - 1)), FrameError);
  });

  it('a body that is not one object, or has no Event-Name, is a framing error', () => {
    for (const bad of ['{"Event-Name":"HEARTBEAT"', '"Event-Name":"HEARTBEAT"}', '{"Up-Time":"1"}', '{not json!!}', '{"Event-Name":7}']) {
      assert.throws(() => lazyJsonEvent(bad), FrameError, bad);
    }
    assert.equal(lazyJsonEvent('{"Event-Name":"HEARTBEAT"}\n')['Event-Name'], 'HEARTBEAT');
  });
});
