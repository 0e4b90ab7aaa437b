import picomatch from 'picomatch';

export const DEFAULT_EXCLUDES = [
  '**/node_modules/**',
  '**/.git/**',
  '**/.hg/**',
  '**/.svn/**',
  '**/.vscode-test/**',
  '**/bower_components/**',
  '**/__pycache__/**',
  '**/.venv/**',
  '**/.tox/**',
  '**/.terraform/**',
];

/** Extensions that never hold a certificate; skipped without being read. */
const BINARY_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'bmp',
  'ico',
  'webp',
  'svgz',
  'tif',
  'tiff',
  'psd',
  'mp3',
  'mp4',
  'mov',
  'avi',
  'wav',
  'ogg',
  'flac',
  'webm',
  'zip',
  'gz',
  'tgz',
  'bz2',
  'xz',
  'zst',
  '7z',
  'rar',
  'jar',
  'war',
  'ear',
  'class',
  'so',
  'dll',
  'dylib',
  'exe',
  'o',
  'a',
  'lib',
  'obj',
  'pdb',
  'pyc',
  'pyo',
  'wasm',
  'woff',
  'woff2',
  'ttf',
  'otf',
  'eot',
  'pdf',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'ppt',
  'pptx',
  'sqlite',
  'db',
  'iso',
  'dmg',
  'img',
  'node',
  'map',
]);

export function isSkippedByExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && BINARY_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/** Excludes of the form "**\/NAME/**" (all the defaults) are checked as path segments, without a regex. */
const SEGMENT_GLOB = /^\*\*\/([^*?[\]{}/!]+)\/\*\*$/;

/** Include/exclude globs over paths relative to a root, with '/' separators. */
export class PathFilter {
  private readonly include?: picomatch.Matcher;
  private readonly exclude?: picomatch.Matcher;
  private readonly excludedNames = new Set<string>();

  constructor(include: readonly string[] | undefined, exclude: readonly string[]) {
    const opts = { dot: true };
    this.include =
      include && include.length > 0 && !include.includes('**/*') && !include.includes('**') ? picomatch([...include], opts) : undefined;
    const globs: string[] = [];
    for (const g of exclude) {
      const m = SEGMENT_GLOB.exec(g);
      if (m) this.excludedNames.add(m[1]);
      else globs.push(g);
    }
    this.exclude = globs.length ? picomatch(globs, opts) : undefined;
  }

  private excludedBySegment(rel: string, includeLast: boolean): boolean {
    if (this.excludedNames.size === 0) return false;
    const parts = rel.split('/');
    const n = includeLast ? parts.length : parts.length - 1;
    for (let i = 0; i < n; i++) if (this.excludedNames.has(parts[i])) return true;
    return false;
  }

  /** A directory is pruned when anything inside it would be excluded. */
  skipsDirectory(rel: string): boolean {
    return this.excludedBySegment(rel, true) || (!!this.exclude && (this.exclude(rel) || this.exclude(rel + '/x')));
  }

  accepts(rel: string): boolean {
    return !this.excludedBySegment(rel, false) && this.acceptsInAcceptedFolder(rel);
  }

  /** accepts() for a file whose folder passed skipsDirectory (a walk): its segments are already checked. */
  acceptsInAcceptedFolder(rel: string): boolean {
    return !this.exclude?.(rel) && (!this.include || this.include(rel));
  }
}
