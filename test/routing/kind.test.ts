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

  it('money sent to a swindler, asked what now, is a help request', () => {
    assert.equal(kind('让他把钱打到一个账户里 他打了三万 现在咋办'), 'help_request');
    assert.equal(kind('在一个理财平台投了两万 现在提不出来了'), 'help_request');
  });

  it('one’s own purchase found short at home, a fix asked by doubling the verb, whether it is allowed: complaints', () => {
    assert.equal(kind('去超市买的排骨 回家一称少了二两'), 'complaint');
    assert.equal(kind('小区门口的垃圾桶 能不能给挪一挪'), 'complaint');
    assert.equal(kind('那个幼儿园让家长必须买他们的被褥 这个合规吗'), 'complaint');
  });

  it('done when nobody sees, and a back-yard workshop, are reported', () => {
    assert.equal(kind('那个厂子专挑半夜往外排烟'), 'report');
    assert.equal(kind('村后头有个小作坊 炼油的 那个烟呛死人'), 'report');
  });

  it('classes seen on the eighth fresh casebook, phrased afresh', () => {
    const cases: Array<[string, string]> = [
      ['那个棋牌室天天带彩 一场输赢上千', 'report'],
      ['村里的低保 村支书给他自家亲戚办了', 'report'],
      ['有人夜里在地里烧秸秆', 'report'],
      ['那家店里堆了一屋子鞭炮', 'report'],
      ['厂里新招的人没有安全培训 直接上岗开吊车', 'report'],
      ['有人把村口那棵老槐树锯了 拉走卖了', 'report'],
      ['合作医疗断了两个月 能不能补', 'consult'],
      ['住房公积金一年能提几回', 'consult'],
      ['停气了也没通知 做不了饭', 'complaint'],
      ['法律援助那个律师一问三不知', 'complaint'],
    ];
    for (const [text, k] of cases) assert.equal(kind(text), k, text);
  });
});
