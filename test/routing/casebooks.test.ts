// The hand-written casebooks (test/routing/casebooks), scored through the full
// suggestion pipeline as `hotline routing eval --casebooks` does. The development part
// was used while building the rules; the held-back part was written at the same time
// and set aside until its misses were read by class of cause (routing/README.md "Casebooks");
// the fresh, fresh2, fresh3, fresh5, fresh6 and fresh7 parts' first passes are the unseen estimates (routing/README.md); fresh8 is
// scored as it was first written and run (no rule fixed against it yet, not in the emergency model's training), and so is fresh9. Targets of issue 12: emergency recall ≥ 95 % with ≤ 5 % false
// alarms, lead unit ≥ 95 %, kind ≥ 90 %. Where a target is not reached yet, the test
// holds the measured level (a floor against regressions) and routing/README.md says so.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CASEBOOK_DIR, CasebookError, evaluateCasebooks, readEmergencyCases, readRoutingCases, type CasebookPart, type CasebookReport } from '../../routing/casebook';
import { runRoutingCli } from '../../routing/cli';
import { committedRouting } from './support';

describe('casebooks', function () {
  this.timeout(60000);
  const reports = new Map<string, CasebookReport>();
  const report = (part: CasebookPart) => {
    if (!reports.has(part)) reports.set(part, evaluateCasebooks((x) => committedRouting().suggest(x), part));
    return reports.get(part)!;
  };

  it('are broad: ≥ 150 emergencies and ≥ 100 look-alikes, ≥ 300 appeals over every department and all 15 towns, every kind', () => {
    const em = [...readEmergencyCases(path.join(CASEBOOK_DIR, 'emergency-dev.jsonl')), ...readEmergencyCases(path.join(CASEBOOK_DIR, 'emergency-held.jsonl'))];
    assert.ok(em.filter((c) => c.emergency).length >= 150);
    assert.ok(em.filter((c) => !c.emergency).length >= 100);
    const rt = [...readRoutingCases(path.join(CASEBOOK_DIR, 'routing-dev.jsonl')), ...readRoutingCases(path.join(CASEBOOK_DIR, 'routing-held.jsonl'))];
    assert.ok(rt.length >= 300);
    const units = committedRouting().units;
    const leads = new Set([...rt.map((c) => c.lead), ...em.flatMap((c) => (c.lead ? [c.lead] : []))]);
    for (const u of units.units.filter((x) => x.kind === 'department' && !['rqgs', 'rlgs'].includes(x.code))) assert.ok(leads.has(u.code), `a case led by ${u.code}`);
    for (const t of units.towns) assert.ok(rt.some((c) => c.town === t.code), `a case in ${t.code}`);
    for (const k of ['consult', 'complaint', 'help_request', 'report', 'suggestion']) assert.ok(rt.filter((c) => c.kind === k).length >= 10, k);
    const ids = [...em, ...rt].map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    for (const c of rt) for (const u of [c.lead, ...c.co, ...(c.town ? [c.town] : [])]) assert.ok(units.byCode.has(u), `${c.id}: unit ${u}`);
  });

  it('emergency triage, development part: recall ≥ 95 %, false alarms ≤ 5 %', () => {
    const e = report('dev').emergency;
    assert.ok(e.recall >= 95, `recall ${e.recall}%`);
    assert.ok(e.falseAlarms <= 5, `false alarms ${e.falseAlarms}%`);
    assert.ok(e.actingUnit >= 90, `acting unit ${e.actingUnit}%`);
  });

  it('emergency triage, held-back part: recall ≥ 95 %, false alarms ≤ 5 %', () => {
    const e = report('held').emergency;
    assert.ok(e.recall >= 95, `recall ${e.recall}%`);
    assert.ok(e.falseAlarms <= 5, `false alarms ${e.falseAlarms}%`);
  });

  // Targets lead ≥ 95 %, kind ≥ 90 %: reached on every part since the lead round (routing/README.md, "The lead
  // round"); the floors are the levels measured then, rounded down.
  it('kind on the development and held-back parts: ≥ 90 %, at least the level measured (98 %, 95 %)', () => {
    assert.ok(report('dev').routing.kind >= 98, `dev kind ${report('dev').routing.kind}%`);
    assert.ok(report('held').routing.kind >= 95, `held kind ${report('held').routing.kind}%`);
  });

  it('lead unit on the development and held-back parts: ≥ 95 %, at least the level measured (99 %, 99 %)', () => {
    assert.ok(report('dev').routing.lead >= 99, `dev lead ${report('dev').routing.lead}%`);
    assert.ok(report('held').routing.lead >= 99, `held lead ${report('held').routing.lead}%`);
  });

  // The late part (rules changed after its first pass), the fresh, fresh2, fresh3, fresh5, fresh6 and fresh7 parts (first passes
  // recorded in routing/README.md; their misses were then read by class and fixed): floors just under the levels
  // measured now (after the lead round every part is at lead ≥ 95 % and kind ≥ 90 %).
  it('late, fresh, fresh2, fresh3, fresh5, fresh6 and fresh7 parts: false alarms ≤ 5 %; recall, lead unit and kind at least the levels measured', () => {
    for (const [part, recall, lead, kind] of [['late', 95, 100, 96], ['fresh', 95, 100, 98], ['fresh2', 95, 100, 100], ['fresh3', 95, 98, 97], ['fresh5', 95, 98, 94], ['fresh6', 95, 100, 99], ['fresh7', 95, 100, 100]] as const) {
      const x = report(part);
      assert.ok(x.emergency.falseAlarms <= 5, `${part} false alarms ${x.emergency.falseAlarms}%`);
      assert.ok(x.emergency.recall >= recall, `${part} recall ${x.emergency.recall}%`);
      assert.ok(x.routing.lead >= lead, `${part} lead ${x.routing.lead}%`);
      assert.ok(x.routing.kind >= kind, `${part} kind ${x.routing.kind}%`);
    }
  });

  // The fresh8 part (written blind in speech-recogniser, Shandong-dialect and third-party voices) as its first pass
  // measured it, before any rule was fixed against it (routing/README.md, "Not done"): floors rounded down from the
  // first pass, far under the targets (recall ≥ 95 %, lead ≥ 95 %, kind ≥ 90 %), to be raised as its misses are fixed.
  /** A share of the emergencies flagged, as a share of all the part's emergencies. */
  const ofAll = (pctOfFlagged: number, x: { emergency: { recall: number } }) => (pctOfFlagged * x.emergency.recall) / 100;

  it('fresh8 part (first pass, unfixed): false alarms ≤ 5 %; recall, danger, unit that acts, lead unit and kind at least the first pass', () => {
    const x = report('fresh8');
    assert.ok(x.emergency.falseAlarms <= 5, `fresh8 false alarms ${x.emergency.falseAlarms}%`);
    assert.ok(x.emergency.recall >= 76, `fresh8 recall ${x.emergency.recall}%`);
    // Danger and unit that acts as shares of all the part's emergencies (the first pass: 83 and 73 of 122), not of
    // those flagged: a model that flags more, hard ones included, must not fail for it.
    assert.ok(ofAll(x.emergency.danger, x) >= 68, `fresh8 danger ${x.emergency.danger}% of ${x.emergency.recall}% flagged`);
    assert.ok(ofAll(x.emergency.actingUnit, x) >= 59, `fresh8 unit that acts ${x.emergency.actingUnit}% of ${x.emergency.recall}% flagged`);
    // Lead unit and kind: first pass 78.3 % / 78.9 % (main at ba061a4), 83.9 % / 80.1 % (main at f7164ca); after the
    // lead round's classes read on it, 95.0 % / 95.0 % (routing/README.md, "The lead round").
    assert.ok(x.routing.lead >= 95, `fresh8 lead ${x.routing.lead}%`);
    assert.ok(x.routing.kind >= 95, `fresh8 kind ${x.routing.kind}%`);
    // co-handlers: 62.2 % on the first pass (main at ba061a4), 59.5 % on main at f7164ca (rules changed meanwhile by others).
    assert.ok(x.routing.coRecall >= 59, `fresh8 co-handlers ${x.routing.coRecall}%`);
  });

  // The fresh9 part (written blind by a sixth hand: callers from other provinces, written letters, WeChat slang, grid
  // workers' reports, operators' summaries, speech-recogniser transcripts) as its first pass measured it, on main at
  // 53dd0ae (lead 80.8 %; 81.3 % on 7d2b715 and on 7924b70 at landing), before any rule was fixed against it (routing/README.md, "Not done"): floors rounded down from the first
  // pass (false alarms: a ceiling rounded up), far from the targets; nobody tunes on this part this session.
  it('fresh9 part (first pass, unfixed): false alarms, recall, danger, unit that acts, lead unit, kind and co-handlers at the first pass', () => {
    const x = report('fresh9');
    assert.ok(x.emergency.falseAlarms <= 16, `fresh9 false alarms ${x.emergency.falseAlarms}%`);
    assert.ok(x.emergency.recall >= 82, `fresh9 recall ${x.emergency.recall}%`);
    // As fresh8's, of all 111 emergencies (the first pass: 84 and 75).
    assert.ok(ofAll(x.emergency.danger, x) >= 75, `fresh9 danger ${x.emergency.danger}% of ${x.emergency.recall}% flagged`);
    assert.ok(ofAll(x.emergency.actingUnit, x) >= 67, `fresh9 unit that acts ${x.emergency.actingUnit}% of ${x.emergency.recall}% flagged`);
    assert.ok(x.routing.lead >= 80, `fresh9 lead ${x.routing.lead}%`);
    assert.ok(x.routing.kind >= 85, `fresh9 kind ${x.routing.kind}%`);
    assert.ok(x.routing.coRecall >= 75, `fresh9 co-handlers ${x.routing.coRecall}%`);
  });

  it('an emergency in the routing casebook is flagged, and nothing else is', () => {
    for (const part of ['dev', 'held', 'late', 'fresh', 'fresh2', 'fresh3', 'fresh5', 'fresh6', 'fresh7', 'fresh8', 'fresh9'] as const) assert.ok(report(part).routing.emergencyAgreement >= 98, `${part} ${report(part).routing.emergencyAgreement}%`);
  });

  it('a malformed casebook is refused with the line named', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casebook-'));
    try {
      const f = path.join(dir, 'routing-dev.jsonl');
      fs.writeFileSync(f, '{"id":"x","text":"路灯坏了","town":null,"lead":"cgj","co":[],"kind":"praise","urgency":"general","reason":"r"}\nnot json\n');
      assert.throws(() => readRoutingCases(f), (e: Error) => e instanceof CasebookError && /第 2 行/.test(e.message));
      fs.writeFileSync(f, '{"id":"x","text":"路灯坏了","town":null,"lead":"cgj","co":[],"kind":"praise","urgency":"general","reason":"r"}\n');
      assert.throws(() => readRoutingCases(f), /第 1 行：kind 不合法/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`routing eval --casebooks` prints both parts and one JSON line', async () => {
    const out: string[] = [];
    const code = await runRoutingCli(['eval', '--casebooks'], { out: (l) => out.push(l), err: (l) => out.push(l) });
    assert.equal(code, 0);
    assert.ok(out.some((l) => l.startsWith('开发部分')) && out.some((l) => l.startsWith('留出部分')));
    const last = JSON.parse(out.at(-1)!);
    assert.equal(last.dev.emergency.recall, report('dev').emergency.recall);
    assert.equal(last.held.routing.lead, report('held').routing.lead);
  });
});
