// Passwords people guess first, refused when a user chooses one (NIST SP 800-63B 5.1.1.2:
// "passwords obtained from previous breach corpuses, dictionary words, context-specific
// words"). The list is zxcvbn's common passwords (@zxcvbn-ts/language-common, 49,233
// passwords ranked from leaked corpora, kept by the zxcvbn-ts project); we look at the
// password as people decorate one: any case, letters written as digits or signs
// (P@ssw0rd), digits and signs around a word (Password1!, Admin@123). Also refused: the
// demo password in any case (and anything containing it), and words of this system and
// city that an attacker tries first (hotline, minsheng, 12345, shouguang …).
import { dictionary } from '@zxcvbn-ts/language-common';
import { pinyin } from 'pinyin-pro';

let common: Set<string> | null = null;
const commonPasswords = () => (common ??= new Set(dictionary['passwords-common']));

/**
 * What Chinese users choose and zxcvbn's English-centred list lacks (Huawei@123, Woaini1314!,
 * Zhangwei123!, 7758521Aa!): pinyin words of love and luck, brands whose name@123 is a device
 * or vendor default, places, this kind of office's own words (密码, 用户, 测试, 管理员, 政府, 客服),
 * placeholder names and the most common full names, as pinyin. Chosen by hand from what
 * Chinese password guides warn against; not a leaked corpus (no maintained package has one).
 */
export const CHINESE_WORDS = [
  // love, luck, greetings
  'woaini', 'aini', 'qinai', 'laopo', 'laogong', 'baobei', 'xiaobao', 'xingfu', 'kuaile', 'jiayou', 'xiexie', 'nihao',
  'tiantian', 'yangyang', 'woshishui', 'wodemima', 'aiqing', 'yongyuan', 'pingan', 'facai', 'gongxi', 'zhongguoren',
  // brands and vendors (their name@123 is many devices' default)
  'huawei', 'xiaomi', 'taobao', 'baidu', 'tencent', 'alibaba', 'alipay', 'zhifubao', 'weixin', 'wechat', 'jingdong',
  'meituan', 'sangfor', 'ruijie', 'lenovo', 'haier', 'hikvision', 'dahua', 'tplink', 'inspur', 'langchao', 'h3c', 'zte',
  // places
  'zhongguo', 'china', 'beijing', 'shanghai', 'tianjin', 'chongqing', 'shandong', 'jinan', 'qingdao', 'weifang', 'yantai',
  'linyi', 'zibo', 'shenzhen', 'guangzhou', 'hangzhou', 'nanjing', 'wuhan', 'chengdu', 'xian',
  // an office's own words
  'mima', 'yonghu', 'ceshi', 'anquan', 'guanli', 'guanliyuan', 'xitong', 'zhanghao', 'denglu', 'zhimakaimen', 'zhengfu',
  'kefu', 'zuoxi', 'jiexian', 'gongdan', 'paidan', 'bangong', 'danwei',
  // placeholder names and the most common full names
  'zhangsan', 'lisi', 'wangwu', 'zhaoliu', 'xiaoming', 'xiaohong', 'xiaowang', 'xiaoli', 'xiaozhang',
  'zhangwei', 'wangwei', 'wangfang', 'liwei', 'lina', 'zhangmin', 'lijing', 'wangjing', 'liuwei', 'wangxiuying', 'zhangli',
  'lixiuying', 'wangli', 'zhangjing', 'zhangxiuying', 'liqiang', 'wangmin', 'limin', 'wanglei', 'liuyang', 'wangyan',
  'wangyong', 'lijun', 'zhangyong', 'lijie', 'zhangjie', 'zhanglei', 'wangqiang', 'lijuan', 'wangjun', 'zhangyan',
  'zhangtao', 'wangtao', 'liyan', 'wangchao', 'liming', 'liyong', 'wangjuan', 'liujie', 'liuqiang',
];
const chineseWords = new Set(CHINESE_WORDS);

/** Numbers that say something in Chinese (5201314 我爱你一生一世, 7758521 亲亲我吧我爱你) or run on the keypad. */
export const CHINESE_NUMBERS = ['5201314', '1314520', '7758521', '147258', '258369', '159357', '741852', '963852', '112233', '520520', '521521', '168168', '518518', '110110'];

/** Words of this hotline that a guesser tries first (the service, its number, the demo city). */
export const CONTEXT_WORDS = ['hotline', 'minsheng', 'rexian', '12345', 'shouguang'];

const LEET: Record<string, string> = { '@': 'a', '4': 'a', '3': 'e', '0': 'o', '1': 'i', '!': 'i', $: 's', '5': 's', '7': 't', '|': 'l', '+': 't' };
const unleet = (s: string) => s.replace(/[@430!1$57|+]/g, (c) => LEET[c]);

/** The forms a decorated password is a decoration of. */
function cores(password: string): string[] {
  const p = password.toLowerCase();
  const trimmed = p.replace(/[^a-z0-9]+$/, '');
  // The word inside: digits and signs before and after it taken away (Password123! → password).
  const word = p.replace(/^[^a-z@$!|]+|[^a-z]+$/g, '');
  const out = [p, trimmed, unleet(p), unleet(trimmed), p.replace(/[^a-z0-9]/g, '')];
  if (word.length >= 4) out.push(word, unleet(word));
  return [...new Set(out.filter(Boolean))];
}

/** A person's name as pinyin without tones, whole and its given name (张卫东 → zhangweidong, weidong); latin names as written. */
function namePinyin(displayName: string): string[] {
  const name = displayName.trim();
  if (!name) return [];
  const syllables = /[\u4e00-\u9fff]/.test(name)
    ? pinyin(name.replace(/[^\u4e00-\u9fff]/g, ''), { toneType: 'none', type: 'array', surname: 'head' })
    : name.toLowerCase().split(/[^a-z]+/).filter(Boolean);
  const whole = syllables.join('');
  const given = syllables.slice(1).join('');
  return [whole, given].filter((x) => x.length >= 4);
}

/**
 * Why this password is one people guess first (null: it is not). `demoPasswords`: the demo
 * passwords of this installation; `displayName`: the user's own name (its pinyin is refused).
 */
export function guessablePassword(password: string, demoPasswords: string[], displayName = ''): string | null {
  const forms = cores(password);
  for (const d of demoPasswords) {
    const demo = d.toLowerCase();
    if (demo && forms.some((f) => f.includes(demo))) return '不能使用演示密码（不论大小写）';
  }
  const list = commonPasswords();
  if (forms.some((f) => list.has(f) || chineseWords.has(f))) return '是常见或泄露过的密码，容易被猜中';
  const letters = password.toLowerCase().replace(/[^a-z]/g, '');
  const digits = password.replace(/\D/g, '');
  if (letters.length <= 3 && CHINESE_NUMBERS.some((n) => digits.includes(n))) return '是常见或泄露过的密码，容易被猜中';
  if (namePinyin(displayName).some((n) => letters.includes(n))) return '不能使用自己的姓名（拼音）';
  if (forms.some((f) => CONTEXT_WORDS.some((w) => f.includes(w)))) return '不能以本系统或本市的名称（hotline、minsheng、12345、shouguang 等）为密码';
  return null;
}
