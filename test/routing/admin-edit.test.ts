import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadRouting, RoutingConfigError } from '../../routing/index';
import { PhraseMatcher } from '../../routing/phrases';
import { readJsonFile } from './support';

describe('an admin edits the catalogue without a code change', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routing-admin-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a new event type with its keywords is loaded, listed and suggested; the engine warns that the model is older', () => {
    const doc = readJsonFile('city/demo/event-types.json');
    const before = doc.eventTypes.length;
    doc.version = `${doc.version}-admin`;
    doc.eventTypes.push({
      code: 'CX-9901',
      name: '充电桩故障',
      category: '城乡建设',
      subcategory: '城市建设和市政管理',
      taxonomyClasses: ['城市公共设施'],
      owner: 'gdgs',
      territory: 'department',
      coUnits: ['cgj'],
      complexity: 'general',
      gridHandleable: false,
      keywords: ['充电桩', '充不上电'],
      examples: ['小区的充电桩坏了充不上电'],
    });
    const file = path.join(dir, 'event-types.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const r = loadRouting({ taxonomyFile: file });
    assert.equal(r.eventTypes().length, before + 1);
    assert.ok(r.warnings.some((w) => /重新训练/.test(w)));
    const s = r.suggest({ text: '停车场的充电桩坏了，一直充不上电' });
    assert.equal(s.eventTypes[0].code, 'CX-9901');
    assert.equal(s.leadUnit, 'gdgs');
    assert.deepEqual(s.coUnits, ['cgj']);
  });

  it('a catalogue file that is not JSON is refused with the file named', () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{ "version": ');
    assert.throws(() => loadRouting({ taxonomyFile: file }), (e: Error) => e instanceof RoutingConfigError && e.message.includes(file));
  });
});

describe('phrase index', () => {
  it('finds every occurrence of every phrase, overlapping ones included, one- and two-character heads alike', () => {
    const m = new PhraseMatcher(['燃气', '燃气泄漏', '泄漏', '坑']);
    const hits = m.find('燃气泄漏了，路上有个坑').map((h) => `${h.phrase}@${h.index}`);
    assert.deepEqual(hits.sort(), ['坑@10', '泄漏@2', '燃气@0', '燃气泄漏@0'].sort());
    assert.deepEqual(m.find(''), []);
  });
});
