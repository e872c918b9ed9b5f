import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseCsvObjects } from '../../routing/csv';
import { URGENCY_CLASSES, APPEAL_KINDS } from '../../workflow/types';
import { chooseCategory } from '../../routing/suggest';
import { committedRouting, engineOf, requireSharedData, sharedData } from './support';

describe('suggestion for the desk', () => {
  const r = () => committedRouting();

  it('the issue’s example: a broken street lamp in 圣城街道 → complaint, 路灯损坏, 城市管理局, 3 working days', () => {
    const s = r().suggest({ text: '我家楼下的路灯坏了一个星期了，在圣城街道' });
    assert.equal(s.kind, 'complaint');
    assert.equal(s.category, '城乡建设');
    assert.equal(s.eventTypes[0].name, '路灯损坏');
    assert.ok(s.eventTypes[0].confidence > 0.8);
    assert.equal(s.leadUnit, 'cgj');
    assert.equal(s.deadlineClass, 'general');
    assert.equal(s.town, 'shengcheng');
    assert.equal(s.needsOperatorChoice, false);
    assert.ok(s.words.includes('路灯'), 'the operator sees the word that drove it');
  });

  it('offers three event types whose confidences are probabilities in decreasing order', () => {
    const s = r().suggest({ title: '公司拖欠工资', text: '干了半年活老板一分钱工资不发' });
    assert.equal(s.eventTypes.length, 3);
    assert.equal(s.eventTypes[0].name, '拖欠工资');
    for (let i = 1; i < 3; i++) assert.ok(s.eventTypes[i - 1].confidence >= s.eventTypes[i].confidence);
    assert.ok(s.eventTypes.every((e) => e.confidence >= 0 && e.confidence <= 1));
  });

  it('a gas leak is an emergency whatever else is said, and says which words raised it', () => {
    const s = r().suggest({ text: '楼道里闻到很大的煤气味，好像燃气泄漏了', address: '文家街道' });
    assert.equal(s.urgency, 'emergency');
    assert.equal(s.deadlineClass, 'emergency');
    assert.equal(s.emergency?.danger, 'gas');
    assert.ok(s.emergencyTriggers.includes('煤气') && s.emergencyTriggers.some((w) => /味|泄漏/.test(w)), s.emergencyTriggers.join());
    assert.match(s.explanation, /紧急：燃气泄漏/);
    assert.equal(s.eventTypes[0].name, '燃气供应服务');
    assert.equal(s.leadUnit, 'zjj');
    assert.ok(s.coUnits.includes('rqgs'), 'the gas company is sent along');
  });

  it('a risk is not an emergency: “火灾隐患” and “担心倒塌” stay general', () => {
    assert.notEqual(r().suggest({ text: '楼道里堆满杂物，存在火灾隐患' }).urgency, 'emergency');
    assert.notEqual(r().suggest({ text: '老楼墙上裂了很大的缝，担心倒塌' }).urgency, 'emergency');
  });

  it('people trapped in a lift is an emergency for the special-equipment regulator', () => {
    const s = r().suggest({ text: '小区电梯突然停了，有人被困在里面', address: '洛城街道' });
    assert.equal(s.urgency, 'emergency');
    assert.equal(s.eventTypes[0].name, '电梯故障');
    assert.equal(s.leadUnit, 'scj');
  });

  it('a territorial matter in a named town is led by the town (属地管理)', () => {
    const s = r().suggest({ text: '邻居盖房占了我家宅基地，村里也不管', address: '台头镇' });
    assert.equal(s.eventTypes[0].name, '宅基地纠纷');
    assert.equal(s.leadUnit, 'taitou');
    assert.ok(s.coUnits.includes('nyj'));
  });

  it('recognises a consult, a report and a suggestion from their cue words', () => {
    assert.equal(r().suggest({ text: '请问孩子落户需要什么材料' }).kind, 'consult');
    assert.equal(r().suggest({ text: '举报村里有人开赌场聚众赌博' }).kind, 'report');
    assert.equal(r().suggest({ text: '建议在学校门口增设一个红绿灯' }).kind, 'suggestion');
  });

  it('a vague text asks the operator to choose, and says why', () => {
    const s = r().suggest({ text: '你好，我想反映个事情' });
    assert.equal(s.needsOperatorChoice, true);
    assert.ok(s.operatorChoiceReasons.length > 0);
  });

  const bad: Array<[string, unknown]> = [
    ['empty text', { text: '' }],
    ['only spaces', { text: '   \n\t ' }],
    ['emoji only', { text: '😀😡🔥🔥🔥' }],
    ['English', { text: 'The street light outside my house has been broken for a week' }],
    ['garbled ASR', { text: '嗯 那个 啊 就是 呃 喂 喂 听得到吗 嗯 那个 那个' }],
    ['huge text', { text: '路灯坏了。'.repeat(200000) }],
    ['not an object', null],
    ['wrong types', { title: 42, text: ['路灯'], address: {} }],
    ['control characters', { text: '\u0000\u0001\u0002\uFFFF\uD800' }],
  ];
  for (const [what, input] of bad) {
    it(`bad input (${what}) gets a clear answer, never an exception`, () => {
      const s = r().suggest(input as never);
      assert.ok(APPEAL_KINDS.includes(s.kind));
      assert.ok(URGENCY_CLASSES.includes(s.urgency));
      assert.ok(Array.isArray(s.eventTypes) && s.eventTypes.length <= 3);
      assert.equal(typeof s.explanation, 'string');
      if (what !== 'huge text') assert.equal(s.needsOperatorChoice, true, 'the operator decides');
    });
  }

  it('caps a huge text and says so', () => {
    const s = r().suggest({ text: '路灯坏了。'.repeat(200000) });
    assert.equal(s.truncated, true);
    assert.equal(s.eventTypes[0].name, '路灯损坏');
  });

  it('each type says its own category and what put it first; a rule-chosen type says so rather than showing a bare 0 %', () => {
    const ranked = r().suggest({ text: '出租车司机拒载，还绕路多收钱，态度恶劣' });
    assert.equal(ranked.eventTypes[0].basis, 'ranking');
    for (const t of ranked.eventTypes) assert.equal(t.category, r().eventType(t.code)!.category);
    const gas = r().suggest({ text: '俺家厨房一股煤气味 呲呲地响' });
    assert.equal(gas.eventTypes[0].basis, 'danger');
    assert.equal(gas.eventTypes[0].name, '燃气供应服务');
    assert.equal(gas.eventTypes[0].category, r().eventType(gas.eventTypes[0].code)!.category);
    // When the type's category differs from the classifier's, the operator is told where the ticket goes.
    if (gas.category !== gas.eventTypes[0].category) assert.match(gas.explanation, new RegExp(`工单按事项“燃气供应服务”归入“${gas.eventTypes[0].category}”`));
    // A duty that confirms the ranking's own first type keeps the probability (出租车服务, 99 %).
    assert.match(ranked.explanation, /按职责划分/);
    assert.ok(ranked.eventTypes[0].confidence > 0.5);
    const lamp = r().suggest({ text: '俺们庄里的路灯坏了好几个月了，在化龙镇' });
    assert.equal(lamp.leadUnit, 'hualong');
    assert.ok(['village', 'duty'].includes(lamp.eventTypes[0].basis), JSON.stringify(lamp.eventTypes));
  });

  it('the category is the classifier’s, and the top event type belongs to it', () => {
    const s = r().suggest({ title: '出租车拒载', text: '出租车司机拒载，还绕路多收钱，态度恶劣' });
    assert.equal(s.category, '交通运输');
    assert.equal(s.categoryFromEventType, false);
    assert.equal(r().eventType(s.eventTypes[0].code)!.category, s.category);
  });

  it('a clear keyword of a category the classifier was never trained on puts its type first and files the ticket there, the category shown staying the classifier’s', () => {
    for (const [text, category, type] of [['我想给孩子办护照，出入境管理在哪里办', '政法', '出入境证件'], ['我家是低保户，今年低保怎么突然停了，找谁问', '民政', '最低生活保障']]) {
      const s = r().suggest({ text });
      assert.equal(s.eventTypes[0].name, type, text);
      assert.equal(s.eventTypes[0].category, category, text);
      // The category shown is one of the seven the classifier was trained on (the board's own labels).
      assert.ok(engineOf(r()).model.categories.includes(s.category!), `${text}: ${s.category}`);
      assert.notEqual(s.category, category);
      assert.equal(s.categoryFromEventType, false);
      assert.match(s.explanation, new RegExp(`工单按事项“${type}”归入“${category}”（事项关键词明显指向该事项，分类器未学过该分类）`), text);
      // Sure of the type, the desk is not told that the category is unsure.
      assert.ok(!s.operatorChoiceReasons.some((x) => /一级分类把握不足/.test(x)), `${text}: ${s.operatorChoiceReasons.join('；')}`);
    }
  });

  it('the category rule: a passing word of another category does not overrule the classifier; a clear one does', () => {
    const rule = { minEvidence: 2, margin: 2, maxDecision: 0.25, knownMargin: 3, strongMargin: 5, unsure: 0.5 };
    const t = r().taxonomy;
    const idx = (name: string) => t.eventTypes.findIndex((x) => x.name === name);
    const e = engineOf(r());
    const cats = e.model.categories;
    // The classifier: 交通运输, fairly sure (top one-vs-rest score 0.1), the rest low.
    const z = Float64Array.from(cats, (c) => (c === '交通运输' ? 0.1 : -0.8));
    const p = Float64Array.from(cats, (c) => (c === '交通运输' ? 0.7 : 0.05));
    const bus = idx('出租车服务');
    const passport = idx('出入境证件');
    // A weak word for 出入境证件 (evidence 1.5) against 1 for the bus type: the classifier's category stays.
    let c = chooseCategory(e, p, z, true, [
      { index: bus, score: 1, matched: ['出租车'] },
      { index: passport, score: 1.5, matched: ['证件'] },
    ], rule);
    assert.equal(t.categories[c.catIdx], '交通运输');
    assert.equal(c.top[0].index, bus);
    // A clear keyword (evidence 4, 3 more than the bus type's) while no trained category claims the text: 政法.
    c = chooseCategory(e, p, z, true, [
      { index: bus, score: 1, matched: ['出租车'] },
      { index: passport, score: 4, matched: ['护照', '出入境'] },
    ], rule);
    assert.equal(t.categories[c.catIdx], '政法');
    assert.equal(c.fromType, true);
    // The same keyword while the classifier firmly claims the text (score 0.9 ≥ 0.25): the classifier's category stays.
    c = chooseCategory(e, p, Float64Array.from(cats, (c) => (c === '交通运输' ? 0.9 : -0.8)), true, [
      { index: bus, score: 1, matched: ['出租车'] },
      { index: passport, score: 4, matched: ['护照', '出入境'] },
    ], rule);
    assert.equal(t.categories[c.catIdx], '交通运输');
    // Event types are listed in decreasing confidence, the category's own first.
    for (let i = 1; i < c.top.length; i++) assert.ok(c.top[i - 1].confidence >= c.top[i].confidence);
  });

  it('on the real labelled appeals, the top event type belongs to the category shown (or the explanation says why not), and none leaves the seven labelled categories', function () {
    requireSharedData(this);
    const rows = parseCsvObjects(fs.readFileSync(path.join(sharedData, 'appeals-labelled.csv'), 'utf8'));
    let outside = 0;
    for (const row of rows) {
      const s = r().suggest({ title: row.title, text: row.text });
      // The top type is of the category shown, unless a danger, a duty, a village or the lead model put it first, or its
      // keywords did and its category is one the classifier never learnt (the explanation says which).
      if (!/按险情|按职责划分|按属地管理|分类器未学过该分类|按研判模型判断的牵头单位选定/.test(s.explanation)) assert.equal(r().eventType(s.eventTypes[0].code)!.category, s.category, row.title);
      if (!['城乡建设', '劳动和社会保障', '教育文体', '卫生计生', '交通运输', '商贸旅游', '环境保护'].includes(s.category!)) outside++;
    }
    assert.equal(outside, 0, `${outside} of ${rows.length} outside the seven`);
  });

  it('on the real labelled appeals it was trained on, its first-level category agrees with the gold label (fit, not an estimate)', function () {
    requireSharedData(this);
    const rows = parseCsvObjects(fs.readFileSync(path.join(sharedData, 'appeals-labelled.csv'), 'utf8'));
    let agree = 0;
    for (const row of rows) if (r().suggest({ title: row.title, text: row.text }).category === row.label) agree++;
    assert.ok(agree / rows.length > 0.85, `agreement ${agree}/${rows.length}`);
  });

  it('the words shown as evidence are words, never character n-grams that straddle them (村的, 月了)', () => {
    // The classifier itself must choose the category for its words to be shown (with character 1–3-grams the
    // sentence without 污染环境 gets its category from the event-type rule, which shows no classifier words).
    const s = r().suggest({ text: '俺是洛城街道东关村的，俺村东头那个垃圾池子满了得有半个月了没人拉，臭得不行，苍蝇满天飞，污染环境，恁给管管' });
    const shown = /分类“[^”]+”（\d+%），依据：([^；]*)/.exec(s.explanation)?.[1] ?? '';
    assert.ok(shown.includes('垃圾'), s.explanation);
    for (const junk of ['村的', '月了', '人拉']) assert.ok(!shown.includes(junk), `${junk} in ${shown}`);
  });
});
