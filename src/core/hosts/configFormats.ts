import * as path from 'node:path';

/** Config formats host discovery reads. Source code and prose are never read: their links are not endpoints. */
export type ConfigFormat =
  | 'yaml' | 'json' | 'toml' | 'ini' | 'properties' | 'env' | 'hcl' | 'xml'
  | 'nginx' | 'apache' | 'haproxy' | 'caddy' | 'http';

/** Manifests and lock files full of registry, homepage and schema URLs that are not the project's endpoints. */
const SKIPPED_FILES = new Set([
  'package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'composer.json', 'composer.lock', 'bower.json',
  'cargo.toml', 'cargo.lock', 'pyproject.toml', 'pipfile.lock', 'poetry.lock', 'pnpm-lock.yaml', 'yarn.lock',
  'pom.xml', 'tsconfig.json', 'jsconfig.json', 'renovate.json', '.eslintrc.json', 'deno.lock', 'flake.lock',
  'gemfile.lock', 'go.sum', 'packages.lock.json', 'project.assets.json',
]);

const BY_EXTENSION: Record<string, ConfigFormat> = {
  '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json', '.jsonc': 'json', '.json5': 'json', '.toml': 'toml',
  '.properties': 'properties', '.env': 'env', '.tf': 'hcl', '.tfvars': 'hcl', '.hcl': 'hcl', '.xml': 'xml',
  '.config': 'xml', '.http': 'http', '.rest': 'http', '.caddyfile': 'caddy',
};
const SNIFFED_EXTENSIONS = new Set(['.conf', '.cfg', '.cnf', '.ini', '.vhost', '.site']);

/** Which config format a file is, by name first and by content for .conf-like files; undefined to skip it. */
export function configFormat(file: string, text: string): ConfigFormat | undefined {
  const byName = formatByName(file);
  if (byName !== 'sniff') return byName;
  return sniffServerConfig(text) ?? (path.extname(file) === '' ? undefined : 'ini');
}

/** Whether host discovery may read this file, by its name alone (before reading it). */
export function mayBeConfigFile(file: string): boolean {
  return formatByName(file) !== undefined;
}

function formatByName(file: string): ConfigFormat | 'sniff' | undefined {
  const base = path.basename(file).toLowerCase();
  if (SKIPPED_FILES.has(base) || base.endsWith('.schema.json') || base.endsWith('.lock')) return undefined;
  if (base === 'caddyfile' || base.startsWith('caddyfile.')) return 'caddy';
  if (base === '.env' || base.startsWith('.env.')) return 'env';
  const ext = path.extname(base);
  const known = BY_EXTENSION[ext];
  if (known) return known;
  const inServerDir = /[\\/](?:nginx|apache2?|httpd|haproxy|sites-(?:available|enabled)|conf\.d)[\\/]/i.test(file);
  return SNIFFED_EXTENSIONS.has(ext) || (ext === '' && inServerDir) ? 'sniff' : undefined;
}

function sniffServerConfig(text: string): ConfigFormat | undefined {
  if (/^[ \t]*(?:<VirtualHost\b|ServerName[ \t]|SSLEngine[ \t])/mi.test(text)) return 'apache';
  if (/\bserver_name[ \t]|^[ \t]*(?:server|http|stream|events)[ \t]*\{/m.test(text)) return 'nginx';
  if (/^[ \t]*(?:frontend|backend|listen|defaults)\b/m.test(text) && /^[ \t]*(?:server|bind)[ \t]/m.test(text)) return 'haproxy';
  return undefined;
}

/** How comments look in a format. */
interface CommentStyle {
  /** '#' starts a comment at line start or after whitespace (outside quotes). */
  hash?: 'line-start' | 'after-space';
  /** ';' at line start (INI). */
  semicolon?: boolean;
  /** '!' at line start (Java properties). */
  bang?: boolean;
  /** '//' at line start only (.http files). */
  slashLineStart?: boolean;
  /** '//' and '/* *\/' anywhere outside strings (JSONC, HCL). */
  slashes?: boolean;
  xml?: boolean;
}

const STYLES: Record<ConfigFormat, CommentStyle> = {
  yaml: { hash: 'after-space' }, toml: { hash: 'after-space' }, env: { hash: 'after-space' },
  ini: { hash: 'line-start', semicolon: true }, properties: { hash: 'line-start', bang: true },
  json: { slashes: true }, hcl: { hash: 'after-space', slashes: true }, xml: { xml: true },
  nginx: { hash: 'after-space' }, apache: { hash: 'line-start' }, haproxy: { hash: 'after-space' },
  caddy: { hash: 'after-space' }, http: { hash: 'line-start', slashLineStart: true },
};

/**
 * The text with comments replaced by spaces (newlines kept), so offsets still match the original
 * and links in comments are not mistaken for endpoints.
 */
export function maskComments(text: string, format: ConfigFormat): string {
  const style = STYLES[format];
  if (style.xml) return text.replace(/<!--[\s\S]*?(?:-->|$)/g, blank);
  if (style.slashes) return maskSlashComments(text, style.hash === 'after-space');
  const out: string[] = [];
  let from = 0;
  while (from <= text.length) {
    let end = text.indexOf('\n', from);
    if (end < 0) end = text.length;
    out.push(maskLine(text.slice(from, end), style));
    if (end < text.length) out.push('\n');
    from = end + 1;
  }
  return out.join('');
}

function blank(s: string): string {
  return s.replace(/[^\n]/g, ' ');
}

function maskLine(line: string, style: CommentStyle): string {
  const first = line.search(/\S/);
  if (first < 0) return line;
  const c = line[first];
  if ((c === '#' && style.hash) || (c === ';' && style.semicolon) || (c === '!' && style.bang) ||
      (style.slashLineStart && line.startsWith('//', first))) {
    return line.slice(0, first) + ' '.repeat(line.length - first);
  }
  if (style.hash !== 'after-space' || line.indexOf('#', first) < 0) return line;
  let quote = '';
  for (let i = first; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      // A quote opens a string only at a token start (YAML, TOML, shell): "it's" is not one.
      if (i === 0 || /[\s:=,[{(]/.test(line[i - 1])) quote = ch;
    } else if (ch === '#' && /\s/.test(line[i - 1] ?? ' ')) {
      return line.slice(0, i) + ' '.repeat(line.length - i);
    }
  }
  return line;
}

function maskSlashComments(text: string, hash: boolean): string {
  if (!text.includes('//') && !text.includes('/*') && !(hash && text.includes('#'))) return text;
  const interesting = hash ? /["/#]/g : /["/]/g;
  const n = text.length;
  let out = '';
  let copied = 0;
  let i = 0;
  const blankTo = (end: number) => {
    out += text.slice(copied, i) + blank(text.slice(i, end));
    copied = i = end;
  };
  for (;;) {
    interesting.lastIndex = i;
    const m = interesting.exec(text);
    if (!m) break;
    i = m.index;
    const ch = text[i];
    if (ch === '"') {
      // Skip the string: the next quote not escaped by an odd run of backslashes.
      let j = text.indexOf('"', i + 1);
      while (j > 0) {
        let backslashes = 0;
        while (text[j - 1 - backslashes] === '\\') backslashes++;
        if (backslashes % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      i = j < 0 ? n : j + 1;
    } else if (ch === '#' || text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      blankTo(nl < 0 ? n : nl);
    } else if (text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      blankTo(close < 0 ? n : close + 2);
    } else {
      i++;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}
