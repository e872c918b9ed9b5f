// The frame reader's header parsing (ivr/freeswitch/frame-reader.ts), checked against the plain
// split-and-pattern reading it replaced: the same headers, and the same lines refused.
import assert from 'node:assert/strict';
import { FrameError, decodeEventBody, parseHeaderBlock, urlDecode } from '../../ivr/freeswitch/frame-reader';

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
