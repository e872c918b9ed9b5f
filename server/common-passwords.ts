// Passwords people guess first, refused when a user chooses one (NIST SP 800-63B 5.1.1.2:
// "passwords obtained from previous breach corpuses, dictionary words, context-specific
// words"). The list is zxcvbn's common passwords (@zxcvbn-ts/language-common, 49,233
// passwords ranked from leaked corpora, kept by the zxcvbn-ts project); we look at the
// password as people decorate one: any case, letters written as digits or signs
// (P@ssw0rd), digits and signs around a word (Password1!, Admin@123). Also refused: the
// demo password in any case (and anything containing it), and words of this system and
// city that an attacker tries first (hotline, minsheng, 12345, shouguang …).
import { dictionary } from '@zxcvbn-ts/language-common';

let common: Set<string> | null = null;
const commonPasswords = () => (common ??= new Set(dictionary['passwords-common']));

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

/** Why this password is one people guess first (null: it is not). `demoPasswords`: the demo passwords of this installation. */
export function guessablePassword(password: string, demoPasswords: string[]): string | null {
  const forms = cores(password);
  for (const d of demoPasswords) {
    const demo = d.toLowerCase();
    if (demo && forms.some((f) => f.includes(demo))) return '不能使用演示密码（不论大小写）';
  }
  const list = commonPasswords();
  if (forms.some((f) => list.has(f))) return '是常见或泄露过的密码，容易被猜中';
  if (forms.some((f) => CONTEXT_WORDS.some((w) => f.includes(w)))) return '不能以本系统或本市的名称（hotline、minsheng、12345、shouguang 等）为密码';
  return null;
}
