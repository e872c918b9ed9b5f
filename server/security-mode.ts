// Demo or production: what the start-up says and refuses. Pure over the facts the
// start-up reads (server/services/demo-secrets.ts reads them from the database).
//
// `npm start` with no configuration is the demo: every seeded user has the demo password and
// four demo Open311 keys work. It says so loudly (the first lines of its log, and a notice
// every desk page shows in its header). Production (HOTLINE_MODE=production, or
// NODE_ENV=production) refuses to start while any demo secret is active, or while it listens
// on an address other than loopback without a reverse proxy declared (TRUST_PROXY).

export type HotlineMode = 'demo' | 'production';

/** The demo secrets still active: accounts on a demo password, demo Open311 keys (the key text, which is public). */
export interface DemoSecrets { passwordUsers: string[]; apiKeys: string[] }

export interface StartFacts {
  mode: HotlineMode;
  host: string;
  /** TRUST_PROXY as configured (undefined: not set). */
  trustProxy: string | undefined;
  secrets: DemoSecrets;
  /** No units or users yet: the demo would seed them with the demo password. */
  emptyDatabase: boolean;
}

/** Whether the server listens on this machine only (a reverse proxy on the same machine reaches it). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const some = (names: string[], n = 8) => names.slice(0, n).join('、') + (names.length > n ? ` 等` : '');

/** Why production may not start (empty: it may). Each line says what to do. */
export function productionProblems(f: StartFacts): string[] {
  if (f.mode !== 'production') return [];
  const out: string[] = [];
  if (f.emptyDatabase) {
    out.push('数据库里还没有单位和用户：生产模式不会用演示密码建立账号。请先运行 HOTLINE_MODE=production npx hotline seed --city 城市配置目录（每个用户一个一次性密码，只显示一次）');
  }
  const { passwordUsers, apiKeys } = f.secrets;
  if (passwordUsers.length) {
    out.push(`${passwordUsers.length} 个账号仍使用演示密码（${some(passwordUsers)}）：请本人登录后修改密码，或由管理员重置（npx hotline user reset-password 用户名，给出一次性密码），不用的账号停用（npx hotline user disable 用户名）`);
  }
  if (apiKeys.length) {
    out.push(`Open311 演示密钥仍然有效：${apiKeys.join('、')}（密钥文字是公开的）：请停用（npx hotline apikey list，npx hotline apikey disable 编号），用 npx hotline apikey create 为每个渠道新建密钥`);
  }
  if (!isLoopbackHost(f.host) && (f.trustProxy === undefined || f.trustProxy === 'loopback')) {
    out.push(`HOST=${f.host} 不是本机地址，却没有设置 TRUST_PROXY：生产环境请放在提供 HTTPS 的反向代理之后，HOST 设为 127.0.0.1（代理在本机），或把 TRUST_PROXY 设为代理的地址（例如 10.0.0.2 或 10.0.0.0/24）`);
  }
  return out;
}

/** The refusal as printed (first line, then one line per problem). */
export function refusalText(problems: string[]): string {
  return ['生产模式拒绝启动（HOTLINE_MODE=production 或 NODE_ENV=production）：', ...problems.map((p) => `  · ${p}`)].join('\n');
}

/**
 * The lines the demo prints first. `demoPassword`: the demo password in use, shown only when
 * accounts are on it (it is the README's and the operator's own setting, not a secret to them).
 */
export function demoBanner(s: DemoSecrets, demoPassword: string | null): string[] {
  const bar = '='.repeat(72);
  const lines = [bar, '【演示模式】本热线以演示密码和演示密钥运行，只能试用，不能受理真实诉求！'];
  if (s.passwordUsers.length) {
    lines.push(`  · ${s.passwordUsers.length} 个账号使用演示密码${demoPassword ? ` ${demoPassword}` : ''}（HOTLINE_DEMO_PASSWORD），例如 ${some(s.passwordUsers, 3)}；任何知道它的人都能登录`);
  }
  if (s.apiKeys.length) lines.push(`  · Open311 演示密钥有效：${s.apiKeys.join('、')}；任何人都能用它们提交诉求`);
  lines.push('  · 上线请设置 HOTLINE_MODE=production（步骤见 README「从演示到生产」）：在以上问题解决之前生产模式拒绝启动', bar);
  return lines;
}

/** What the desk shows in every page's header (`demoNotice`), and the flag (`demo`). */
export interface DemoFlag { demo: boolean; demoNotice: string | null }

export function demoFlag(mode: HotlineMode, s: DemoSecrets): DemoFlag {
  if (mode === 'production' && !s.passwordUsers.length && !s.apiKeys.length) return { demo: false, demoNotice: null };
  const what = [
    s.passwordUsers.length ? `${s.passwordUsers.length} 个账号使用演示密码` : null,
    s.apiKeys.length ? `Open311 演示密钥（${s.apiKeys.length} 个）有效` : null,
  ].filter(Boolean);
  return {
    demo: true,
    demoNotice: `演示系统：${what.length ? what.join('，') : '未以生产模式运行'}，仅供试用，请勿受理真实诉求`,
  };
}
