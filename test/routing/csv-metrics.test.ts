import assert from 'node:assert/strict';
import { parseCsv, parseCsvObjects } from '../../routing/csv';
import { metrics } from '../../routing/evaluate';

describe('CSV and metrics for the eval contract', () => {
  it('reads quoted fields with commas, doubled quotes and newlines, CRLF and a BOM', () => {
    assert.deepEqual(parseCsv('\uFEFFa,b\r\n"x, y","say ""hi""\nthen"\r\n'), [
      ['a', 'b'],
      ['x, y', 'say "hi"\nthen'],
    ]);
    assert.deepEqual(parseCsvObjects('title,text,label\n,正文,城乡建设'), [{ title: '', text: '正文', label: '城乡建设' }]);
  });

  it('macro-F1 averages the F1 of the gold classes, a prediction outside them counting as an error', () => {
    const m = metrics(['A', 'A', 'B', 'B'], ['A', 'X', 'B', 'A']);
    assert.equal(m.n, 4);
    assert.equal(m.accuracy, 0.5);
    // A: p=1/2, r=1/2 → 0.5 ; B: p=1, r=1/2 → 0.6667
    assert.equal(m.macroF1, 0.5833);
  });
});
