// The public feed's redaction, checked on a casebook of the way people write about
// themselves and their neighbours (written before the redactor): what must go, and what
// must stay so the public still reads what the matter is.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { coarsen, isPublic, redactPersonalText } from '../../workflow/publication';

const cases = fs.readFileSync(path.join(__dirname, 'casebooks/personal-text.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; gone: string[]; kept: string[] });

describe('public feed: what is published and how it is redacted', () => {
  it(`the casebook (${cases.length} texts): every personal item gone, the matter itself kept`, () => {
    const wrong: string[] = [];
    for (const c of cases) {
      const out = redactPersonalText(c.text);
      for (const g of c.gone) if (out.includes(g)) wrong.push(`still there: ${g} — ${out}`);
      for (const k of c.kept) if (!out.includes(k)) wrong.push(`lost: ${k} — ${out}`);
    }
    assert.deepEqual(wrong, []);
  });

  it("the citizen's own name is removed wherever it appears; names become 王某", () => {
    assert.equal(redactPersonalText('王淑珍反映小区停车难，王淑珍是业主', ['王淑珍']), '王某反映小区停车难，王某是业主');
    assert.equal(redactPersonalText('我是文家街道的王淑珍，反映停车难', ['王淑珍']), '我是文家街道的王某，反映停车难');
  });

  it('numbers in full width, in Chinese digits or with dots are removed too', () => {
    assert.equal(redactPersonalText('我的电话是１３９５３６１２３４５，请回电'), '我的电话是[已隐去]，请回电');
    assert.equal(redactPersonalText('联系方式一三九五三六一二三四五，晚上打'), '联系方式[已隐去]，晚上打');
    assert.equal(redactPersonalText('手机幺三九 五三六一 二三四五'), '手机[已隐去]');
    assert.equal(redactPersonalText('联系电话139.5361.2345，白天不在家'), '联系电话[已隐去]，白天不在家');
    assert.equal(redactPersonalText('住金光街８８号３单元２０１室'), '住金光街**号*单元***室');
    assert.equal(redactPersonalText('位置在36.857312,118.791234附近'), '位置在36.85,118.79附近');
    assert.equal(redactPersonalText('三月八号下午，一二楼之间的灯坏了'), '三月八号下午，一二楼之间的灯坏了');
  });

  it('coordinates are coarsened to two decimals', () => {
    assert.equal(coarsen(36.857312), 36.86);
    assert.equal(coarsen(118.791234), 118.79);
    assert.equal(coarsen(null), null);
  });

  it('only the channels and statuses the city chose are public; drafts never', () => {
    const rules = { channels: ['web', 'mayor_mailbox'] as const, statuses: ['dispatched', 'closed'] as const };
    const r = { channels: [...rules.channels], statuses: [...rules.statuses] };
    assert.equal(isPublic({ channel: 'web', status: 'dispatched' }, r), true);
    assert.equal(isPublic({ channel: 'hotline', status: 'dispatched' }, r), false);
    assert.equal(isPublic({ channel: 'web', status: 'accepted' }, r), false);
    assert.equal(isPublic({ channel: 'web', status: 'draft' }, { ...r, statuses: ['draft'] }), false);
  });
});
