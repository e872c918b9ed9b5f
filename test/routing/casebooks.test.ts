// The hand-written casebooks (test/routing/casebooks), scored through the full
// suggestion pipeline as `hotline routing eval --casebooks` does. The development part
// was used while building the rules; the held-back part was written at the same time
// and set aside until its misses were read by class of cause (routing/README.md "Casebooks");
// the fresh, fresh2, fresh3, fresh5, fresh6, fresh7, fresh8, fresh9 and fresh10 parts' first passes are the unseen estimates (routing/README.md);
// fresh8's and fresh9's misses were read by class in the fix9 round and both are in the emergency model's training since. Targets of issue 12: emergency recall ≥ 95 % with ≤ 5 % false
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

  // Lead floors raised on 8 Dec 2026 to the levels with the learned lead model (routing/lead-model.ts, trained on every
  // part: development figures; routing/README.md, "The lead unit: the learned second opinion"): dev 99.4 -> 99.7 %,
  // held 99.2 -> 100 %, fresh3 98.8 -> 100, fresh5 98.9 -> 100, fresh8 96.9 -> 99.4, fresh9 95.3 -> 99.5, fresh10
  // 93.1 -> 99.2, fresh11 92.2 -> 98.2, fresh12 72.6 -> 96.5 (the model trained on it after its one look).
  it('lead unit on the development and held-back parts: ≥ 95 %, at least the level measured (99 %, 100 %)', () => {
    assert.ok(report('dev').routing.lead >= 99, `dev lead ${report('dev').routing.lead}%`);
    assert.ok(report('held').routing.lead >= 100, `held lead ${report('held').routing.lead}%`);
  });

  // The late part (rules changed after its first pass), the fresh, fresh2, fresh3, fresh5, fresh6 and fresh7 parts (first passes
  // recorded in routing/README.md; their misses were then read by class and fixed): floors just under the levels
  // measured now (after the lead round every part is at lead ≥ 95 % and kind ≥ 90 %). fresh6's kind floor is 98 since
  // the learned kind model (routing/kind-model.ts): one case the rules had right (99.1 %) it overrides (98.1 %), in a
  // part it was trained on; on the part neither rules nor model have seen (fresh10) it takes kind from 72.2 to 82.9 %
  // (routing/README.md, "The learned kind model").
  it('late, fresh, fresh2, fresh3, fresh5, fresh6 and fresh7 parts: false alarms ≤ 5 %; recall, lead unit and kind at least the levels measured', () => {
    for (const [part, recall, lead, kind] of [['late', 95, 100, 96], ['fresh', 95, 100, 98], ['fresh2', 95, 100, 100], ['fresh3', 95, 100, 97], ['fresh5', 95, 100, 94], ['fresh6', 95, 100, 98], ['fresh7', 95, 100, 100]] as const) {
      const x = report(part);
      assert.ok(x.emergency.falseAlarms <= 5, `${part} false alarms ${x.emergency.falseAlarms}%`);
      assert.ok(x.emergency.recall >= recall, `${part} recall ${x.emergency.recall}%`);
      assert.ok(x.routing.lead >= lead, `${part} lead ${x.routing.lead}%`);
      assert.ok(x.routing.kind >= kind, `${part} kind ${x.routing.kind}%`);
    }
  });

  /** A share of the emergencies flagged, as a share of all the part's emergencies. */
  const ofAll = (pctOfFlagged: number, x: { emergency: { recall: number } }) => (pctOfFlagged * x.emergency.recall) / 100;

  // The fresh8 part (written blind in speech-recogniser, Shandong-dialect and third-party voices). Its first pass is the
  // recorded unseen estimate (routing/README.md, "Not done": recall 76.2 %, false alarms 5.0 %, lead 78.3 %, kind
  // 78.9 %); its lead and kind misses were read in the lead round, its emergencies in the fix9 round (rules fixed by
  // class, 15 acting-unit labels changed to the lead round's principles, the emergency model trained on it). Development
  // figures now (fix9 round: recall 100 %, false alarms 0 %, danger 100 %, unit that acts 100 %, lead 95.7 %, kind
  // 95.0 %, co-handlers 62.2 %): floors a little under them.
  it('fresh8 part (development since the fix9 round): emergencies, lead unit, kind and co-handlers at the levels reached', () => {
    const x = report('fresh8');
    assert.ok(x.emergency.falseAlarms <= 2, `fresh8 false alarms ${x.emergency.falseAlarms}%`);
    assert.ok(x.emergency.recall >= 98, `fresh8 recall ${x.emergency.recall}%`);
    // Danger and unit that acts as shares of all the part's emergencies, not of those flagged.
    assert.ok(ofAll(x.emergency.danger, x) >= 97, `fresh8 danger ${x.emergency.danger}% of ${x.emergency.recall}% flagged`);
    assert.ok(ofAll(x.emergency.actingUnit, x) >= 97, `fresh8 unit that acts ${x.emergency.actingUnit}% of ${x.emergency.recall}% flagged`);
    assert.ok(x.routing.lead >= 99, `fresh8 lead ${x.routing.lead}%`);
    assert.ok(x.routing.kind >= 94, `fresh8 kind ${x.routing.kind}%`);
    assert.ok(x.routing.coRecall >= 60, `fresh8 co-handlers ${x.routing.coRecall}%`);
  });

  // The fresh9 part (written blind by a sixth hand: callers from other provinces, written letters, WeChat slang, grid
  // workers' reports, operators' summaries, speech-recogniser transcripts). Its first pass is the recorded unseen
  // estimate (routing/README.md, "Not done": recall 82.0 % (84.7 % with the C 3 model), false alarms 15.6 % (13.0 %),
  // lead 80.8 % (81.3 % at landing), kind 85.5 %, co-handlers 75.9 %); its misses were read by class in the fix9 round
  // (13 labels changed, each with its reason in the commit) and it is in the emergency model's training since.
  // Development figures now (recall 100 %, false alarms 0 %, danger 100 %, unit that acts 97.3 %, lead 94.3 %, kind
  // 97.9 %, co-handlers 72.4 %: below the first pass's 75.9 % because a relabelled row and a lead now right bring other
  // co-handlers): floors a little under them.
  it('fresh9 part (development since the fix9 round): emergencies, lead unit, kind and co-handlers at the levels reached', () => {
    const x = report('fresh9');
    assert.ok(x.emergency.falseAlarms <= 2, `fresh9 false alarms ${x.emergency.falseAlarms}%`);
    assert.ok(x.emergency.recall >= 98, `fresh9 recall ${x.emergency.recall}%`);
    assert.ok(ofAll(x.emergency.danger, x) >= 97, `fresh9 danger ${x.emergency.danger}% of ${x.emergency.recall}% flagged`);
    assert.ok(ofAll(x.emergency.actingUnit, x) >= 95, `fresh9 unit that acts ${x.emergency.actingUnit}% of ${x.emergency.recall}% flagged`);
    assert.ok(x.routing.lead >= 99, `fresh9 lead ${x.routing.lead}%`);
    assert.ok(x.routing.kind >= 96, `fresh9 kind ${x.routing.kind}%`);
    assert.ok(x.routing.coRecall >= 70, `fresh9 co-handlers ${x.routing.coRecall}%`);
  });

  // The fresh10 part (written blind by a seventh hand: relatives calling for someone, delivery riders and truck
  // drivers, teachers, doctors and village cadres, angry and rambling callers, voicemail messages, keyword-spotting
  // fragments, the danger understated), committed before the engine ran on it and kept out of the emergency model's
  // training. Unseen figures (routing/README.md, "Not done"): first pass on main at cb221dd recall 80.6 %, false alarms
  // 8.9 %, danger 79.5 %, unit that acts 65.2 % (of those flagged), lead 79.2 %, kind 71.8 %, co-handlers 44.3 %; after
  // the fix9 round (fixed on fresh8 and fresh9 without reading this part), on main at 7192526: 87.1 %, 7.8 %, 85.1 %,
  // 70.2 %, 80.0 %, 71.8 %, 43.2 %. The fix10 round then fixed its emergency classes (suicide told through its
  // signs, missing persons without the rules' words, group food poisoning told by a doctor or a nursery, violence
  // against staff, a heart attack told as symptoms, figurative 爆炸/着火, 救命 as an interjection, a fraud call, a main
  // shut off), held by new dev cases and look-alikes; the part stays out of the emergency model's training.
  // Emergency floors are those development levels (recall 100 %, false alarms 1.1 %, danger 87.1 %, unit that acts
  // 71.2 %). Its lead misses were then read by class in the lead10 round (three labels changed to principles 2, 4 and 9;
  // the classes fixed as general rules held by new phrasings in duties.test.ts and gazetteer.test.ts): lead 80.4 →
  // 93.1 %, co-handlers 43.2 → 45.5 % (development figures now; floors just under). Kind: the
  // learned kind model, trained without this part (UNTRAINED_PARTS), takes it from 72.2 to 82.9 % (routing/README.md,
  // "The learned kind model"): the floor is that unseen level, rounded down. Since the fresh11 part the kind model is
  // trained on this part too (98.4 % in-sample); the floor stays the unseen level.
  it('fresh10 part (emergency classes fixed in the fix10 round, lead classes in the lead10 round; kind unseen): emergencies, lead unit, kind and co-handlers', () => {
    const x = report('fresh10');
    assert.ok(x.emergency.falseAlarms <= 2, `fresh10 false alarms ${x.emergency.falseAlarms}%`);
    assert.ok(x.emergency.recall >= 99, `fresh10 recall ${x.emergency.recall}%`);
    assert.ok(ofAll(x.emergency.danger, x) >= 86, `fresh10 danger ${x.emergency.danger}% of ${x.emergency.recall}% flagged`);
    assert.ok(ofAll(x.emergency.actingUnit, x) >= 70, `fresh10 unit that acts ${x.emergency.actingUnit}% of ${x.emergency.recall}% flagged`);
    assert.ok(x.routing.lead >= 99, `fresh10 lead ${x.routing.lead}%`);
    assert.ok(x.routing.kind >= 82, `fresh10 kind ${x.routing.kind}%`);
    assert.ok(x.routing.coRecall >= 45, `fresh10 co-handlers ${x.routing.coRecall}%`);
  });

  // The fresh11 part (written blind by an eighth hand: Jiaoliao rural speech, greenhouse farmers, salt-field and
  // fishing workers, shift workers, students home, pensioners reading a notice, hard-of-hearing and interrupted
  // callers, callers for a company or a village committee, a foreigner and a Cantonese buyer), committed before the
  // engine ran on it. Its first pass (main at a89bb45, 7 Dec 2026 19:43 UTC: recall 90.8 %, false alarms 7.0 %, lead
  // 75.5 %, kind 85.8 %, co-handlers 65.0 %) is recorded in routing/README.md; since the lead11 round (22:10 UTC) its
  // lead misses have been read and fixed by class, so it is development material: the lead floor is that round's level
  // (92.2 %), rounded down; its co-handlers went 67.5 -> 65.0 % in that round (routing/README.md "The lead11 round").
  // Its emergencies likewise since the fix11 emergency round (its missed emergencies and false alarms read by class and
  // fixed as general rules; the emergency model still not trained on it): recall 90.8 -> 98.7 %, false alarms 7.0 ->
  // 1.0 %, danger 99.3 %, unit that acts 100 % (of those flagged); the emergency floors are those development figures,
  // rounded down (routing/README.md "The fix11 emergency round").
  it('fresh11 part (development since the lead11 and fix11 rounds): emergencies, lead unit, kind and co-handlers no worse than after those rounds', () => {
    const x = report('fresh11');
    assert.ok(x.emergency.recall >= 98, `fresh11 recall ${x.emergency.recall}%`);
    assert.ok(x.emergency.falseAlarms <= 1, `fresh11 false alarms ${x.emergency.falseAlarms}%`);
    assert.ok(ofAll(x.emergency.danger, x) >= 97, `fresh11 danger ${x.emergency.danger}% of ${x.emergency.recall}% flagged`);
    assert.ok(ofAll(x.emergency.actingUnit, x) >= 98, `fresh11 unit that acts ${x.emergency.actingUnit}% of ${x.emergency.recall}% flagged`);
    // 98.2 % with the lead model, 97.9 % since a duty's lead needs the model at 0.9 to be overruled (one in-sample case).
    assert.ok(x.routing.lead >= 97, `fresh11 lead ${x.routing.lead}%`);
    assert.ok(x.routing.kind >= 87, `fresh11 kind ${x.routing.kind}%`);
    assert.ok(x.routing.coRecall >= 64, `fresh11 co-handlers ${x.routing.coRecall}%`);
  });

  // The fresh12 part (written blind by a ninth hand, 21:49–21:59 UTC on 7 Dec 2026: vegetable-market traders and
  // buyers, fake seed and fertiliser, livestreamers, parcel stations, driving schools, parents, blind callers and
  // wheelchair users, grandchildren calling for grandparents, follow-ups by ticket number, property staff, shopkeepers,
  // Cantonese and Hokkien words, speech-recogniser fillers, WeChat messages), committed on a side branch before the
  // engine ran on it and kept out of both models' training. Its first pass (7 Dec 2026 23:02 UTC, after the lead11 and
  // fix11 rounds and the kind model retrained with fresh11) is the unseen estimate of this evening's routing
  // (routing/README.md, "Not done"): recall 87.0 %, false alarms 3.5 %, lead 72.6 %, kind 77.6 %, co-handlers 46.7 %.
  // Its lead unit and co-handlers have not been read: those floors are that blind level, rounded, so that a change which
  // loses on unseen callers shows. Its emergencies and kind have been read by class in the fix12 round (8 Dec 2026; the
  // emergency model still not trained on it, the kind model neither; six emergencies labelled 举报 relabelled 求助 as every
  // part files them): recall 87.0 -> 99.4 %, false alarms 3.5 -> 1.7 %, danger 99.3 %, unit that acts 100 % (of those
  // flagged), kind 77.6 -> 84.7 %; those floors are the development figures, rounded down (routing/README.md "The fix12 round").
  // Its lead misses are still unread, but the learned lead model was trained on it after its one look (8 Dec 2026 01:03 UTC:
  // 72.6 -> 80.5 % left out; routing/README.md "The lead unit"): the lead floor is the in-sample level, rounded down.
  it('fresh12 part (emergencies and kind development since the fix12 round; lead in the lead model\'s training; co-handlers blind): no worse than those levels', () => {
    const x = report('fresh12');
    assert.ok(x.emergency.recall >= 99, `fresh12 recall ${x.emergency.recall}%`);
    assert.ok(x.emergency.falseAlarms <= 2, `fresh12 false alarms ${x.emergency.falseAlarms}%`);
    assert.ok(ofAll(x.emergency.danger, x) >= 98, `fresh12 danger ${x.emergency.danger}% of ${x.emergency.recall}% flagged`);
    assert.ok(ofAll(x.emergency.actingUnit, x) >= 99, `fresh12 unit that acts ${x.emergency.actingUnit}% of ${x.emergency.recall}% flagged`);
    assert.ok(x.routing.lead >= 95, `fresh12 lead ${x.routing.lead}% (the lead model trained on it since its one look)`);
    assert.ok(x.routing.kind >= 84, `fresh12 kind ${x.routing.kind}%`);
    assert.ok(x.routing.coRecall >= 46, `fresh12 co-handlers ${x.routing.coRecall}%`);
  });

  // The fresh13 part (written blind by a tenth hand, 00:55–01:00 UTC on 8 Dec 2026, and rewritten into spoken Chinese by
  // an eleventh, also blind; committed on a side branch, 4c55a90, before the engine ran on it; kept out of the three
  // models' training): its first pass (main 34b152e, 02:37 UTC: the fix12 round, the learned lead model with a duty's
  // lead at 0.9) is the unseen estimate of the code of 8 Dec 2026, 02:35 UTC — emergency recall 90.3 % with 2.4 % false
  // alarms, danger 90.0 % and unit that acts 92.1 % of those flagged, lead 84.1 % (rules alone 78.6 %), kind 81.6 %,
  // co-handlers 43.5 %, emergency agreement 98.1 %. Held as floors (rounded down; emergency agreement 98).
  it('fresh13 part (blind: its first pass): no worse than that', () => {
    const x = report('fresh13');
    assert.ok(x.emergency.recall >= 90, `fresh13 recall ${x.emergency.recall}%`);
    assert.ok(x.emergency.falseAlarms <= 3, `fresh13 false alarms ${x.emergency.falseAlarms}%`);
    assert.ok(ofAll(x.emergency.danger, x) >= 81, `fresh13 danger ${x.emergency.danger}% of ${x.emergency.recall}% flagged`);
    assert.ok(ofAll(x.emergency.actingUnit, x) >= 83, `fresh13 unit that acts ${x.emergency.actingUnit}% of ${x.emergency.recall}% flagged`);
    assert.ok(x.routing.lead >= 84, `fresh13 lead ${x.routing.lead}%`);
    assert.ok(x.routing.kind >= 81, `fresh13 kind ${x.routing.kind}%`);
    assert.ok(x.routing.coRecall >= 43, `fresh13 co-handlers ${x.routing.coRecall}%`);
  });

  it('an emergency in the routing casebook is flagged, and nothing else is', () => {
    for (const part of ['dev', 'held', 'late', 'fresh', 'fresh2', 'fresh3', 'fresh5', 'fresh6', 'fresh7', 'fresh8', 'fresh9', 'fresh10', 'fresh11', 'fresh12', 'fresh13'] as const) assert.ok(report(part).routing.emergencyAgreement >= 98, `${part} ${report(part).routing.emergencyAgreement}%`);
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
