// Text preparation shared by training and suggestion: normalisation, a hard
// length cap, and Chinese segmentation with jieba. Pure apart from the
// segmenter instances, which are created once per process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import { DictSegmenter, DictTrie, Hmm, Words } from './segmenter';

/** Characters of input considered; longer text is cut (an appeal rarely needs more). */
export const MAX_INPUT_CHARS = 4000;

let jieba: Jieba | null = null;

/** The process-wide native segmenter (loading the dictionary takes a few hundred ms, once): the reference, and what wordSegmenter() falls back on. */
export function segmenter(): Jieba {
  if (!jieba) jieba = Jieba.withDict(dict);
  return jieba;
}

let words: DictSegmenter | null = null;

/** The process-wide segmenter used by tokenize: the native one's output, computed mostly in JavaScript (segmenter.ts). */
export function wordSegmenter(): DictSegmenter {
  if (!words) words = new DictSegmenter(new DictTrie(Buffer.from(dict.buffer, dict.byteOffset, dict.byteLength).toString('utf8')), new Hmm(JSON.parse(fs.readFileSync(path.join(__dirname, 'jieba-hmm.json'), 'utf8'))), segmenter);
  return words;
}

/** The words of the last cut (tokenize and lookUpWords read them before returning). */
const cutWords = new Words();

/**
 * Fold full-width ASCII, lower-case Latin letters, fold whitespace, and remove the
 * anonymisation tokens of the training data (A市, A3区, B4县…) so the model does not
 * learn them as words.
 */
export function normalize(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  let s = raw.length > MAX_INPUT_CHARS ? raw.slice(0, MAX_INPUT_CHARS) : raw;
  // The four folding steps in one pass (foldPlain) where every character is a plain one; else step by step.
  const folded = foldPlain(s);
  if (folded !== null) s = folded;
  else {
    s = s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
    s = s.replace(/[A-Z]\d{0,2}(?=[市区县镇乡省])/g, ' ');
    s = s.toLowerCase().replace(/\s+/g, ' ').trim();
  }
  // A homophone's replacement can only apply where its two characters are (includes() is a fast search).
  for (let k = 0; k < ASR_HOMOPHONES.length; k++) {
    const [re, word, needle] = ASR_HOMOPHONES[k];
    if (s.includes(needle)) s = s.replace(re, word);
  }
  return s;
}

/** Kinds of UTF-16 unit for foldPlain (FOLD_KIND; 0: not seen yet). */
const PLAIN = 1; // left as it is by all four steps
const SPACE = 2; // whitespace (\s)
const FULLWIDTH = 3; // U+FF01–U+FF5E: becomes the ASCII character 0xFEE0 below it
const CAPITAL = 4; // A–Z
const OTHER = 5; // anything else (a letter toLowerCase changes, a surrogate): the steps run one by one

const FOLD_KIND = new Uint8Array(65536);
const WHITESPACE = /\s/;

function foldKind(c: number): number {
  if (c >= 0xff01 && c <= 0xff5e) return FULLWIDTH;
  if (c >= 65 && c <= 90) return CAPITAL;
  const ch = String.fromCharCode(c);
  if (WHITESPACE.test(ch)) return SPACE;
  if ((c >= 0xd800 && c <= 0xdfff) || ch.toLowerCase() !== ch) return OTHER;
  return PLAIN;
}

/** The characters the A3区 token's lookahead wants: 市 区 县 镇 乡 省. */
const isUnitChar = (c: number) => c === 0x5e02 || c === 0x533a || c === 0x53bf || c === 0x9547 || c === 0x4e61 || c === 0x7701;

const foldBuf = new Uint16Array(MAX_INPUT_CHARS);
/**
 * foldBuf's bytes, read back as a string by Buffer's UTF-16LE decoding (one native copy: about 20 times cheaper
 * than String.fromCharCode.apply over the units, which made a list of 400 numbers first); only where the
 * platform's Uint16Array is little-endian, as Buffer's UTF-16 is (os.endianness(); elsewhere the old way).
 */
const foldBytes = os.endianness() === 'LE' ? Buffer.from(foldBuf.buffer, foldBuf.byteOffset, foldBuf.byteLength) : null;

/**
 * normalize's first four steps — full-width ASCII folded, the A3区 tokens ([A-Z]\d{0,2} before 市区县镇乡省)
 * made a space, lower case, whitespace runs made one space and trimmed — in one pass over the units, when
 * every unit is plain, whitespace, full-width ASCII or A–Z (the same string the regular expressions make);
 * null when a unit is anything else.
 */
function foldPlain(s: string): string | null {
  const n = s.length;
  if (n > foldBuf.length) return null;
  const buf = foldBuf;
  const kinds = FOLD_KIND;
  // The units copied into buf by one native call (Buffer's UTF-16LE writes them as they are), then read from
  // there: a typed-array read is a few instructions, a string's charCodeAt a dozen (more for a slice of a string).
  const copied = foldBytes !== null && foldBytes.write(s, 0, 'utf16le') === 2 * n;
  for (let i = 0; i < n; i++) {
    let c = copied ? buf[i] : s.charCodeAt(i);
    let k = kinds[c];
    if (k === 0) k = kinds[c] = foldKind(c);
    if (k === OTHER) return null;
    if (k === FULLWIDTH) c -= 0xfee0;
    buf[i] = c;
  }
  // In place: what is written never runs ahead of what is read.
  let w = 0;
  let space = false; // whitespace seen since the last character written
  for (let i = 0; i < n; ) {
    const c = buf[i];
    if (c >= 65 && c <= 90) {
      // [A-Z]\d{0,2}(?=[市区县镇乡省]): the most digits first, as the greedy quantifier backtracks.
      let d = 0;
      while (d < 2 && i + 1 + d < n && buf[i + 1 + d] >= 48 && buf[i + 1 + d] <= 57) d++;
      let len = 0;
      for (let k = d; k >= 0; k--)
        if (i + 1 + k < n && isUnitChar(buf[i + 1 + k])) {
          len = 1 + k;
          break;
        }
      if (len > 0) {
        space = true;
        i += len;
        continue;
      }
    }
    // Whitespace: an original one (a folded unit is never whitespace, and kinds[] of an ASCII unit is its own).
    if (kinds[c] === SPACE) {
      space = true;
      i++;
      continue;
    }
    if (space && w > 0) buf[w++] = 32;
    space = false;
    buf[w++] = c >= 65 && c <= 90 ? c + 32 : c;
    i++;
  }
  return foldBytes ? foldBytes.toString('utf16le', 0, 2 * w) : String.fromCharCode.apply(null, buf.subarray(0, w) as unknown as number[]);
}

/**
 * Homophones a speech recogniser writes on hotline calls, put back so a transcript reads
 * as the typed appeal would: 然气 for 燃气, 电提 for 电梯, 露水 for 漏水. Each is narrowed
 * so the real words stay: 天然气, and 然 ending an adverb before 气焰/气味 (仍然气焰嚣张, 突然气味很大);
 * 来电提醒, 停电提前; 花露水, 露水珠.
 */
const ASR_HOMOPHONES: ReadonlyArray<readonly [RegExp, string, string]> = [
  // [pattern, replacement, the characters every match contains]
  [/(?<![天仍任依果显虽居忽突既自当竟偶安泰坦公断毅俨浑全已必骤猛悄默欣黯茫陡蓦霍愕决固纵诚本])然气(?=味|表|罐|管|灶|漏|泄|费|公司|阀|报警|热水器|卡|开户|安检|瓶|了|呢|啊|的|[ ，。,.!?！？]|$)/g, '燃气', '然气'],
  [/电提(?=[里内坏困停门年卡按间口没不又老一也还都轿井维修异突故事有上下 ]|$)/g, '电梯', '电提'],
  [/(?<!花)露水(?!珠)/g, '漏水', '露水'],
];

/** A word worth keeping: CJK ideographs and Latin letters/digits only, not all digits, not a stop word, 2+ characters. */
export function keep(w: string): boolean {
  if (w.length < 2 || STOP.has(w)) return false;
  let letters = 0;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 97 && c <= 122)) letters++;
    else if (!(c >= 48 && c <= 57)) return false;
  }
  return letters > 0;
}

/** Words too common in appeals to say anything about their subject. */
const STOP = new Set(
  (
    '的 了 是 在 我 我们 你 你们 他 他们 她 它 这 那 和 与 及 或 也 都 就 还 又 但 而 并 把 被 让 给 对 向 从 到 于 为 以 之 其 该 此 有 没有 无 不 没 很 非常 已 已经 将 会 能 可以 可 要 需要 请 希望 恳请 请求 请问 谢谢 感谢 您好 你好 领导 尊敬 相关 有关 部门 问题 情况 一个 一些 这个 那个 这些 那些 什么 怎么 如何 为什么 哪里 现在 目前 今年 去年 时候 时间 已经 因为 所以 如果 但是 而且 然后 这样 那么 自己 大家 一直 还是 可能 应该 进行 反映 处理 解决 关注 重视 尽快 市 区 县 政府 市政府 网友 市民 居民 群众 本人 一下 多次 至今 及时 看到 知道 表示 出现 存在 情况 一 二 三 月 日 年 号 万 元'
  ).split(' '),
);

/** Segment normalised text into content words (CJK words, Latin words, no digits, no stop words). */
export function tokenize(text: string): string[] {
  if (!text) return [];
  const out: string[] = [];
  const c = cutWords;
  wordSegmenter().cut(text, c);
  for (let k = 0; k < c.count; k++) {
    if (c.end[k] - c.start[k] < 2) continue;
    const w = text.slice(c.start[k], c.end[k]);
    if (keep(w)) out.push(w);
  }
  return out;
}

/** The stop words (words never kept by tokenize). */
export const STOP_WORDS: ReadonlySet<string> = STOP;

/** Whether text[a, b) would be kept by keep() when it is not a stop word (the same character test, no string made). */
function keepRange(text: string, a: number, b: number): boolean {
  if (b - a < 2) return false;
  let letters = 0;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 97 && c <= 122)) letters++;
    else if (!(c >= 48 && c <= 57)) return false;
  }
  return letters > 0;
}

let stopNodes: Uint8Array | null = null;

/** Per node of the segmenter's dictionary: 1 for a stop word. */
function stopNodesOf(seg: DictSegmenter): Uint8Array {
  if (!stopNodes) {
    stopNodes = new Uint8Array(seg.trie.nodes);
    for (const w of STOP) {
      const n = seg.trie.wordNode(w, 0, w.length);
      if (n >= 0) stopNodes[n] = 1;
    }
  }
  return stopNodes;
}

/** What a caller knows of words, for lookUpWords. */
export interface WordTable<T> {
  /** Per node of wordSegmenter().trie: index in `infos` of the dictionary word that ends there, -1 when nothing is known of it. */
  byNode: Int32Array;
  infos: readonly T[];
  /** For a word the dictionary does not have (the HMM's): what is known of it, or undefined. */
  byWord: (w: string) => T | undefined;
  /**
   * Per UTF-16 unit: 1 when a word the table knows, or a stop word, that the dictionary does
   * not have starts with it. A word of the HMM starting with any other unit is neither, so it
   * is looked up (and kept or not) without making its string.
   */
  unknownFirst: Uint8Array;
  /** Whether tokenize keeps a word the table knows (it must agree with keep()). */
  kept: (info: T) => boolean;
}

/** A WordTable over `words` (every word it knows, with its info). */
export function wordTable<T>(words: ReadonlyMap<string, T>, kept: (info: T) => boolean): WordTable<T> {
  const seg = wordSegmenter();
  const byNode = new Int32Array(seg.trie.nodes).fill(-1);
  const infos: T[] = [];
  const unknownFirst = new Uint8Array(65536);
  for (const [w, info] of words) {
    const n = seg.trie.wordNode(w, 0, w.length);
    if (n >= 0) {
      byNode[n] = infos.length;
      infos.push(info);
    } else if (w) unknownFirst[w.charCodeAt(0)] = 1;
  }
  for (const w of STOP) if (w && seg.trie.wordNode(w, 0, w.length) < 0) unknownFirst[w.charCodeAt(0)] = 1;
  return { byNode, infos, byWord: (w) => words.get(w), kept, unknownFirst };
}

/**
 * tokenize(text) where the caller knows some words in advance, by one look-up per word
 * and no string for a word of the dictionary: pushes, per kept word, what `table` knows
 * of it (or undefined) to `out`, and returns the number of kept words.
 */
export function lookUpWords<T>(text: string, table: WordTable<T>, out: Array<T | undefined>): number {
  if (!text) return 0;
  const seg = wordSegmenter();
  const c = cutWords;
  seg.cut(text, c);
  const stop = stopNodesOf(seg);
  const { byNode, infos } = table;
  let kept = 0;
  for (let k = 0; k < c.count; k++) {
    const a = c.start[k];
    const b = c.end[k];
    if (b - a < 2) continue;
    const node = c.node[k];
    let info: T | undefined;
    let keepIt: boolean;
    if (node >= 0) {
      const i = byNode[node];
      info = i >= 0 ? infos[i] : undefined;
      keepIt = info !== undefined ? table.kept(info) : stop[node] === 0 && keepRange(text, a, b);
    } else if (table.unknownFirst[text.charCodeAt(a)] === 0) {
      // Not a word of the table, not a stop word: keep() is its character test alone.
      info = undefined;
      keepIt = keepRange(text, a, b);
    } else {
      const w = text.slice(a, b);
      info = table.byWord(w);
      keepIt = info !== undefined ? table.kept(info) : keep(w);
    }
    if (keepIt) {
      out.push(info);
      kept++;
    }
  }
  return kept;
}

/** Share of characters that are CJK ideographs (0 for empty text): a cheap "is this Chinese" test. */
export function cjkShare(text: string): number {
  if (!text) return 0;
  let n = 0;
  let total = 0;
  // (Read from foldBuf where the units fit and were copied there by one native call, as in foldPlain.)
  const copied = foldBytes !== null && text.length <= foldBuf.length && foldBytes.write(text, 0, 'utf16le') === 2 * text.length;
  const units = foldBuf;
  for (let i = 0; i < text.length; i++) {
    const c = copied ? units[i] : text.charCodeAt(i);
    if (c === 32 || (c >= 0xdc00 && c <= 0xdfff)) continue; // spaces; low surrogates count with their pair
    total++;
    if (c >= 0x3400 && c <= 0x9fff) n++;
  }
  return total ? n / total : 0;
}
