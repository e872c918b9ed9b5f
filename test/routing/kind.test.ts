// The appeal kind (routing/kind.ts) on classes decided in the lead round of issue 12, phrased afresh
// (not casebook lines): the casebooks' figures are in routing/README.md.
import assert from 'node:assert/strict';
import { committedRouting } from './support';

const kind = (text: string) => committedRouting().suggest({ text }).kind;

describe('appeal kind: classes of the lead round', () => {
  it('dead livestock thrown away is reported, told verb first or noun first; dead cats among rubbish are a complaint', () => {
    assert.equal(kind('有人往村后的沟里扔了两头死猪'), 'report');
    assert.equal(kind('俺们庄有户养鸡的 病死的鸡都扔到河边了'), 'report');
    assert.equal(kind('死了好几头牛 直接埋在地头上了'), 'report');
    assert.equal(kind('村后那个坑里全是垃圾 还有死猫'), 'complaint');
  });

  it('asking an office’s hours is a consult', () => {
    assert.equal(kind('营里镇便民服务中心几点上班'), 'consult');
    assert.equal(kind('社保大厅周日上不上班'), 'consult');
  });
});
