// What the public Open311 feed (GET requests) may show of a ticket. Pure.
//
// The city chooses which tickets are public: by channel (default: requests that came in
// public — the website, the mayor's mailbox, the photo app; never phone calls, where people
// speak freely about themselves and their neighbours) and by status. A report's (举报)
// content and place are never public. What is public is redacted: names (the citizen's own,
// and a name after the words people put before one: 我叫, 联系人, 住户, 村民, 我爸 …) become
// 「王某」; phone, ID, bank-card and other long numbers, e-mail addresses, WeChat/QQ ids and
// licence plates are removed; house, building, unit and room numbers lose their digits; and
// coordinates are coarsened to about a kilometre (two decimals).
//
// A rule-based redactor finds what people write in the usual ways; a name written with no
// cue before it ("张三家的猪圈") stays. That is why phone calls are not published by default.
import { Channel, Ticket, TicketStatus } from './types';

export interface PublicationRules {
  channels: Channel[];
  statuses: TicketStatus[];
}

/** Decimal places kept of a published latitude or longitude (0.01° ≈ 1.1 km). */
export const PUBLIC_COORDINATE_DECIMALS = 2;

/** Whether the public feed shows this ticket at all. */
export function isPublic(t: Pick<Ticket, 'channel' | 'status'>, rules: PublicationRules): boolean {
  return t.status !== 'draft' && rules.channels.includes(t.channel) && rules.statuses.includes(t.status);
}

export function coarsen(x: number | null): number | null {
  if (x === null || !Number.isFinite(x)) return null;
  const f = 10 ** PUBLIC_COORDINATE_DECIMALS;
  return Math.round(x * f) / f;
}

const HAN = '\\u4e00-\\u9fa5';
/**
 * Common surnames that are seldom the first character of an ordinary word after a cue
 * (高, 于, 和, 时, 文, 成, 金, 石, 方 … are left out: 居民高兴, 业主和物业).
 */
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范贾夏韦付傅白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴莫孔汤康施牛樊葛邢齐乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿焦俞左柳祝包舒阮柯纪梅童凌毕裴霍涂苗谷盛曲翁冉骆蓝辛靳管柴蒙鲍喻祁蒲滕屈饶牟艾尤穆卓缪褚娄窦戚岑宫费卜晏席瞿佟臧闵苟邬卞姬仇栾隋刁巫寇桑郎甄丛仲虞敖巩佘邝';
/** Words people write right before someone's name: a name follows them whatever its first character. */
const STRONG_CUES = ['我叫', '名叫', '叫做', '姓名', '联系人', '本人', '户主', '反映人', '来电人', '举报人'];
/** Words a name often follows (住户王市民): a name follows only when a common surname does. */
const ROLE_CUES = [
  '住户', '业主', '居民', '村民', '租户', '房东', '房主', '患者', '病人', '家属', '老人', '学生', '孩子', '儿子', '女儿', '丈夫', '妻子', '爱人',
  '父亲', '母亲', '我爸', '我妈', '爷爷', '奶奶', '邻居', '同事', '老板', '店主', '经理', '司机', '工人', '员工', '职工', '市民', '群众', '网格员',
  '书记', '主任', '村长', '我是',
];
/** What may come right after a name (a name is one or two characters after its surname, and then one of these). */
const AFTER_NAME = '家|的|，|。|,|、|；|;|！|!|？|\\?|：|:|（|\\(|反映|说|称|在|住|今年|已经|多次|老人|电话|手机|联系|等|和|与|及|\\s|\\d|$';
/** Not a given name: a courtesy title (王先生 is how the public reply names people anyway), a family, 某. */
const NOT_GIVEN = '(?!先生|女士|小姐|老师|师傅|阿姨|大爷|大妈|大娘|奶奶|爷爷|同志|老人|某|家|们)';
/** Characters a word (not a name) starts with after a strong cue (本人已经…, 联系人在…). */
const NOT_FIRST = '(?![在已是要想于对把被从向因也都还就不没很和与及的了着过说])';
/** The last character of a place, not of a name (居民黄河路). */
const PLACE_END = '路街道村庄镇区河山湖桥园楼院店厂场家的了';

const cueName = (cues: string[], first: string) => [
  // Followed by a word that ends a name: one or two characters.
  new RegExp(`(${cues.join('|')})([：:\\s]*)(${first})${NOT_GIVEN}([${HAN}]{1,2}?)(?=${AFTER_NAME})`, 'g'),
  // Otherwise a three-character name, unless it ends like a place.
  new RegExp(`(${cues.join('|')})([：:\\s]*)(${first})${NOT_GIVEN}([${HAN}][^${PLACE_END}\\P{Script=Han}])`, 'gu'),
];
const NAME_RULES = [...cueName(STRONG_CUES, `${NOT_FIRST}[${HAN}]`), ...cueName(ROLE_CUES, `[${SURNAMES}]`)];

const REMOVED = '[已隐去]';

const RULES: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  // E-mail, then chat ids after their name.
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, REMOVED],
  [/(微信号?|QQ号?|qq号?|vx|VX)([：:\s]*)[A-Za-z][A-Za-z0-9_-]{4,}/g, (_m, cue, sep) => `${cue}${sep}${REMOVED}`],
  // Licence plates (鲁G8M235, 鲁G·8M235, new-energy plates with six characters).
  [/[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][·\s]?[A-Z0-9]{5,6}(?![A-Za-z0-9])/g, REMOVED],
  // Coordinates written in the text: two decimals kept (a number with one decimal point; 138.1234.5678 is a phone).
  [/(?<![\d.])(\d{1,3}\.\d{2})\d{2,}(?![\d.])/g, (_m, kept) => kept],
  // A phone number written with dots between its groups.
  [/(?<![\dA-Za-z.])\d{3,4}\.\d{3,4}\.\d{4}(?![\dA-Za-z.])/g, REMOVED],
  // A number said or written in Chinese digits (一三九五三六一二三四五, 幺 for one): seven or more in a row.
  [/[〇零一二三四五六七八九幺两](?:[\s-]?[〇零一二三四五六七八九幺两]){6,}/g, REMOVED],
  // Any run of seven or more digits (phones with or without area code, ID and bank-card numbers, QQ …), spaces and dashes inside allowed; an ID's final X too.
  [/(?<![\dA-Za-z])(?:\+?86[\s-]?)?\d(?:[\s-]?\d){6,}[Xx]?(?![\dA-Za-z])/g, REMOVED],
  // House, building, unit and room numbers keep their words, lose their digits (3月8号 is a date and stays).
  [/(?<![月\d])(\d+)(?=号院|号楼|号|栋|幢|座|单元|室|户)/g, (m) => '*'.repeat(Math.min(m.length, 3))],
  [/(门牌号?)([：:\s]*)(\d+)/g, (_m, w, sep, n) => `${w}${sep}${'*'.repeat(Math.min(n.length, 3))}`],
];

/**
 * Full-width letters, digits and the signs of an address or number (＠．－＋) as their ASCII
 * forms: a Chinese input method in full-width mode types １３９… , and the rules read ASCII.
 * Chinese punctuation (，：（） and the like) stays as written.
 */
function halfWidth(text: string): string {
  return text.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF20\uFF0E\uFF0D\uFF0B]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

const nameMask = (_m: string, cue: string, sep: string, surname: string) => `${cue}${sep}${surname}某`;

/**
 * The text with the personal data people write in it removed. `names`: names known to be
 * personal (the citizen's name as given at intake), removed wherever they appear.
 */
export function redactPersonalText(text: string, names: Array<string | null | undefined> = []): string {
  let out = halfWidth(text);
  for (const n of names) {
    const name = n?.trim();
    if (name && name.length >= 2) out = out.split(name).join(`${name[0]}某`);
  }
  for (const [re, to] of RULES) out = out.replace(re, to as never);
  for (const re of NAME_RULES) out = out.replace(re, nameMask);
  return out;
}
