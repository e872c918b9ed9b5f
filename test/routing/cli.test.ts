import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runRoutingCli } from '../../routing/cli';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('routing CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routing-cli-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('eval prints a per-class table and, as its last line, one JSON object with n, accuracy and macroF1', async () => {
    const file = path.join(dir, 'eval.csv');
    fs.writeFileSync(
      file,
      'id,title,text,label\n' +
        '1,路灯不亮,"我家楼下的路灯坏了，晚上一片漆黑",城乡建设\n' +
        '2,"拖欠工资, 急","老板拖欠工资半年了\n一直不给",劳动和社会保障\n' +
        '3,"孩子入学","孩子户口在这里，为什么不能在学区入学？说""不符合条件""",教育文体\n',
    );
    const c = capture();
    const code = await runRoutingCli(['eval', '--data', file], c.io);
    assert.equal(code, 0, c.err.join('\n'));
    const last = JSON.parse(c.out[c.out.length - 1]);
    assert.deepEqual(Object.keys(last), ['n', 'accuracy', 'macroF1']);
    assert.equal(last.n, 3);
    assert.equal(last.accuracy, 1);
    assert.ok(c.out.some((l) => l.startsWith('劳动和社会保障')), 'a row per class');
  });

  it('eval without --data, with a missing file, or with a CSV lacking the label column is refused with a clear message', async () => {
    let c = capture();
    assert.equal(await runRoutingCli(['eval'], c.io), 2);
    assert.match(c.err.join(''), /--data/);
    c = capture();
    assert.equal(await runRoutingCli(['eval', '--data', path.join(dir, 'nope.csv')], c.io), 2);
    assert.match(c.err.join(''), /找不到文件/);
    const file = path.join(dir, 'nolabel.csv');
    fs.writeFileSync(file, 'title,text\n路灯,坏了\n');
    c = capture();
    assert.equal(await runRoutingCli(['eval', '--data', file], c.io), 2);
    assert.match(c.err.join(''), /label/);
  });

  it('an unknown subcommand prints the usage and fails', async () => {
    const c = capture();
    assert.equal(await runRoutingCli(['fly'], c.io), 2);
    assert.match(c.err.join('\n'), /train/);
  });

  it('cv refuses a bad number of seeds or folds and an unknown candidate, naming the ones it knows', async () => {
    let c = capture();
    assert.equal(await runRoutingCli(['cv', '--seeds', '0'], c.io), 2);
    assert.match(c.err.join(''), /--seeds/);
    c = capture();
    assert.equal(await runRoutingCli(['cv', '--folds', 'x'], c.io), 2);
    c = capture();
    assert.equal(await runRoutingCli(['cv', '--candidates', 'magic'], c.io), 2);
    assert.match(c.err.join(''), /magic.*svm-words-chars/);
  });

  it('train refuses a data folder without the labelled appeals', async () => {
    const c = capture();
    assert.equal(await runRoutingCli(['train', '--data', dir, '--out', path.join(dir, 'm.json')], c.io), 2);
    assert.ok(!fs.existsSync(path.join(dir, 'm.json')), 'nothing written');
  });
});
