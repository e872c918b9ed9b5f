// Appeal kind (咨询 / 投诉 / 求助 / 举报 / 建议) from the cues callers use. The
// training data carries no kind labels, so this is a transparent rule set: weighted
// cue phrases (one pass of a phrase index; a cue inside a longer cue counts once)
// and a few shapes that callers use without the telling word:
// - 举报 without the word: someone else doing something forbidden (偷偷, 私自, 往河里排,
//   没有执照, 有人在…卖, 我要反映他们);
// - 求助: hardship and distress (实在没办法, 拿不出钱, 没儿没女, 被骗了咋办啊), and every
//   emergency;
// - a question inside a complaint is still a complaint (水费咋这么高？是不是表坏了);
// - no cue at all → complaint, the most common kind.
// The operator sees the cues and corrects the kind when it is wrong.
import { APPEAL_KINDS, type AppealKind } from '../workflow/types';
import type { KindOpinion } from './kind-model';
import { PhraseMatcher, type PhraseHit } from './phrases';
import { firstUnits } from './regex-start';

const CUES: Record<AppealKind, Array<[string, number]>> = {
  consult: [
    ['咨询', 3], ['请问', 3], ['想问', 3], ['问一下', 3], ['问问', 3], ['想了解', 3], ['打听', 2], ['怎么办理', 3], ['如何办理', 3],
    ['咋办理', 3], ['咋申请', 3], ['怎么申请', 3], ['如何申请', 3], ['咋领', 3], ['怎么领', 3], ['在哪办', 3], ['在哪里办', 3],
    ['去哪办', 3], ['在哪领', 3], ['在哪交', 2], ['在哪打', 2], ['在哪考', 2], ['在哪换', 2], ['在哪补', 2], ['在哪报名', 2],
    ['去哪换', 2], ['去哪申请', 2], ['在哪能', 2], ['在哪', 1], ['去哪', 1], ['需要什么', 2], ['需要啥', 2], ['要带啥', 2], ['带什么', 2],
    ['要啥材料', 2], ['啥手续', 2], ['什么手续', 2], ['什么材料', 2], ['啥材料', 2], ['办啥', 2], ['啥证', 2], ['多少钱', 1],
    ['能办吗', 2], ['能领吗', 2], ['能用吗', 2], ['能上吗', 2], ['能报多少', 2], ['能贷多少', 2], ['能领多少', 2], ['咋交', 2],
    ['咋用', 2], ['咋算', 2], ['咋提', 2], ['咋弄', 1], ['咋办', 1], ['咋办的', 1], ['咋补办', 3], ['怎么补办', 3], ['能补办', 2], ['补办', 1],
    ['有啥补贴', 2], ['有什么补贴', 2], ['有没有补贴', 2], ['有啥政策', 2], ['有没有', 1], ['啥时候', 1], ['什么时候', 1],
    ['多长时间', 1], ['多久', 1], ['标准是多少', 2], ['是多少', 1], ['归谁管', 3], ['找谁', 2], ['是不是', 1], ['吗', 1],
    ['怎么填', 2], ['怎么算', 2], ['咋收费', 2], ['听说有', 2], ['政策', 1], ['需要审批', 2], ['能不能办', 2], ['怎么咨询', 2], ['怎么交', 2], ['如何交', 2], ['怎么弄', 1], ['怎么预约', 3], ['预约', 2], ['能不能申请', 2], ['有啥规定', 2], ['有什么规定', 2], ['得多少', 1], ['想找个', 1],
    ['是找谁', 3], ['找哪个', 2], ['要准备', 2], ['准备啥', 2], ['咋填', 3], ['咋写', 2], ['怎么写', 2],
    // Office hours (便民服务中心几点下班, 周六上不上班).
    ['几点上班', 2], ['几点下班', 2], ['几点开门', 2], ['几点关门', 2], ['上不上班', 2], ['办公时间', 2],
    // The fifth blind writer's questions (fresh8, lead round): can I make up, why did it change, who sets it, how often.
    ['能不能补', 3], ['不知道为啥', 2], ['是谁定的', 2], ['能提几回', 3], ['能提多少', 3], ['要多少钱', 2],
    // The ninth blind writer's questions (fresh9): how to pay a fee online, what it costs, where to get approval.
    ['怎么缴', 2], ['如何缴', 2], ['怎么收费', 2], ['去哪批', 3], ['找哪批', 3], ['在哪批', 3],
    // The twelfth blind writer's questions (fresh12): returnees' Cantonese and Hokkien (可唔可以, 点样, 按怎), I want to know,
    // 要不要 (not 要不要脸, a complaint's scorn).
    ['可唔可以', 3], ['点样', 3], ['按怎', 3], ['我想知道', 3], ['想知道', 2], ['要不要', 2], ['需不需要', 2], ['要不要脸', 0],
  ],
  complaint: [
    ['投诉', 3], ['不给', 2], ['没给', 2], ['不退', 2], ['不管', 2], ['没人管', 2], ['管不了', 1], ['不处理', 2], ['不作为', 2],
    ['推诿', 2], ['推着', 2], ['拖着', 2], ['拖欠', 1], ['扣着', 2], ['态度', 2], ['太贵', 2], ['太高', 2], ['太差', 2], ['太少', 1],
    ['乱收费', 2], ['坑人', 2], ['坏了', 1], ['扰民', 2], ['不认', 2], ['爱答不理', 2], ['涨了', 1], ['涨价', 1], ['少发', 2],
    ['不修', 2], ['没人修', 2], ['受不了', 2], ['睡不着', 2], ['咋这么', 3], ['怎么这么', 3], ['凭什么', 3], ['为啥不', 2],
    ['为什么不', 2], ['不合理', 2], ['多收', 2], ['不公平', 2], ['没人来', 2], ['没人接', 2], ['打不通', 1], ['占线', 1],
    ['跑了三趟', 2], ['跑了好几趟', 2], ['来回跑', 2], ['甩客', 2], ['拒载', 2], ['绕路', 2], ['不打表', 2], ['一直没', 2],
    ['还没给', 2], ['还没发', 2], ['没发', 2], ['三天两头', 2], ['天天', 1], ['老是', 1], ['好几天', 1], ['半个月', 1], ['有意见', 2],
    ['不达标', 2], ['不开门', 1], ['不让', 1], ['说话不算', 2], ['不认账', 2], ['强制', 2], ['甩脸子', 2], ['臭得', 1], ['吵得', 1],
    // Impatience and loss: 到底啥时候, 到现在也没, a business gone with the money (老板跑了, 这钱找谁要), goods that do nothing.
    ['到底啥时候', 3], ['到底什么时候', 3], ['到现在没', 2], ['到现在也没', 2], ['老板跑了', 2], ['跑路了', 2], ['人找不着', 2],
    ['找不着了', 1], ['找谁要', 3], ['一点用没有', 2], ['一点用也没有', 2], ['一点效果没有', 2],
    // A count of people (十来个人, 百来个人) is not asking for someone to come (来个人).
    ['十来个人', 0], ['百来个人', 0],
    // A delay or a failure said first, then the question why (至今未报销，请问原因？ 一直办不下来…到底卡在哪了,
    // 至今未建…管不管？): the question is the complaint's, not a consult.
    ['至今未', 2], ['至今没', 2], ['至今也没', 2], ['办不下来', 2], ['一直办不下来', 3], ['卡在哪', 3], ['请问原因', 3], ['是什么原因', 2], ['管不管', 3],
    ['管一管', 3], ['管管', 2],
    // A rhetorical question is a complaint, not a consult (这合理吗, 你说这找谁, 找谁说理去); being sent
    // back and forth between bodies (推来推去, 说不归他们管).
    ['这合理吗', 3], ['合理吗', 2], ['这合理不', 3], ['合理不', 2], ['你说这找谁', 3], ['这找谁去', 3], ['找谁说理', 3],
    ['推来推去', 3], ['踢皮球', 3], ['不归他们管', 2], ['说不归', 2],
    // Asked again and again: 到底有没有人管, 这都第三回了 (有没有 there is not a question).
    ['有没有人管', 3], ['到底有没有', 3], ['第三回了', 2], ['好几回了', 2], ['第二回了', 2], ['多少回了', 2],
    // Whether something done to the caller is allowed (这个合规吗): rhetorical, as 这合理吗 (这样合法吗 about one's own
    // case, with what follows from it, stays a question).
    ['合规吗', 3], ['合规不', 3],
    // No notice given, something wrong with the meter, the other side against it, staff who brush one off.
    ['凭啥', 3], ['没通知', 2], ['不通知', 2], ['有毛病', 2], ['都不同意', 3], ['一问三不知', 3], ['嫌俺烦', 3], ['嫌我烦', 3],
    // A purchase found short or adulterated at home (回家一称, 回家一炖全是水): the buyer's own loss, a complaint
    // (reporting a seller one has not bought from stays a report).
    ['回家一称', 4], ['回家一炖', 4], ['回来一称', 4], ['回家一看', 2],
    // Rhetorical questions inside a complaint (这玩意正常吗, 不是说免费的吗, 是不是…有问题, 环卫都去哪了), a promise
    // broken (说好的十五分钟一趟), wages owed said as 一分钱都没给 (outweighs 给俺做主).
    ['正常吗', 3], ['不是说', 2], ['不是免费的吗', 3], ['有问题', 2], ['都去哪了', 2], ['说好的', 2], ['等了半天', 2],
    ['一分钱都没给', 3], ['一分钱没给', 3], ['一分都没给', 3], ['一分钱也没给', 3],
  ],
  help_request: [
    ['求助', 3], ['求求', 3], ['帮帮', 3], ['帮忙', 2], ['救助', 2], ['救济', 2], ['困难', 2], ['走投无路', 3], ['没办法了', 3],
    ['实在没办法', 3], ['拿不出', 3], ['俺没钱', 2], ['家里没钱', 2], ['没钱请', 2], ['没钱看', 2], ['没钱交', 2], ['没钱翻修', 2], ['没钱治', 2], ['看不起病', 3], ['能不能帮', 3], ['想想办法', 3], ['咋办啊', 2], ['怎么办啊', 2],
    ['可咋办', 2], ['该咋办', 2], ['调解', 2], ['低保', 1], ['干不了活', 2], ['瘫', 2], ['没儿没女', 3], ['无儿无女', 3], ['路费', 2],
    ['被骗', 2], ['被人骗', 2], ['让人骗', 2], ['骗了', 2], ['安全账户', 2], ['刷单', 2], ['法律援助', 2], ['流浪汉', 2], ['流浪人员', 2], ['乞讨', 2], ['敬老院', 1],
    ['有啥救助', 3], ['有没有啥救助', 3], ['孤寡', 2], ['生病', 1], ['有病', 1], ['没人照顾', 2], ['太难了', 2], ['流浪的', 2], ['冻得', 1], ['办个低保', 2], ['人不见了', 1], ['过不下去', 3], ['没饭吃', 3],
    // Asking for someone to be sent (来个技术员给看看), stranded (回不了家), homeless after a disaster (没地方去).
    ['来个人', 3], ['来个技术员', 3], ['派个人', 3], ['给看看', 3], ['给瞧瞧', 3], ['回不了家', 3], ['一分钱没有', 2], ['没地方去', 2],
    // A household without income: 没有收入, 揭不开锅 (交不起 of a price is a complaint).
    ['没有收入', 3], ['没收入', 3], ['揭不开锅', 3],
    // Savings gone on an illness, no money to repair the house one lives in.
    // (物业说没钱修, 村里说没钱修: the one who should repair says so, a complaint.)
    ['积蓄耗尽', 3], ['积蓄花光', 3], ['钱都花光了', 3], ['倾家荡产', 3], ['没钱修', 2], ['说没钱修', 0], ['大病救助', 2],
    // A written grid report or letter: 生活不能自理, 无人照料, 恳请给予救助.
    ['生活不能自理', 2], ['无人照料', 2], ['给予救助', 2],
    // Asking the government to step in (恁给管管吧, 给俺做主) or to send someone to judge a danger (谁来给鉴定一下).
    ['给管管', 3], ['管管吧', 3], ['给做主', 3], ['做主', 2], ['谁来给', 3], ['给鉴定', 2], ['来人看看', 3],
    // Money gone after a link in a message: a fraud victim asking for help.
    ['钱没了', 2], ['钱少了', 2], ['点了链接', 2], ['点链接', 2],
    // At the end of one's means or stranded: 撑不下去了, 没地方住, 回不去家了.
    ['撑不下去', 3], ['撑不住了', 3], ['熬不下去', 3], ['治不起', 3], ['没地方住', 3], ['无家可归', 3], ['回不去家', 3],
    // The only earner ill, an elder living alone, a family that does not know what to do next.
    ['一个劳力', 3], ['癌症', 1], ['一个人过', 3], ['不知道咋办', 3], ['不知道怎么办', 3], ['不知道该咋办', 3],
    // Asking for someone to judge a dispute (找人给评评理, 让村里镇上给说道说道).
    ['评评理', 3], ['给评理', 3], ['说道说道', 3], ['给说道', 3], ['给个说法', 2],
    // Asking who will come and look (找谁来看看).
    ['谁来看看', 3], ['找谁来看', 3],
    // A written report asking for support (需协调帮扶, 本人无力修缮, 申请纳入).
    ['帮扶', 2], ['协调帮扶', 3], ['无力修缮', 3], ['无力承担', 3], ['无力支付', 3], ['申请纳入', 2],
    // Someone asked to come and do it for a caller who cannot (看不见, 聋哑: 能不能有人帮我, 上门帮我办); an elder who
    // cannot carry water (fresh12).
    ['能不能有人', 3], ['有人帮我', 3], ['有人帮俺', 3], ['上门帮', 3], ['挑不动', 3],
  ],
  report: [
    ['举报', 5], ['我要反映他们', 4], ['反映他们', 3], ['偷偷', 3], ['私自', 2], ['擅自', 2], ['非法', 2], ['违法', 2], ['违规', 1],
    ['无证', 3], ['无照', 3], ['假证', 3], ['卖假', 3], ['制假', 3], ['造假', 3], ['黑诊所', 3], ['赌钱', 3], ['赌博', 3], ['卖淫', 3],
    ['传销', 3], ['偷排', 3], ['偷倒', 3], ['直排', 2], ['私搭', 2], ['乱搭', 2], ['私油', 3], ['囤', 2], ['拉票', 3], ['贿选', 3],
    ['送米送油', 3], ['怀疑是', 2], ['怀疑他们', 2], ['冒充', 2], ['偷挖', 3], ['偷伐', 3], ['偷砍', 3], ['盗采', 3], ['不戴安全帽', 2],
    ['乱拉电线', 2], ['散装汽油', 2], ['未成年', 2], ['没牌照', 3], ['无牌', 3], ['检疫', 1], ['治百病', 3], ['虚假', 2], ['骗老人', 3],
    ['亲眼看见', 2], ['关系保', 3], ['人情保', 3], ['骗保', 3], ['吃着低保', 3], ['一个人说了算', 2], ['去哪了', 1], ['贪污', 3],
    ['挪用', 3], ['私吞', 3], ['吃回扣', 3], ['收黑钱', 3], ['有偿补课', 3], ['假冒', 2], ['谁也不敢说', 3], ['没人敢管', 3], ['不敢说', 2],
    // Adulterated food, slaughter without inspection, illegal fund-raising: wrongdoing by the words themselves.
    ['不要处方', 3], ['不用处方', 3], ['随便卖', 2], ['电鱼', 3], ['炸鱼', 3], ['毒鱼', 3], ['黑加油', 3], ['流动加油', 2], ['黑作坊', 3],
    ['注水肉', 3], ['瘦肉精', 3], ['灌了水的', 2], ['掺假', 3], ['以次充好', 3], ['私宰', 3], ['私屠', 3], ['屠宰点', 2], ['集资', 2], ['高息', 2],
    // Favouritism, stolen goods, unlicensed cabs, tax dodged, workers put on the job untrained.
    ['干部的亲戚', 3], ['关系户', 3], ['优亲厚友', 3], ['偷来的', 3], ['黑车', 3], ['偷税', 3], ['逃税', 3], ['不想交税', 3], ['不交税', 3],
    ['没培训就', 3], ['无证上岗', 3], ['没证上岗', 3],
    // Built or done without the approval the law asks for.
    ['未经审批', 3], ['未经批准', 3], ['未经许可', 3], ['没经过审批', 3], ['没有审批', 2],
    // A bribe asked for, and a written request to investigate (请相关部门查处).
    ['索要红包', 3], ['要红包', 3], ['收红包', 3], ['索贿', 3], ['吃拿卡要', 3], ['查处', 3],
    // Village money gone nobody knows where (not just accounts not published: a complaint), a levy on
    // every household (a fee one must pay is a complaint); favouritism named as 干部家亲戚; illegal
    // building named as such; abuse in care; burning forbidden waste.
    ['查查账', 3], ['查账', 2], ['哪去了', 2], ['摊派', 3], ['每户交', 3], ['每人交', 3], ['干部家亲戚', 3], ['干部家的亲戚', 3], ['亲戚都吃上', 3], ['违建', 2], ['违章建筑', 2],
    ['不是违建吗', 3], ['打老人', 3], ['虐待', 3], ['烧胶皮', 3], ['烧轮胎', 3], ['烧橡胶', 3], ['烧电缆', 3],
    // Tobacco or drink sold to children; extortion and loan-sharking.
    ['卖烟给', 3], ['卖酒给', 3], ['卖给小孩', 3], ['卖给未成年', 3], ['保护费', 3], ['敲诈', 3], ['黑社会', 3],
    ['放高利贷', 3], ['强买强卖', 3], ['欺行霸市', 3],
    // Crowded sublets, accounts that do not add up.
    ['群租', 3], ['钱对不上', 3], ['账对不上', 3], ['对不上账', 3],
    // A back-yard workshop (小作坊 化塑料, 做辣条的小作坊): unlicensed production, reported.
    ['小作坊', 2],
    // Gambling for money, a clinic swiping others' insurance cards, a village's money spent nobody knows on what,
    // relief handed to officials' own kin, straw burnt in the fields, workers put on machines untrained,
    // charging from a wire pulled into the stairwell.
    ['带彩', 3], ['输赢', 3], ['拿人家的医保卡', 3], ['医保卡刷药', 3], ['套医保', 3], ['干啥用了', 3], ['用到哪了', 3], ['自家亲戚', 4], ['给他亲戚', 4],
    ['烧秸秆', 3], ['没有安全培训', 3], ['直接上岗', 3], ['拉线充电', 3], ['飞线充电', 3], ['有猫腻', 2],
    // Done in secret (偷着排, 暗管), evidence gathered (拍照取证), built without leave (私建), a public space fenced off
    // (圈起来), dead pigs bought and sold, insurance cards swiped for goods (套保); village money gone (钱都去哪了).
    ['偷着', 3], ['暗管', 3], ['拍照取证', 3], ['取证', 2], ['私建', 2], ['私设', 2], ['圈起来', 2], ['收病死', 3], ['卖病死', 3],
    ['套保', 3], ['钱都去哪了', 4], ['钱去哪了', 3],
    // The twelfth blind writer's (fresh12): fireworks where they are banned, produce that failed a test sold on, e-bikes
    // brought indoors to charge, relief drawn by all the well-off (都吃上了), a load-bearing wall knocked out.
    ['禁放', 2], ['禁止燃放', 2], ['检测不合格', 3], ['农残超标', 3], ['又接着卖', 3], ['接着卖', 2], ['进来充电', 3], ['楼道里充电', 3],
    ['都吃上了', 4], ['承重墙', 2],
  ],
  suggestion: [
    ['建议', 4], ['提议', 3], ['提个建议', 4], ['说个想法', 3], ['提个意见', 2], ['希望', 2], ['能不能多', 3], ['能不能加', 3],
    ['能不能在', 2], ['能不能设', 3], ['能不能修', 3], ['能不能建', 3], ['能不能安', 3], ['能不能装', 2], ['能不能给拓宽', 3],
    ['能不能改', 2], ['多建几个', 3], ['多安几个', 3], ['多放几个', 3], ['多加几趟', 3], ['多加', 2], ['增设', 3], ['增加', 2],
    ['加个', 2], ['建个', 2], ['修个', 2], ['装几盏', 3], ['安个', 2], ['开通一趟', 3], ['开一趟', 3], ['改成', 2], ['划几块', 3],
    ['立个', 2], ['设一个', 2], ['就好了', 2], ['想在', 1], ['安几个', 2], ['应该增设', 3], ['拓宽', 1], ['多建', 2], ['多安', 2], ['能不能开', 2], ['能不能', 1],
  ],
};

/** Shapes of reporting someone else's wrongdoing without the word 举报. */
const REPORT_SHAPES: Array<[RegExp, number, string]> = [
  [/(?:没有|没|无)[\u4e00-\u9fff]{0,4}(?:执照|资质|资格|行医|牌照|许可证|检疫)/, 3, '没有执照/资质'],
  [/往[\u4e00-\u9fff]{0,4}?(?:河|沟|渠|湾|坑|井|地|海|篦子|下水道)(?:里|里面|里头)? ?(?:排|倒|放|扔|冲|灌)/, 3, '往河里排'],
  // A teacher tutoring his own pupils for money.
  [/(?:老师|教师|班主任)[\u4e00-\u9fff ]{0,14}?补课[\u4e00-\u9fff ，,]{0,8}?(?:(?<!不)收|要钱|交钱)/, 3, '教师有偿补课'],
  [/(?:有人|有个人|有户人家|有家|有个[\u4e00-\u9fff]{0,3}(?:厂|作坊|铺子|场|店)|有辆|有些人|有几个人)(?:在|偷偷|偷着)?[\u4e00-\u9fff ]{0,14}?(?:偷|排|倒|挖|刨|盖房|盖了|搭|建了|扩|占了|占用|占村|占集体|圈起|圈了|填了|砍|锯|拆了卖|要拆了|拉走卖|赌|囤|卖假|卖私|卖散装|抽沙|打了地基|打地基)/, 2, '有人在…'],
  // No papers said of a business (培训机构 没证, 那家店无证): not the caller's own (俺没证).
  [/(?<![俺我咱])(?:没有|没|无)证(?![件明书])/, 3, '没证'],
  // Dead livestock bought up and sold on (收病死猪 拉到外面去卖).
  [/病死[\u4e00-\u9fff ]{0,12}?卖/, 3, '贩卖病死畜禽'],
  // A teacher running classes at home for his own pupils.
  [/(?:老师|教师|班主任)[\u4e00-\u9fff ]{0,6}?在(?:自己)?家(?:里)?(?:办|开|搞)[\u4e00-\u9fff]{0,3}?(?:班|补课)/, 3, '教师在家办班'],
  // A village official doing something with what is the village's (村会计把村集体的钱借给亲戚; 村干部的亲戚盖了三间房).
  [/(?:村干部|村会计|村支书|支书|村长|村主任|村的会计|村里的会计)[\u4e00-\u9fff ]{0,10}?(?:把|借给|私分|占了|盖了|拿走|贪)/, 3, '村干部…'],
  // A safety exit or fire lane locked or blocked, fireworks stored where people are.
  // (Neighbours' cars blocking a fire lane are a complaint about order, not a report.)
  [/(?:消防通道|安全出口|逃生通道)[\u4e00-\u9fff ]{0,6}?锁|把[\u4e00-\u9fff ]{0,4}(?:消防通道|安全出口|逃生通道)[\u4e00-\u9fff ]{0,6}?(?:锁|堵|占|堆)/, 2, '锁闭消防通道'],
  [/(?:烟花|鞭炮|炮仗|爆竹)[\u4e00-\u9fff]{0,6}?(?:堆|囤|存|藏)|(?:堆着|囤着|存着|藏着|堆了|囤了|存了)[\u4e00-\u9fff]{0,4}?(?:烟花|鞭炮|炮仗|爆竹)/, 3, '存放烟花爆竹'],
  // Minors let into an internet café or a bar.
  [/(?:网吧|酒吧|KTV|歌厅)[\u4e00-\u9fff ]{0,16}?(?:小孩|孩子|学生|初中生|高中生|小学生|未成年)|(?:小孩|孩子|学生|初中生|高中生|小学生|未成年)[\u4e00-\u9fff ]{0,8}?(?:网吧|酒吧|KTV|歌厅)/, 3, '网吧容留未成年人'],
  // In the passive: 坑塘让人给填了, 让人往里排污水, 树叫人砍了 (not 车位让人占了: that is a complaint about order).
  [/(?:让|被|叫)(?:人|别人|外人|有人|他们|他家|那家|那个厂|厂子)给?[\u4e00-\u9fff]{0,6}?(?:填|排|倒|挖|砍|扔|烧|毁|埋|拉走|拉去)/, 3, '让人给…'],
  // No papers at all, said of someone else (not 俺啥手续都没有, the caller's own question): 连个证都没有, 啥手续都没有.
  [/(?<![俺我咱])(?:连个|连|啥|什么|一个)(?:证|执照|手续|许可|资质|牌照)[\u4e00-\u9fff]{0,2}?(?:都|也)(?:没有|没|没办|不办)/, 3, '连个证都没有'],
  // A workplace's fire safety neglected: 灭火器都是空的, 安全出口让货堵着 (a fire lane blocked by cars stays a complaint).
  [/灭火器[\u4e00-\u9fff]{0,4}?(?:空的|过期|坏的|摆设|没气|不能用)|(?:安全出口|逃生通道|消防栓)[\u4e00-\u9fff ]{0,3}?(?:让|被|用)[\u4e00-\u9fff]{0,6}?(?:堵|锁|封)/, 3, '消防设施形同虚设'],
  // An exit of a shop or workplace both blocked and locked (安全通道 堆满了货 门还锁着).
  [/(?:安全通道|安全出口|逃生通道|疏散通道)[\u4e00-\u9fff ]{0,10}?(?:锁|封死|焊死)/, 3, '安全通道被锁'],
  // Dead livestock thrown away (扔了好几头死猪).
  [/(?:扔|丢|倒|埋)[了着在]?[\u4e00-\u9fff]{0,4}?(?:死猪|死鸡|死鸭|死羊|死牛|病死)/, 3, '乱扔病死畜禽'],
  // The same told noun first (把病死的猪 扔到河沟里, 死了好几只羊 直接扔到沟里); dead cats and dogs among rubbish are not livestock.
  [/(?:死猪|死鸡|死鸭|死羊|死牛|病死|死了[\u4e00-\u9fff]{0,4}?[猪鸡鸭羊牛])[\u4e00-\u9fff ]{0,10}?(?:扔|丢|倒|埋)(?:到|在|进)/, 3, '乱扔病死畜禽'],
  // Done when nobody sees (一到晚上就往外放气 白天它还不放; 晚上干 白天不干; 专挑半夜).
  [/晚上[\u4e00-\u9fff ]{0,30}?白天[\u4e00-\u9fff]{0,3}?不|专(?:挑|等|趁)(?:晚上|半夜|夜里|下雨)|趁(?:着)?(?:晚上|半夜|夜里)/, 3, '晚上干白天不干'],
  // Property staff telling of a resident's works (有户业主把阳台外墙打掉了, 有个业主在顶楼搭了个阳光房): fresh12.
  [/(?:有户|有个|有位|一户|一个)业主[\u4e00-\u9fff ]{0,16}?(?:搭|砸|焊|拆|打掉|凿|私|盖|扩|占)/, 3, '业主私自施工'],
  // Food sold without a maker's name or date (卖辣条 没有牌子的那种, 卖的零食三无).
  [/卖[\u4e00-\u9fff ]{0,10}?(?:没有牌子|没牌子|三无|没有生产日期|没生产日期|没有厂家)/, 3, '卖三无食品'],
];

/** Shapes of a complaint said as a request: a fix asked for (能不能修剪一下), not an improvement (能不能拓宽一下: a suggestion). */
const COMPLAINT_SHAPES: Array<[RegExp, number]> = [
  [/能不能[给帮]?(?:修剪|修理|修|清理|清|处理|管|弄|收拾|拉走|挪)[\u4e00-\u9fff]{0,3}一下/, 4],
  // The same said by doubling the verb (能不能给挪一挪, 给修一修).
  [/能不能[给帮]?(修|清|管|弄|挪|拉|收拾)一\1/, 4],
  // The caller's own provider acting without leave (物业擅自把绿地改成车位, 物业把绿地圈起来, 开发商擅自改规划): redress of a harm
  // done to the caller by a service he uses, a complaint, though it says 擅自 or asks for 查处.
  // A rhetorical 这叫自愿吗, 这也叫服务吗 (fresh12).
  [/这(?:也|还)?叫[\u4e00-\u9fff]{1,4}吗/, 3],
  [/(?:物业|开发商|房东|物业公司)[\u4e00-\u9fff ]{0,12}?(?:擅自|私自|偷偷|圈起来|圈了)/, 6],
];

/** Shapes of a help request: money sent away to a swindler, and the caller asks what now (转了两万 咋办, 这钱还能要回来吗). */
const HELP_SHAPES: Array<[RegExp, number]> = [
  [/(?:转了|打了|投了|汇了|充了|给了他)[\u4e00-\u9fff0-9]{0,6}?(?:万|千|块|钱)[\s\S]{0,30}?(?:咋办|怎么办|要回来|追回来|要得回来|取不出来|提不出来)/, 3],
];

/** Shapes of a plain question about how to do something (咋换, 咋报修, 咋备案). */
const CONSULT_SHAPES: Array<[RegExp, number]> = [
  [/咋(?:换|报修|报销|参保|报|缴|续|提|取|还|备案|登记|开通|办|申请|领|交|补|用|查|转|迁|改|退|考|开|填|写)/, 2],
  // Applying for someone else, asked as how (想给他申请个特困 咋弄): a question, whatever hardship it names.
  [/申请[\u4e00-\u9fff ，,]{0,12}?(?:咋弄|咋办|怎么办|怎么弄|咋申请|在哪|去哪|找谁)/, 3],
  // A yes/no question said as 能…不 at the end of a clause (骨灰能埋到自家地里不, 回来了能转过来不).
  // (Not the rhetorical 这能行不 of a complaint.)
  [/能(?!行)[\u4e00-\u9fff]{1,12}?不(?=$|[\s，。？?！!])/, 2],
  // The same with 还用 / 还要 / 还得 / 需要 (退休以后医保还用交不).
  [/(?:还用|还要|还得|还需要|需要|要|得)[\u4e00-\u9fff]{1,4}?不(?=$|[\s，。？?！!])/, 2],
  // Which ones, and when something opens or is paid (办哪些证, 啥时候开听证会).
  [/哪些|哪几/, 2],
  // (Not 啥时候能修好, a complaint's impatience.)
  [/(?:啥|什么)时候(?:开|办|发|有|交|领)/, 2],
  // 咋给他办, 划片是咋划的: the how-question with words in between.
  [/咋[\u4e00-\u9fff]{1,3}?(?:办|划|算|弄|交|报|领|查)/, 2],
  // Which one, how much, this or that: 属于哪个学校, 要交多少税, 多少以下免, 按户口还是按房子.
  [/属于哪|上哪个|去哪个|哪个学校|哪个部门|哪个窗口/, 2],
  [/(?:交|缴|要交|得交|免|能报|能退|能领)多少|多少以[下上]/, 2],
  [/按[\u4e00-\u9fff]{1,4}还是/, 2],
  // 能不能 about the caller's own case (能不能一次补齐 还是得接着交, 能不能在这边上学), not a proposal for the public.
  [/能不能[\u4e00-\u9fff ]{1,12}?还是/, 3],
  [/能不能[\u4e00-\u9fff]{0,6}?(?:上学|入学|办理|领取|报销|补交|补缴|补齐|登记|转学|迁|享受|参加|报名|取出|提取|取走|转回|叫|委托|代领|代办|投票)/, 3],
];

export interface KindGuess {
  kind: AppealKind;
  /** The cue words found, for the operator. */
  cues: string[];
  /** No cue at all: the default (complaint, the most common kind) was used. */
  defaulted: boolean;
  /** Each kind's cue score (APPEAL_KINDS order; absent for an emergency): the learned kind model reads them (kind-model.ts). */
  scores?: Float64Array;
  /** The learned model's opinion (kind-model.ts), when a model is loaded and it is not an emergency. */
  model?: KindOpinion;
}

const KINDS = Object.keys(CUES) as AppealKind[];
/** On equal scores, the more specific kind wins. */
const TIE_ORDER: AppealKind[] = ['report', 'suggestion', 'help_request', 'complaint', 'consult'];

const CUE_KINDS = new Map<string, Array<[AppealKind, number]>>();
for (const kind of KINDS)
  for (const [w, s] of CUES[kind]) {
    const list = CUE_KINDS.get(w);
    if (list) list.push([kind, s]);
    else CUE_KINDS.set(w, [[kind, s]]);
  }
const MATCHER = new PhraseMatcher(CUE_KINDS.keys());
/** The longest cue (a cue can only lie inside a longer one that starts at most this far before it). */
const LONGEST_CUE = Math.max(...[...CUE_KINDS.keys()].map((w) => w.length));

/** The cue matcher (for a shared scan of the text: phrases.ts, PhraseScan). */
export const KIND_CUES: PhraseMatcher = MATCHER;

/** Whether hit `h` (at position k of `hits`, which are in text order) lies inside a longer cue. */
function insideLonger(hits: readonly PhraseHit[], k: number): boolean {
  const h = hits[k];
  const end = h.index + h.phrase.length;
  for (let j = k - 1; j >= 0 && hits[j].index >= h.index - LONGEST_CUE; j--) {
    const o = hits[j];
    if (o.phrase.length > h.phrase.length && o.index + o.phrase.length >= end) return true;
  }
  for (let j = k + 1; j < hits.length && hits[j].index === h.index; j++) {
    const o = hits[j];
    if (o.phrase.length > h.phrase.length) return true;
  }
  return false;
}

export interface KindOptions {
  /** A danger is happening now: the caller asks for help, whatever the words. */
  emergency?: boolean;
}

/** The shapes' regexes: CONSULT_SHAPES, HELP_SHAPES, COMPLAINT_SHAPES, REPORT_SHAPES, in the order guessKind tries them. */
export const KIND_SHAPES: readonly RegExp[] = [...CONSULT_SHAPES, ...HELP_SHAPES, ...COMPLAINT_SHAPES, ...REPORT_SHAPES].map(([re]) => re);

/**
 * Per shape (KIND_SHAPES' order): the characters its match must begin with (regex-start.ts), or null (always run).
 * A text with none of them is not searched.
 */
const SHAPE_STARTS: Array<number[] | null> = KIND_SHAPES.map(firstUnits);
/** Per UTF-16 unit: the guessKind call whose text last had it (units present, without a set per call). */
const unitSeen = new Uint32Array(65536);
let kindCalls = 0;

/** Whether shape `k` (an index into SHAPE_STARTS) can match the text of call `call` at all. */
function mayMatch(k: number, call: number): boolean {
  const starts = SHAPE_STARTS[k];
  if (starts === null) return true;
  for (let j = 0; j < starts.length; j++) if (unitSeen[starts[j]] === call) return true;
  return false;
}

/** `cueHits`: MATCHER's hits on `text`, when a shared scan found them already. */
export function guessKind(text: string, opts: KindOptions = {}, cueHits?: readonly PhraseHit[]): KindGuess {
  if (opts.emergency) return { kind: 'help_request', cues: ['紧急险情'], defaulted: false, scores: undefined, model: undefined };
  if (++kindCalls === 0xffffffff) {
    unitSeen.fill(0);
    kindCalls = 1;
  }
  const call = kindCalls;
  for (let i = 0; i < text.length; i++) unitSeen[text.charCodeAt(i)] = call;
  let shape = 0;
  const hits = cueHits ?? MATCHER.find(text);
  // A cue inside a longer cue (不管 in 也不管, 有没有 in 有没有啥救助) counts once, as the longer one.
  const kept = hits.filter((_, k) => !insideLonger(hits, k));
  const score = new Map<AppealKind, number>(KINDS.map((k) => [k, 0]));
  const cues = new Map<AppealKind, string[]>(KINDS.map((k) => [k, []]));
  const seen = new Set<string>();
  for (const h of kept) {
    if (seen.has(h.phrase)) continue; // a cue said twice counts once
    seen.add(h.phrase);
    for (const [k, s] of CUE_KINDS.get(h.phrase) ?? []) {
      score.set(k, score.get(k)! + s);
      cues.get(k)!.push(h.phrase);
    }
  }
  for (const [re, s] of CONSULT_SHAPES) {
    const m = mayMatch(shape++, call) ? re.exec(text) : null;
    if (m) {
      score.set('consult', score.get('consult')! + s);
      cues.get('consult')!.push(m[0]);
    }
  }
  for (const [re, s] of HELP_SHAPES) {
    const m = mayMatch(shape++, call) ? re.exec(text) : null;
    if (m) {
      score.set('help_request', score.get('help_request')! + s);
      cues.get('help_request')!.push(m[0].length <= 8 ? m[0] : '钱被骗走');
    }
  }
  for (const [re, s] of COMPLAINT_SHAPES) {
    const m = mayMatch(shape++, call) ? re.exec(text) : null;
    if (m) {
      score.set('complaint', score.get('complaint')! + s);
      cues.get('complaint')!.push(m[0]);
    }
  }
  for (const [re, s, label] of REPORT_SHAPES) {
    const m = mayMatch(shape++, call) ? re.exec(text) : null;
    if (m) {
      score.set('report', score.get('report')! + s);
      cues.get('report')!.push(m[0].length <= 8 ? m[0] : label);
    }
  }
  let best: AppealKind = 'complaint';
  let bestScore = 0;
  for (const k of TIE_ORDER) {
    const s = score.get(k)!;
    if (s > bestScore) {
      best = k;
      bestScore = s;
    }
  }
  const scores = new Float64Array(APPEAL_KINDS.length);
  for (let k = 0; k < APPEAL_KINDS.length; k++) scores[k] = score.get(APPEAL_KINDS[k])!;
  return { kind: best, cues: bestScore ? cues.get(best)! : [], defaulted: bestScore === 0, scores, model: undefined };
}
