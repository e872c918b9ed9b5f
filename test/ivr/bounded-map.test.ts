import assert from 'node:assert/strict';
import { BoundedMap } from '../../ivr/bounded-map';

describe('BoundedMap (what the call mappers remember lately)', () => {
  it('keeps at most its bound, dropping the oldest added first', () => {
    const m = new BoundedMap<string, number>(3);
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) m.set(k, i);
    assert.deepEqual([...m.keys()], ['b', 'c', 'd']);
    m.set('b', 9); // setting a kept key again does not drop another
    assert.deepEqual([...m.entries()], [['b', 9], ['c', 2], ['d', 3]]);
  });
});
