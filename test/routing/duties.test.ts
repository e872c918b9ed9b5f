// The division of duties (city/demo/duties.json): territorial matters led by the town or
// street office, departmental ones by the competent department, whatever the
// classifier's first guess; checked on the list, phrased as callers do.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseDuties } from '../../routing/duties';
import { parseTaxonomy, parseUnits } from '../../routing/taxonomy';
import { RoutingConfigError } from '../../routing/index';
import { committedRouting, readJsonFile } from './support';
import { loadRouting, type Routing } from '../../routing/index';

// The rules alone: these phrasings were written for the classes the rules were fixed on, so the rules get them by
// construction. The learned lead model (routing/lead-model.ts) overrides some (counted at the end; routing/README.md,
// "The lead unit: the learned second opinion"); the operator sees its opinion on each.
let rules: Routing | null = null;
const r = () => (rules ??= loadRouting({ leadModelFile: null }));
/** Every probe with its expected lead, for the count with the model. */
const probes: Array<[string, string]> = [];
const lead = (text: string) => {
  const s = r().suggest({ text });
  return { lead: s.leadUnit, co: s.coUnits, type: s.eventTypes[0]?.name, explanation: s.explanation };
};

/** One test per appeal: the suggested lead unit is `unit`. */
const expectLeads = (label: string, cases: Array<[string, string]>): void => {
  probes.push(...cases);
  for (const [text, unit] of cases)
    it(`${label}${text}`, () => {
      const x = lead(text);
      assert.equal(x.lead, unit, `${x.type}: ${x.explanation}`);
    });
};

describe('division of duties (属地管理 / 业务主管)', () => {
  const territorial: Array<[string, string, string[]]> = [
    ['俺是田柳镇王家庄的，庄西头的垃圾池子满了，俩月没人拉了', 'tianliu', []],
    ['营里镇 有户人家在村口空地上私搭乱建了一排棚子', 'yingli', []],
    ['纪台镇 俺的承包地合同没到期，村里硬给收走了', 'jitai', ['nyj']],
    ['古城街道 俺和邻居家的宅基地地界一直说不清', 'gucheng', ['nyj']],
    ['侯镇 俺们村的账好几年不公开了，集体资产也不知道去哪了', 'houzhen', ['nyj']],
    ['上口镇 村村通那条路全是坑，三轮车都翻过', 'shangkou', ['jtj']],
  ];
  for (const [text, town, co] of territorial)
    it(`territorial: ${text}`, () => {
      const x = lead(text);
      assert.equal(x.lead, town, `${x.type}: ${x.explanation}`);
      for (const u of co) assert.ok(x.co.includes(u), `${u} co-handles`);
    });

  const departmental: Array<[string, string]> = [
    ['圣城街道 俺们小区外头农圣街上的路灯坏了一排', 'cgj'],
    ['市区那个路口的红绿灯老是闪黄灯', 'gaj'],
    ['俺在工地上干了仨月，包工头一分钱工钱没给', 'rsj'],
    ['化龙镇 有个小卖部囤了好多鞭炮，偷偷卖', 'yjj'],
    ['想开个理发店，营业执照在哪办', 'spj'],
    ['买的房子住了四年，房产证还办不下来', 'zrj'],
    ['俺是退伍老兵，优抚金今年咋还没发', 'tyj'],
    ['结婚登记要带啥材料，周末能办吗', 'mzj'],
    ['小区里野狗成群，晚上追着人叫', 'gaj'],
  ];
  expectLeads('departmental: ', departmental);

  // Classes of misses seen on the held-back and late casebooks, phrased afresh: pay withheld without
  // the word 工资, 户口 as a condition of a school place or a marriage, a veteran who says 退役/当兵,
  // the licence for a shop said as 证, an heir's transfer, feed as a farm input, an elder with no one
  // (特困, the town) against a plain old people's home (民政局), outages with a count in between, a car left at a gate.
  const classes: Array<[string, string]> = [
    ['俺给一个装修老板干了四十多天 他说年底一起结 现在电话也打不通了', 'rsj'],
    ['俺在养鸡场喂了半年鸡 最后仨月的钱一直说过几天给', 'rsj'],
    ['孩子户口在村里 俺在城里租房子 孩子上小学能在城里上吗', 'jyj'],
    ['俺俩户口一个在寿光一个在潍坊 领结婚证去哪领', 'mzj'],
    ['俺是退役士兵 那个一次性的补助发了没有', 'tyj'],
    ['想在集上开个小卖部 得办啥证', 'spj'],
    ['俺娘留下的楼房 要转到俺名下 得带啥', 'zrj'],
    ['买的鸡饲料 鸡吃了光拉稀不下蛋', 'nyj'],
    ['俺村有个老光棍 没儿没女的 六十好几了 能给办个五保不 侯镇的', 'houzhen'],
    ['公办的敬老院一个月得多少钱', 'mzj'],
    ['俺们这片一礼拜停了好几次电 冰箱里的东西都坏了', 'gdgs'],
    ['有辆货车把车停在俺家大门口 一停就是两天 车都开不出去', 'gaj'],
    ['驾照到期了 在哪换 要体检吗', 'gaj'],
  ];
  expectLeads('a class seen on the held-back and late casebooks: ', classes);

  // Classes of misses seen on the fresh casebook, phrased afresh (never a casebook line): a homestead or land
  // certificate to register or rename (不动产登记, not the homestead dispute), a boundary quarrel said as
  // 地垄/界桩 (the town), illegal fund-raising (公安 经侦), trade-in subsidies (商务局), adulterated meat
  // (市场监管局), slaughter for sale (农业农村局), fireworks made in a workshop (应急管理局), a worker hurt and
  // left to pay (人社局 工伤).
  const fresh: Array<[string, string]> = [
    ['俺爹走了 他名下那个宅基证 得过到俺们兄弟名下 咋弄', 'zrj'],
    ['俺家的土地使用证找不着了 想补办一个', 'zrj'],
    ['稻田镇 俺们村两户为了地垄 打了好几架了 界桩都让拔了', 'daotian'],
    ['有个公司到村里拉人投钱 说保本保息 一年给百分之二十', 'gaj'],
    ['旧冰箱以旧换新 能补多少钱 找谁问', 'swj'],
    ['集上有个卖羊肉的 肉里掺了水 一摸黏糊糊的', 'scj'],
    ['俺们庄后有户人家偷着宰牛 拉到集上卖', 'nyj'],
    ['后街有人在民房里生产鞭炮 一屋子火药味', 'yjj'],
    ['俺在车间干活 手指头让机器压断了 老板说不算工伤 医药费也不给', 'rsj'],
  ];
  expectLeads('a class seen on the fresh casebook: ', fresh);

  // Classes of misses seen on the second fresh casebook (fresh2), phrased afresh: a lift added to an old
  // building (住建局), an extension said as 往外扩, a hospital's prescribing (卫健), a shop's card said as
  // 办了一张卡 (商务局), a roadside fuel point (商务局; smuggled oil stays 公安), someone stranded (救助站),
  // the ambulance's fees (急救中心), a utility price hearing (发改局), a family made homeless (临时救助, the
  // town), a manhole at a compound's gate (on the road: 城管局).
  const fresh2: Array<[string, string]> = [
    ['俺们单元想装电梯 一楼的不同意 咋协调', 'zjj'],
    ['俺们楼下一楼那家 把院墙往外扩出去两米', 'cgj'],
    ['大夫给俺爹开了一堆药 好多都用不上 一千多块钱', 'wjj'],
    ['那个健身房 俺办了一张卡 才去了三回就关门了', 'swj'],
    ['城西有个流动加油的 天天拿大桶给人加油', 'swj'],
    ['桥洞底下住着个流浪汉 好几天了 天这么冷', 'mzj'],
    ['救护车拉了一趟 收了俺三百多 这个收费合理不', 'jjzx'],
    ['听说天然气要调价 啥时候开听证会', 'fgj'],
    ['侯镇 俺家房子让大水冲塌了 一家人没地方住 能给点救助不', 'houzhen'],
    ['俺们小区大门口的马路上 井盖碎了', 'cgj'],
    // Right by the ranking's luck before character 1–3-grams shifted it (held-back and late parts), now by a
    // duty: a venue's noise (生态环境局), a product that fails after a few days (市场监管局), a dark trail or square (城管局).
    ['后街那个酒吧 天天放歌 声音老大 吵得孩子睡不着', 'sthj'],
    ['刚买的平板 用了一个礼拜就死机 店里不给换', 'scj'],
    ['广场上晚上黑乎乎的 能不能装几盏灯', 'cgj'],
  ];
  expectLeads('a class seen on the second fresh casebook: ', fresh2);

  // Classes of misses seen on the third fresh casebook (fresh3), phrased afresh: a farm's manure or dirty
  // water let into a ditch or the sea, a workshop melting plastic, crops spoilt by a factory's water (生态环境局,
  // not the village or land contract); fraud said as 冒充 / 把钱打过去, goods of unknown origin, a lorry parked on
  // the road, the traffic police (公安局); labour contracts and jobs for graduates (人社局); a school or kindergarten
  // in a village (教育和体育局, not the town's facilities); a food workshop near a school, goods unlike their label
  // (市场监管局); relics (文旅局); a tax return (税务局); a project filing (发改局); notarisation and free legal
  // advice on a divorce (司法局); outages said as 三天两头, a box transformer (供电公司); fire papers (消防);
  // a gas card is the gas service, not a prepaid card; an elders' canteen (民政局); medical aid (医保局); a family
  // without income (民政 relief, the town when named); army service (退役军人事务局); workers untrained (应急管理局);
  // 早点 meaning "earlier" is not a breakfast stall; a developer's certificate (不动产登记); a marriage with the
  // household register named far from it (民政局).
  const fresh3: Array<[string, string]> = [
    ['俺们庄北边的养鸡场 鸡粪直接往沟里排 苍蝇成群', 'sthj'],
    ['码头那边有条船 天天往海里排废水', 'sthj'],
    ['俺们村后头有个作坊 天天烧塑料 那股味呛死人', 'sthj'],
    ['俺承包的地 叫旁边厂里的污水淹了 玉米都死了', 'sthj'],
    ['有人冒充俺外甥 在微信上借钱 俺转了五千', 'gaj'],
    ['小区里有个人专门收来路不明的电动车', 'gaj'],
    ['一辆拉煤的大车停在路边上 好几天不挪', 'gaj'],
    ['十字路口早上堵成一团 也没个交警管', 'gaj'],
    ['俺在厂子里上了三个月班 试用期过了还不签合同', 'rsj'],
    ['俺儿子今年大学毕业 市里有啥就业见习的岗位', 'rsj'],
    ['俺们村能不能办个幼儿园 小孩都得去镇上上', 'jyj'],
    ['学校后头有个做豆腐的小作坊 里头老鼠乱窜', 'scj'],
    ['网上买的棉被 标签上写的新疆棉 拆开一看以次充好', 'scj'],
    ['俺们村有块清朝的古碑 叫人拉走卖了', 'wlj'],
    ['俺开了个小卖部 每个月的税咋报 不懂', 'swu'],
    ['俺们合作社想上个冷库项目 立项找哪个部门', 'fgj'],
    ['俺想给老人的遗嘱做个公证 去哪办', 'sfj'],
    ['俺和他离婚 孩子跟谁 想找地方免费咨询一下', 'sfj'],
    ['这个礼拜三天两头停电 家里的电器都坏了', 'gdgs'],
    ['楼后头那个箱变 嗡嗡响 一宿一宿的', 'gdgs'],
    ['俺开个小旅馆 消防手续咋办', 'xfjy'],
    ['俺家燃气卡充了钱 表上显示不出来', 'rqgs'],
    ['村里能不能搞个长者食堂', 'mzj'],
    ['俺爹得了尿毒症 看病的钱都花光了 有没有医疗救助', 'ybj'],
    ['俺家就俺一个劳力 腰伤了干不了活 家里没有收入了', 'mzj'],
    ['俺在部队干了十二年 转回来以后的待遇找谁', 'tyj'],
    ['厂里新来的工人没培训就让上机器', 'yjj'],
    ['建议暖气早点开', 'zjj'],
    ['交房五年了 开发商一直办不下证来', 'zrj'],
    ['俺俩想去领结婚证 俺是外地的 听说得带户口本和身份证 还得拍照吗', 'mzj'],
    // A type the catalogue lacked: industrial enterprises' upgrading (工信局).
    ['俺们厂想上一条智能化改造的生产线 有没有扶持', 'gxj'],
  ];
  expectLeads('a class seen on the third fresh casebook: ', fresh3);

  // Classes of misses seen on the fifth fresh casebook (fresh5, written blind), phrased afresh: a 居委会 certificate
  // or a 社区 room (the street office); a leak from the neighbour above (the street office's mediation; the
  // town's mediator, 司法局, when no town is said); a fraud that names 社保 or 医保 (公安局); venue noise, short
  // weight, prepaid cards, blocked exits, burning tyres (生态环境局 / 市场监管局 / 商务局 / 消防 / 生态环境局).
  const fresh5: Array<[string, string]> = [
    ['洛城街道 想让居委会给开个证明 说俺家就俺一个孩子', 'luocheng'],
    ['楼上邻居家洗衣机的管子漏了 水顺着顶往下滴 他家也不管', 'sfj'],
    ['有个短信说俺的医保要冻结 让俺把验证码告诉他', 'gaj'],
    ['那个歌厅天天吵到后半夜 窗户都震得嗡嗡的', 'sthj'],
    ['集上那个卖苹果的 秤不对 二斤少了三两', 'scj'],
    ['城北那个美发店 俺充了三千的卡 现在店没了', 'swj'],
    ['商场的疏散通道让箱子堵着', 'xfjy'],
    ['村东头有人天天烧轮胎炼油 一股黑烟', 'sthj'],
  ];
  expectLeads('a class seen on the fifth fresh casebook: ', fresh5);
  // Found by probing after the fifth round: goods that stop working (市场监管局), a road taken by a stall
  // (城管局), a gas meter's battery is not an outage, extortion (公安局).
  expectLeads('a class found by probing after the fifth round: ', [
    ['买的电动车 骑了一个月电池就不行了 店家不管', 'scj'],
    ['小区门口的马路上 有人天天晚上烧烤 占着路', 'cgj'],
    ['燃气表没电了 换电池去哪换', 'rqgs'],
    ['有人在村口收保护费', 'gaj'],
    // 孙集, the spoken short name of 孙家集; a certificate from the street office itself.
    ['俺是孙集的 村里垃圾没人拉', 'sunjiaji'],
    ['圣城街道办事处 开证明', 'shengcheng'],
    // Things thrown from a window (高空抛物): the police.
    ['有人从楼上扔酒瓶子', 'gaj'],
    // A second probe round: fights and vandalism (公安局; a fight at school stays the school's), a doctor sending
    // patients to an outside pharmacy (卫健局), sick livestock (农业农村局), adoption (民政局), a tax on a sale
    // (税务局), a utility's price (发改局), fraud text messages as such (工信局).
    ['楼下天天有人打架', 'gaj'],
    ['俺家门口的监控被人砸了', 'gaj'],
    ['医院的大夫让俺去外面药店买药', 'wjj'],
    ['俺家的羊得病了 死了好几只', 'nyj'],
    ['俺想领养个孩子 咋办手续', 'mzj'],
    ['卖房子要交多少税', 'swu'],
    ['天然气价格为啥这么高', 'fgj'],
    ['手机老收到诈骗短信', 'gxj'],
    // An elder left without support (捡吃的, 儿女不管) is relief, the town's (民政局 when no town is said); a
    // village's coach service is transport, not the village road.
    ['圣城街道 俺们社区 有个老人没人管 天天在垃圾箱里捡吃的', 'shengcheng'],
    ['俺娘八十了 儿女不管 一个人住在老屋里', 'mzj'],
    ['上口镇 俺们村村通的客车 停了 俺们去城里不方便', 'jtj'],
  ]);

  // Classes of misses seen on the sixth fresh casebook (fresh6, written blind, mostly as transcripts), phrased
  // afresh: a retired worker's funeral grant and pension for survivors (人社局, not 殡葬); a pothole in a city
  // street (城市管理局); a bike lane taken by cars (交警); a machine without a guard (应急管理局, not the
  // occupational-health type); rubbish in a river (水利局, not water pollution); a grid worker's report header
  // (网格员上报) is not a community matter.
  const fresh6: Array<[string, string]> = [
    ['老伴是退休职工 前天没了 丧葬费怎么领', 'rsj'],
    ['东关大街中间有个大坑 车过去咣当咣当的', 'cgj'],
    ['学校门口的非机动车道被汽车占满了', 'gaj'],
    ['厂里的冲床没有防护措施 工人天天提心吊胆', 'yjj'],
    ['城南那段河 水面上全是垃圾 还有死鱼 也没人管', 'slj'],
    ['网格员上报：某社区门前的行道树枯死了好几棵', 'cgj'],
  ];
  expectLeads('a class seen on the sixth fresh casebook: ', fresh6);
  // Found by probing transcripts after the sixth round: an old person living alone who cannot look after
  // himself is 民政局's (养老服务), not 社会生活噪声 for the word 生活; a child left alone is not.
  expectLeads('an old person who cannot look after himself: ', [
    ['我家老人八十多了 一个人 生活不能自理 没人照顾', 'mzj'],
    ['俺奶奶九十多了 一个人住 卧床不起 没人照料', 'mzj'],
  ]);
  // A written plea: 无力支付医疗费用 asks for medical aid (医疗保障局).
  expectLeads('medical aid, written: ', [['书记市长信箱：本人身患重病，家庭困难，无力支付医疗费用，恳请给予救助。', 'ybj']]);
  it('a child with no one to look after him after school is not an old person’s care', () => {
    assert.notEqual(lead('孩子放学没人照顾 学校能不能延时').lead, 'mzj');
  });
  // Classes of misses seen on the seventh fresh casebook (fresh7, written blind in other callers' voices), phrased
  // afresh: food without a maker's name sold at a school gate (市场监管局, not the school); a pedestrian bridge or
  // underpass (城市管理局, whatever 上学 or 过马路 says); tables set out on the road (占道经营, 城管); a shop's
  // loudspeaker luring customers (social-life noise, not the village loudspeaker of 村务, which stays the town's);
  // a mahjong or card room's noise at night (公安 治安, not building-site noise).
  const fresh7: Array<[string, string]> = [
    ['小学门口的小卖部 卖的零食没有生产日期', 'scj'],
    ['建议火车站前面修个人行天桥 老人过马路太难', 'cgj'],
    ['夜市那些烧烤 把桌子摆在马路上 车都过不去', 'cgj'],
    // (生态环境局 in the seventh round; 城市管理局 since the lead round decided noise by its source: a shop's loudspeaker aimed at the street is street order.)
    ['超市门口天天拿音响循环播放促销 吵死了', 'cgj'],
    ['上口镇 村里的大喇叭天天广播 村务也不公开', 'shangkou'],
    ['楼下棋牌室 半夜还在打麻将 吵得睡不着', 'gaj'],
  ];
  expectLeads('a class seen on the seventh fresh casebook: ', fresh7);
  // Utilities (the lead rounds of 7 Dec, afternoon): the company that sells a household its water, power, gas or
  // heat answers for that service (a customer's supply, meter, card, connection, room temperature, payment), as
  // 水务集团 and 供电公司 already did; the department leads what is government's: the heating period, the sector's
  // plans and safety (a gas leak: 住建局 with the gas company, emergency triage), and prices (发展和改革局).
  expectLeads('a utility’s own service, its regulator, its price: ', [
    ['俺们小区暖气片摸着冰凉 屋里穿着棉袄还冷', 'rlgs'],
    ['供暖费在哪交 能不能网上交', 'rlgs'],
    ['房子空着 想把暖气报停 咋办', 'rlgs'],
    ['燃气表换了以后读数不对 去营业厅也没人管', 'rqgs'],
    ['想把燃气灶挪到阳台上 得让燃气公司来改管吗', 'rqgs'],
    ['燃气公司的人态度太差了 问个事爱答不理', 'rqgs'],
    ['今年啥时候供暖 能不能提前几天', 'zjj'],
    ['暖气费按建筑面积收 这合理吗', 'fgj'],
    ['燃气初装费要两千多 这个收费标准是谁定的', 'fgj'],
  ]);
  // Noise goes to the unit that governs its source (the lead round): people's activities in a public place (广场舞) are the
  // police's (治安), a premises' own noise (歌厅, KTV) 生态环境局's, a shop's loudspeaker aimed at the street 城市管理局's
  // (街面秩序, as 占道 and 店外经营), a village's square dance the town's.
  expectLeads('noise by its source: ', [
    ['小区门口那条街上 跳广场舞的 音箱震得窗户响 天天到十点', 'gaj'],
    ['侯镇 俺们村里晚上跳广场舞 音响太大了', 'houzhen'],
    ['商场门口那家店天天放大喇叭招揽顾客 吵死了', 'cgj'],
    ['对面酒吧的低音炮一直响到后半夜', 'sthj'],
  ]);
  // Other classes of the lead round: dead livestock or poultry thrown away (农业农村局, 无害化处理) even in a village;
  // a price tag unlike the till (市场监管局); a field's ditch or channel (农田水利: the town, 水利局 when no town is
  // said); a river's steps and railings (水利局); goods that burn kept where people sleep (消防); a family whose
  // earner met with an accident asking for relief (the town); a social organisation (民政局); a town's own service
  // centre (the town); a 社区's small square (the street office).
  expectLeads('a class of the lead round: ', [
    ['村东头有人把死鸭子扔到河沟里', 'nyj'],
    ['超市里鸡蛋标价六块五 结账的时候按七块五收的', 'scj'],
    ['俺家麦地边上那条水渠堵了 浇地浇不上', 'slj'],
    ['河边的护栏断了好几截 晚上走路怕掉下去', 'slj'],
    ['一楼那个门市 里头放着好几桶汽油 楼上住着人', 'xfjy'],
    ['稻田镇 俺男人在工地上出了事 家里就剩俺和老人 能有啥补助不', 'daotian'],
    ['有个协会打电话说要给俺评个奖 得交三千块钱', 'mzj'],
    ['洛城街道的便民服务中心几点下班', 'luocheng'],
    ['圣城街道 俺们社区那个小广场能不能装几个健身器材', 'shengcheng'],
  ]);
  // The lead round's second batch: illegal fishing (农业农村局 渔政; the catalogue had no type), shared bikes and street
  // benches or drinking fountains (城管局), a dike's reinforcement (水利局, not the town's flood response), a curb beside a
  // bus stop (the road, 城管局), a property company letting common parts (住建局, not a lift fault; 绿地租出去 is no land
  // rent).
  expectLeads('a class of the lead round, second batch: ', [
    ['河边上有人拿着电瓶电鱼', 'nyj'],
    ['街上的共享电单车堵着盲道', 'cgj'],
    ['建议在商业街多放几个长椅 逛累了没地方坐', 'cgj'],
    ['俺们那个小区后面的河堤 能不能加固一下', 'slj'],
    ['汽车站门口那段马路牙子陷下去了', 'cgj'],
    ['物业把小区的绿地租出去给人放广告 钱去哪了也不说', 'zjj'],
    ['俺家的承包地租出去了 租金一直不给', 'nyj'],
  ]);
  // Classes seen on the eighth casebook (fresh8, blind), phrased afresh: a villager's own house on farmland (the town)
  // and a pond dug in farmland (自然资源局); dogs loose in a village (the town) and a dog that bit someone (公安局, a
  // village too); passports (公安局); a dismissal without compensation (人社局); big medical bills (医保局); a fixed tax
  // (税务局) and social insurance fees deducted twice (税务局, the collector); a utility's price level (发改局) and a
  // household's tiered bill explained (供电公司); an employer not paying 公积金 (公积金中心); outages counted (供电公司);
  // an owners' committee (住建局); a children's training class gone (教育和体育局); a dike dug for soil (水利局).
  expectLeads('a class seen on the eighth fresh casebook: ', [
    ['纪台镇 俺们村有户人家在麦地里起房子 都上梁了', 'jitai'],
    ['有人把村西头的基本农田挖成了养鱼池', 'zrj'],
    ['田柳镇 俺们村的狗都散养着 晚上成群的叫', 'tianliu'],
    ['侯镇 俺们村东头那户的狗把俺孙子咬了一口', 'gaj'],
    ['港澳通行证到期了 去哪续', 'gaj'],
    ['公司突然把我辞退了 一分钱补偿没有', 'rsj'],
    ['俺爹住院做手术 花了十几万 家里实在拿不出来了', 'ybj'],
    ['俺开个小饭馆 定额税咋定的', 'swu'],
    ['社保费在税务那边重复扣了', 'swu'],
    ['自来水的价格是谁定的 比邻县贵', 'fgj'],
    ['电价阶梯到底咋算的 俺家这个月四百多度', 'gdgs'],
    ['干了两年了 公司不给交公积金', 'gjj'],
    ['这个月停了四回电 也不通知', 'gdgs'],
    ['俺们小区想成立业委会 找谁', 'zjj'],
    ['孩子报的美术班交了一年的钱 老板跑了', 'jyj'],
    ['村后那段河堤 天天有人开着车来挖土', 'slj'],
  ]);
  // Occupational disease stays with its own type (人社局, 卫健局 and 应急管理局 co-handling).
  expectLeads('occupational health: ', [['俺在厂里干了十年 查出尘肺病 厂里一直没有防护措施', 'rsj']]);

  // Classes missed on the ninth fresh casebook (blind), phrased afresh: a paper from elsewhere asked as a
  // condition (外地户口 to join a pension, 外地身份证 for a licence, 外地驾照 for a ride-hailing permit), wages on a
  // site said as 一分钱也没给, a power account (开户通电), a clinic's or pharmacy's licence, 慢病认定, outages
  // counted, a gas prepayment not shown, the maintenance fund, a pump that gives short, graves on farmland,
  // special operations without papers, a parking charge or a grain price, a crowded rental's fire safety,
  // neighbours' noise by what they do, hail on crops, a factory letting out its smell at night, scrapped cars,
  // rural e-commerce, social insurance fees paid to the tax office, a watchman's hut on contracted land
  // (设施农用地), and the look-alikes: a new street lamp not yet lit, a ground-floor shop front broken out.
  expectLeads('第九部分的类别：', [
    ['我是外地户口 想交个职工养老保险 能参保吗', 'rsj'],
    ['想办个营业执照开小吃店 外地身份证能办不', 'spj'],
    ['我想跑网约车 网约车驾驶员证去哪考 外地的驾照行不行', 'jtj'],
    ['在工地上给人干了半年 包工头一分钱也没给 要过年了', 'rsj'],
    ['新房子要开户通电 需要带什么材料', 'gdgs'],
    ['开个药店需要办哪些证', 'spj'],
    ['慢病认定要去哪办 我有高血压', 'ybj'],
    ['俺这片一个礼拜停一回电 啥也干不成', 'gdgs'],
    ['燃气费在手机上预存了三百 表里没显示', 'rqgs'],
    ['小区楼顶漏水 物业说要动用维修资金 一直批不下来', 'zjj'],
    ['加油站的加油机不准 加了三百块钱的油 油表才跳一点点', 'scj'],
    ['网格员报：某村有人在麦地里修坟立碑。', 'mzj'],
    ['车间让我们无证上岗开叉车 焊工证也没有', 'yjj'],
    ['建议调低医院周边停车场的收费标准', 'fgj'],
    ['今年收麦子 收购点给的价比最低收购价还低', 'fgj'],
    ['网格员报：某出租屋隔成十几间，电线私拉乱接，没有消防设施。', 'xfjy'],
    ['楼上半夜老是蹦跶 还摔东西 吵得睡不着', 'gaj'],
    ['俺家大棚的黄瓜叫冰雹打了 全冻坏了 有啥补助不', 'nyj'],
    ['那个厂一到晚上就偷着排 放味儿 呛得慌', 'sthj'],
    ['村东头有人偷着拆报废汽车 油淌一地', 'swj'],
    ['想在村里开个电商服务站 有啥扶持', 'swj'],
    ['灵活就业的社保费手机上咋缴 一直缴不上', 'swu'],
    ['我在承包地里建个看护房 需要去哪备案', 'zrj'],
    ['东边新修的路灯一直没通电 晚上黑乎乎的', 'cgj'],
    ['网格员报：某社区一楼住户破墙开门做生意，需执法部门处理。', 'cgj'],
    ['田柳镇俺村有个五保户 房子快不行了 想给他报个农村危房改造', 'tianliu'],
  ]);

  // The lead10 round (fresh10's lead misses by class; new phrasings, none of the part's): construction matters
  // are 住建局's (a site's safety, a certificate held up by the acceptance check, a compound's own boiler house);
  // a utility's own service (gas cut or never connected, heating stopped on request, a line hanging low); land
  // (sand dug in fields, a compound raised on farmland, asking for land-use papers); the village's own affairs
  // (a committee's seal, dividends, idle collective buildings, land let out, a contract ending, weddings and
  // funerals); a village house about to fall (the town); wages docked by a station manager; a price board missing;
  // a landlord reselling power; a prepaid card after the owner changed; fishing subsidies; gas bottles refilled in
  // a workshop; batteries stolen; a cooperative's registration; a car part swapped. And the look-alikes.
  expectLeads('lead10 轮的类别：', [
    ['工地上干活的连安全带都没有 塔吊底下也不拉警戒线', 'zjj'],
    ['厂里车间的工人上岗从来不培训 机器也没有防护措施', 'yjj'],
    ['楼盘交房两年了 说是竣工验收还没备案 房产证一直办不了', 'zjj'],
    ['我想给房子过户 房产证在哪办', 'zrj'],
    ['俺们单位宿舍楼是自己烧锅炉 锅炉房不烧了 屋里才十度', 'zjj'],
    ['暖气不热 屋里才十五度 热力公司也不来看', 'rlgs'],
    ['俺家燃气停了两天了 也不说为啥', 'rqgs'],
    ['新房子管道气装好半年了 燃气公司迟迟不通气', 'rqgs'],
    ['今年冬天出去打工不在家 暖气想报停', 'rlgs'],
    ['俺们村头的电线耷拉下来了 拉粮食的车过不去', 'gdgs'],
    ['有人在俺们庄的麦地边上开着铲车挖沙卖', 'zrj'],
    ['河里有人半夜抽沙 河床都挖深了', 'slj'],
    ['有人在基本农田上圈了一大片 盖起了厂房', 'zrj'],
    ['村里想在集体的空地上建个加工厂 用地审批咋办', 'zrj'],
    ['稻田镇 俺们村的章老盖不上 村主任找不着人 开个证明跑了五趟', 'daotian'],
    ['俺是嫁出去的闺女 户口还在村里 村里的分红不给俺了 稻田镇的', 'daotian'],
    ['稻田镇俺村那个闲置的村委大院 建议改成卫生室', 'daotian'],
    ['稻田镇 俺家的地流转给合作社了 一年的钱都没给', 'daotian'],
    ['稻田镇 俺承包村里的果园到期了 村里不让续', 'daotian'],
    ['稻田镇 村里红白事越办越大 建议管管', 'daotian'],
    ['稻田镇 俺们村东头那间没人住的老屋 墙都歪了 路过的都绕着走', 'daotian'],
    ['俺送外卖的 平台的站长天天罚我们 一单超时扣二十', 'rsj'],
    ['洗车店门口连个价格牌都没挂 洗完要八十', 'scj'],
    ['二房东收电费 一度电收一块二', 'scj'],
    ['健身房换了老板 以前的卡作废了 里头还有三千', 'swj'],
    ['俺是打鱼的 今年的渔业油补咋还没发', 'nyj'],
    ['村里有个黑窝点 拿大罐往小瓶里倒气 卖给饭店', 'yjj'],
    ['俺们楼下的电瓶车这个月老丢电瓶', 'gaj'],
    ['想开个网店 个体户执照在哪注册', 'spj'],
    ['修车厂给换的是翻新件 收的新件的钱', 'scj'],
    ['台头镇 俺们村浇麦子的泵站坏了半个月了 没人修', 'slj'],
    ['台头镇 俺们村地头的排水沟堵死了 一下雨就淹', 'taitou'],
  ]);

  expectLeads('lead11 轮的类别：', [
    ['半夜十二点了楼下还在放二踢脚 吵得孩子睡不着', 'gaj'],
    ['大年三十晚上 对门一直放炮到两点', 'gaj'],
    ['过年城区能放烟花吗 哪几天让放', 'yjj'],
    ['俺们村想过年放烟花 有啥规定', 'yjj'],
    ['小卖部后屋里堆了好几箱鞭炮 旁边就是住户', 'yjj'],
    ['俺那辆开了十五年的老桑塔纳想报废 去哪报废 给补贴不', 'swj'],
    ['老丈人那辆三轮车十几年了 想拿去报废 给多少钱', 'swj'],
    ['我是韩国人 在寿光工厂上班 居留许可快到期了 在哪里续', 'gaj'],
    ['外国朋友来寿光玩 签证快到期了 能在这续吗', 'gaj'],
    ['单位想组织学急救 心肺复苏 能请急救中心来讲课吗', 'jjzx'],
    ['想学学海姆立克急救法 哪有培训', 'jjzx'],
    ['二三四省道化龙那段 路面裂得一道一道的 大车一过直颠', 'jtj'],
    ['县道上那个桥的护栏撞坏了好几天了也没人修', 'jtj'],
    ['二零六国道寿光段 有个坑 好几辆车爆胎了', 'jtj'],
    ['市政务服务中心 窗口中午十一点半就没人了', 'spj'],
    ['政务大厅门口停车太难 转三圈没位置', 'spj'],
    ['稻田镇便民服务中心 上班时间找不到人', 'daotian'],
    ['燃气费一个方多少钱 阶梯咋算的', 'rqgs'],
    ['电费单上写着第二阶梯 俺看不懂 这个月咋这么多', 'gdgs'],
    ['俺在物业干保洁 这个月工资少给了三百 问也不说为啥', 'rsj'],
    ['俺在饭店端盘子 老板这个月少发了五百 说是扣的', 'rsj'],
    ['俺家孩子判了缓刑 社区矫正去哪报到', 'sfj'],
    ['俺是社区矫正人员 想请假去外地看病 找谁批', 'sfj'],
    ['俺家电视一到晚上就花屏 听说附近有人架了个大天线干扰', 'gxj'],
    ['村里有人架了个黑广播 天天卖药', 'gxj'],
    ['想考个叉车证 去哪报名', 'scj'],
    ['加油站加了三百块钱的 回来一看油表才上来一格', 'scj'],
    ['公司的年报忘了报了 被列进经营异常名录了 咋移出来', 'scj'],
    ['公司被列入经营异常名录 影响贷款 咋弄', 'scj'],
    ['孩子在学校住宿 宿舍里冻得睡不着 暖气片冰凉', 'jyj'],
    ['学校教室里冷得坐不住 孩子手都冻了', 'jyj'],
    ['今年能不能提前几天供暖 老人受不了', 'zjj'],
    ['建议今年供暖期延长几天 三月还冷', 'zjj'],
    ['俺们镇上小区没有集中供暖 啥时候能通上暖气', 'zjj'],
    ['暖气费能不能提前交 在哪交', 'rlgs'],
    ['暖气管网漏水 路上都结冰了', 'rlgs'],
    ['家里暖气管子漏水了 地板都泡了', 'rlgs'],
    ['俺家装的光伏想并网 找谁', 'gdgs'],
    ['新买的旋耕机用了一个月齿轮就碎了 经销商不管', 'nyj'],
    ['收割机才买了半年 变速箱就坏了 厂家推来推去', 'nyj'],
    ['海边有人私自圈滩涂养参 不知道有没有手续', 'zrj'],
    ['村外海边的滩涂叫人围起来养鱼了', 'zrj'],
    ['去年夏天发水 俺家屋子泡塌了 救灾的钱到现在没见着', 'yjj'],
    ['今年发大水受灾的 补助啥时候发', 'yjj'],
    ['工厂招工先交五百押金 干了一个月走了 押金不退', 'rsj'],
    ['应聘保安 先交了八百服装费 没上几天班就说不要了', 'rsj'],
  ]);

  expectLeads('lead11 轮的类别，第二批：', [
    ['暖气片往下滴水 地上都湿了', 'rlgs'],
    ['隔壁盖房子 屋檐滴水滴到俺院里 营里镇的', 'yingli'],
    ['街口那家美容店给人打瘦脸针 打针的不是正规医生', 'wjj'],
    ['村西头有人用铲车挖土卖 一车三百', 'zrj'],
    ['孩子上初中 学区怎么划片的', 'jyj'],
    ['麦收完了 纪台镇俺村有人在地里烧麦茬 呛得不行', 'jitai'],
    ['俺们庄东头天天烧玉米秸 侯镇的', 'houzhen'],
    ['今年芹菜压在棚里卖不动 一斤才三毛', 'nyj'],
    ['问一下 开个小饭店 消防手续咋办', 'xfjy'],
    ['医院停车场一个钟头收五块 这价格谁批的', 'fgj'],
    ['电费单上写的第三档 俺看不懂 俺家这个月咋交了三百多', 'gdgs'],
    ['俺爹瘫在床上 想叫个救护车拉一趟去医院复查', 'jjzx'],
    ['俺在木器厂打磨车间 木屑粉尘满屋子飞 也没个除尘的', 'yjj'],
    ['上口镇便民服务中心 下午三点就没人了', 'shangkou'],
    ['燃气费多少钱一方 那个阶梯到底是咋算的', 'rqgs'],
    ['城东那块地原来规划是学校 咋又规划变更盖商品房了', 'zrj'],
    ['水库边上天天有人游野泳 也没人管', 'slj'],
    ['村口废品站专收人家偷来的井盖', 'gaj'],
    ['俺钱包丢了 身上没钱 回不了家了 在汽车站', 'mzj'],
    ['个体户营业执照不想干了 咋注销', 'spj'],
    ['加油站加了一百块的油 油表才走一点 感觉少加了', 'scj'],
    ['村外沟里有人倒废液 一股化学味', 'sthj'],
    ['稻田镇 俺村村集体的地 叫村干部偷偷租出去了 钱不知道去哪了', 'daotian'],
    ['建议暖气按热计量收费 不住人的房子也交全价不合理', 'fgj'],
    ['俺们渔船的渔业柴油补贴啥时候发', 'nyj'],
  ]);

  expectLeads('lead11 轮的类别，第三批：', [
    ['集上卖猪肉的 肉上也没个检疫章', 'scj'],
    ['俺村有人在家里杀猪卖肉 也没检疫', 'nyj'],
    ['下大雪了 俺一个老婆子扫不动 文家街道的 能不能来人帮帮', 'wenjia'],
    ['昨晚的大风把俺家棚子刮塌了 能不能找人帮帮 台头镇的', 'taitou'],
    ['有个收废品的院子 专收村里偷的电缆', 'gaj'],
    ['打了个出租车 司机绕了一大圈 这不宰人吗', 'jtj'],
    ['学校旁边的小区暖气不热 屋里才十五度', 'rlgs'],
    ['厂里宿舍里冷得睡不着 暖气片不热', 'rlgs'],
    ['公司注销了 俺的社保咋办', 'rsj'],
    ['村东那个厂子车间的粉尘都排到外面来了 俺们村全是灰', 'sthj'],
  ]);

  it('with the learned lead model, the blend keeps the rules\' lead on at least the share of these probes measured', () => {
    // Measured 8 Dec 2026 (shipped settings): the model overrides 4 of the probes' rules' leads (17 before a duty's lead
    // needed 0.9 to be overruled; see the README).
    let kept = 0;
    const over: string[] = [];
    for (const [text, unit] of probes) {
      if (committedRouting().suggest({ text }).leadUnit === unit) kept++;
      else over.push(text);
    }
    console.log(`      ${probes.length - kept} of ${probes.length} probes overridden by the model`);
    assert.ok(probes.length > 250, `${probes.length} probes`);
    assert.ok(kept >= probes.length - 4, `${probes.length - kept} of ${probes.length} overridden: ${over.join(' | ')}`);
  });

  it('the city side of the territorial line: a village type chosen for a matter in a street office becomes the department’s', () => {
    const s = r().suggest({ text: '圣城街道那边有户人家在自家楼顶上又接了一层铁皮房' });
    assert.equal(s.leadUnit, 'cgj', s.explanation);
    assert.equal(r().suggest({ text: '圣城街道 俺们村有户人家在村口私搭乱建了一排棚子' }).leadUnit, 'shengcheng');
  });

  it('the operator sees which duty decided and why', () => {
    assert.match(lead('俺在工地上干了仨月，包工头一分钱工钱没给').explanation, /按职责划分：欠薪不论在工厂还是建筑工地/);
    const s = r().suggest({ text: '俺爹想去养老院，公办的养老院咋申请' });
    assert.equal(s.leadUnit, 'mzj');
    assert.equal(s.operatorChoiceReasons.length, 0, 'the duty decides: no low-confidence question');
  });

  it('a duty leaves the classifier’s type when it is already one of the matter’s (退伍安置 stays 退役军人安置)', () => {
    const s = r().suggest({ text: '俺儿子刚退伍，安置工作咋弄' });
    assert.ok(['退役军人安置', '退役军人优抚'].includes(s.eventTypes[0].name));
    assert.equal(s.leadUnit, 'tyj');
  });

  it('every duty names a type of the catalogue whose lead matches its principle (town-led for territorial)', () => {
    const doc = readJsonFile('city/demo/duties.json');
    for (const d of doc.duties) {
      const t = r().taxonomy.byCode.get(d.eventType)!;
      assert.ok(t, d.code);
      assert.equal(t.territory === 'town', d.principle === 'territorial', `${d.code}: ${t.code} ${t.territory}`);
    }
  });

  it('the duties file is validated at load, naming every problem', () => {
    const units = parseUnits(readJsonFile('city/demo/units.json'));
    const taxonomy = parseTaxonomy(readJsonFile('city/demo/event-types.json'), units);
    const doc = readJsonFile('city/demo/duties.json');
    doc.duties[0].patterns.push({ all: ['NO_SUCH'] });
    doc.duties[1].eventType = 'XX-0000';
    const dibao = doc.duties.find((d: { code: string }) => d.code === 'dibao');
    dibao.eventType = 'MZ-0201';
    assert.throws(
      () => parseDuties(doc, taxonomy),
      (e: Error) => e instanceof RoutingConfigError && /NO_SUCH/.test(e.message) && /XX-0000/.test(e.message) && /必须由镇街牵头/.test(e.message),
    );
  });

  it('the committed rule files define no word class twice (JSON would keep the last one silently and drop the first list)', () => {
    for (const rel of ['city/demo/duties.json', 'city/demo/dangers.json']) {
      const text = fs.readFileSync(path.join(__dirname, '../..', rel), 'utf8');
      const inConcepts = text.slice(text.indexOf('"concepts"'));
      const names = [...inConcepts.matchAll(/^  "([A-Za-z_]+)": \[/gm)].map((m) => m[1]);
      assert.ok(names.length > 20, rel);
      assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), [], rel);
    }
  });
});
