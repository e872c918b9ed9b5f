// The learned second opinion on the appeal kind (routing/kind-model.ts): training, the committed file, how it is
// combined with the cue rules and shown to the operator, and the figures `routing eval --kind-cv` prints
// (routing/README.md, "The learned kind model").
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { KIND_TRAINING_PARTS, UNTRAINED_PARTS } from '../../routing/casebook';
import { runRoutingCli } from '../../routing/cli';
import { DEFAULT_FILES, loadRouting } from '../../routing/index';
import { kindCases } from '../../routing/kind-cv';
import { checkKindModel, KIND_TRAINING, KindModel, predictRow, trainKindModel, type KindRow } from '../../routing/kind-model';
import { committedRouting, engineOf } from './support';

/** A small world: rows of made-up features, each kind with its own words. */
function toyRows(): KindRow[] {
  const row = (names: string[], kind: KindRow['kind']): KindRow => ({ names, val: names.map(() => 1 / Math.sqrt(names.length)), scores: [0, 0, 0, 0, 0], ruleKind: 'complaint', defaulted: true, chars: 10, kind });
  const out: KindRow[] = [];
  for (let i = 0; i < 4; i++) {
    out.push(row(['请问', `a${i}`], 'consult'));
    out.push(row(['太吵', `b${i}`], 'complaint'));
    out.push(row(['帮帮', `c${i}`], 'help_request'));
    out.push(row(['偷排', `d${i}`], 'report'));
    out.push(row(['建议', `e${i}`], 'suggestion'));
  }
  return out;
}

describe('the learned kind model', function () {
  this.timeout(60000);

  it('training is deterministic and learns the toy world', () => {
    const s = { ...KIND_TRAINING };
    const a = trainKindModel(toyRows(), s, 'toy');
    const b = trainKindModel(toyRows(), s, 'toy');
    assert.deepEqual(a, b);
    const probe = (names: string[]) => predictRow(a, { names, val: names.map(() => 1 / Math.sqrt(names.length)), scores: [0, 0, 0, 0, 0], ruleKind: 'complaint', defaulted: true, chars: 10 });
    assert.equal(probe(['偷排']).kind, 'report');
    assert.equal(probe(['请问']).kind, 'consult');
    assert.equal(probe(['建议', 'zz']).kind, 'suggestion');
  });

  it('training on casebook rows recorded through suggest() is deterministic', () => {
    const routing = loadRouting({ kindModelFile: null });
    const rows = kindCases(routing, ['fresh'])
      .filter((c) => c.row)
      .map((c) => c.row!);
    assert.ok(rows.length > 40);
    assert.deepEqual(trainKindModel(rows, KIND_TRAINING, 'fresh'), trainKindModel(rows, KIND_TRAINING, 'fresh'));
  });

  it('the committed model loads, with the shipped settings, trained on the training parts only', () => {
    const raw = JSON.parse(fs.readFileSync(DEFAULT_FILES.kindModelFile, 'utf8'));
    const f = checkKindModel(raw);
    assert.deepEqual(f.settings, { ...KIND_TRAINING });
    for (const p of KIND_TRAINING_PARTS) assert.ok(f.trainedOn.includes(p), p);
    for (const p of UNTRAINED_PARTS) assert.ok(!f.trainedOn.split(/[ /]/).includes(p), `${p} is not trained on`);
    const e = engineOf(committedRouting());
    assert.ok(e.kindJudge instanceof KindModel);
    assert.equal((e.kindJudge as KindModel).missingFeatures(), 0, 'every feature is a column of the committed classifier');
    assert.deepEqual(committedRouting().warnings.filter((w) => w.includes('诉求类型')), []);
  });

  it('a model file that is not one is refused with what is wrong', () => {
    const good = trainKindModel(toyRows(), KIND_TRAINING, 'toy');
    assert.throws(() => checkKindModel({ ...good, format: 'x' }), /格式/);
    assert.throws(() => checkKindModel({ ...good, weights: good.weights.slice(1) }), /weights/);
    assert.throws(() => checkKindModel({ ...good, scale: 0 }), /scale/);
    assert.doesNotThrow(() => checkKindModel(good));
  });

  it('the operator sees the model: its confidence when it agrees, its kind, confidence and words when it decides; an emergency stays a help request', () => {
    const r = committedRouting();
    const agree = r.suggest({ text: '俺想问一下 孩子上小学要准备啥材料' });
    assert.equal(agree.kind, 'consult');
    assert.match(agree.explanation, /诉求类型：提示词 [^；]*（研判模型同意，\d+%）/);
    // Written for this test (no casebook line): a pig farm's manure let into a ditch — the rules read no cue of a
    // report (the harm, 臭死了, is what they hear); the model reads the forbidden act.
    const decided = r.suggest({ text: '养猪场把猪粪直接排到沟里 沟里黑乎乎的 臭死了' });
    assert.equal(decided.kind, 'report');
    assert.match(decided.explanation, /诉求类型：研判模型判断为“举报”（\d+%，依据：[^；）]+），规则为“投诉”（[^；]+）(；|$)/);
    const em = r.suggest({ text: '我家楼下着火了 快来人' });
    assert.equal(em.kind, 'help_request');
    assert.match(em.explanation, /诉求类型：提示词 紧急险情(；|$)/);
    // A long written appeal (over KIND_TRAINING.maxChars characters) is not what the model learnt from: the rules decide alone.
    const long = r.suggest({ text: `养猪场把猪粪直接排到沟里 沟里黑乎乎的 臭死了。${'这个情况已经持续很长时间了，附近的村民都有意见。'.repeat(8)}` });
    assert.equal(long.kind, 'complaint');
    assert.doesNotMatch(long.explanation, /研判模型/);
    // Without the model: the rules' kind, and no word of a model.
    const rulesOnly = loadRouting({ kindModelFile: null, leadModelFile: null }).suggest({ text: '养猪场把猪粪直接排到沟里 沟里黑乎乎的 臭死了' });
    assert.equal(rulesOnly.kind, 'complaint');
    assert.doesNotMatch(rulesOnly.explanation, /研判模型/);
  });

  it('`routing eval --kind-cv` scores every part left out, and on the part neither rules nor model have seen the blend beats the rules', async () => {
    const out: string[] = [];
    const code = await runRoutingCli(['eval', '--kind-cv', '--no-cv'], { out: (l) => out.push(l), err: (l) => out.push(l) });
    assert.equal(code, 0, out.join('\n'));
    const last = JSON.parse(out.at(-1)!);
    assert.deepEqual(last.settings, { ...KIND_TRAINING });
    for (const p of [...KIND_TRAINING_PARTS, ...UNTRAINED_PARTS]) assert.ok(last.lopo[p]?.n > 0, p);
    assert.ok(out.some((l) => l.startsWith('逐一留出（')));
    // Measured 7 Dec 2026 (routing/README.md): fresh10 rules 72.2 %, model 77.1 %, blend 82.9 %; the model alone left
    // out of each training part 90.0 ± 4.3 %. Since fresh11 joined the training parts (23:02 UTC): fresh10 left out
    // rules 72.2 %, model 78.8 %, blend 81.2 %; the model alone left out of each of the 13 training parts 89.1 ± 4.3 %.
    // (Only that part: a later blind part is the coordinator's measurement, not a test's. fresh10 is a training part
    // since, but left out here its model has not seen it, nor had the cue rules.)
    assert.ok(last.lopo.fresh10.blend > last.lopo.fresh10.rules, JSON.stringify(last.lopo.fresh10));
    assert.ok(last.lopo.fresh10.blend >= 81, `fresh10 blend ${last.lopo.fresh10.blend}`);
    const trained = KIND_TRAINING_PARTS.map((p) => last.lopo[p].model as number);
    assert.ok(trained.reduce((a, b) => a + b, 0) / trained.length >= 88, `model alone ${trained}`);
  });
});
