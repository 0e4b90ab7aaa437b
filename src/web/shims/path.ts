// node:path for the web bundle: POSIX paths only (a web workspace's files are URIs, and the core's
// keys for them are URI strings or '/'-paths). The functions the core and the editor use, as Node's
// path.posix defines them.
export const sep = '/';
export const delimiter = ':';

function normalizeParts(p: string, allowAboveRoot: boolean): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (allowAboveRoot) out.push('..');
    } else out.push(part);
  }
  return out.join('/');
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function normalize(p: string): string {
  if (!p) return '.';
  const abs = isAbsolute(p);
  const trailing = p.endsWith('/');
  let out = normalizeParts(p, !abs);
  if (!out && !abs) out = '.';
  if (out && trailing) out += '/';
  return (abs ? '/' : '') + out;
}

export function join(...parts: string[]): string {
  const joined = parts.filter((x) => x.length > 0).join('/');
  return joined ? normalize(joined) : '.';
}

/** The web worker has no working directory: relative paths resolve against '/'. */
export function resolve(...parts: string[]): string {
  let resolved = '';
  for (let i = parts.length - 1; i >= 0 && !resolved.startsWith('/'); i--) if (parts[i]) resolved = `${parts[i]}/${resolved}`;
  const out = normalizeParts(resolved, false);
  return '/' + out;
}

export function relative(from: string, to: string): string {
  const f = resolve(from).split('/').filter(Boolean);
  const t = resolve(to).split('/').filter(Boolean);
  let i = 0;
  while (i < f.length && i < t.length && f[i] === t[i]) i++;
  return [...f.slice(i).map(() => '..'), ...t.slice(i)].join('/');
}

export function dirname(p: string): string {
  if (!p) return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (!trimmed) return p.startsWith('/') ? '/' : '.';
  const i = trimmed.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return trimmed.slice(0, i);
}

export function basename(p: string, ext?: string): string {
  const trimmed = p.replace(/\/+$/, '');
  let base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  if (ext && base.endsWith(ext) && base !== ext) base = base.slice(0, -ext.length);
  return base;
}

export function extname(p: string): string {
  const base = basename(p);
  const i = base.lastIndexOf('.');
  return i <= 0 || base === '..' ? '' : base.slice(i);
}

export function toNamespacedPath(p: string): string {
  return p;
}

const posixPath = { sep, delimiter, isAbsolute, normalize, join, resolve, relative, dirname, basename, extname, toNamespacedPath };
export const posix = posixPath;
/** Only isAbsolute is asked of win32 (a Windows path in a config file): a drive letter or a UNC start. */
export const win32 = { ...posixPath, sep: '\\', isAbsolute: (p: string) => /^([a-zA-Z]:)?[\\/]/.test(p) };
export default posixPath;
