import picomatch from 'picomatch';

export const DEFAULT_EXCLUDES = [
  '**/node_modules/**', '**/.git/**', '**/.hg/**', '**/.svn/**', '**/.vscode-test/**', '**/bower_components/**',
  '**/__pycache__/**', '**/.venv/**', '**/.tox/**', '**/.terraform/**',
];

/** Extensions that never hold a certificate; skipped without being read. */
const BINARY_EXTENSIONS = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'bmp', 'ico', 'webp', 'svgz', 'tif', 'tiff', 'psd', 'mp3', 'mp4', 'mov', 'avi', 'wav',
  'ogg', 'flac', 'webm', 'zip', 'gz', 'tgz', 'bz2', 'xz', 'zst', '7z', 'rar', 'jar', 'war', 'ear', 'class', 'so',
  'dll', 'dylib', 'exe', 'o', 'a', 'lib', 'obj', 'pdb', 'pyc', 'pyo', 'wasm', 'woff', 'woff2', 'ttf', 'otf', 'eot',
  'pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'sqlite', 'db', 'iso', 'dmg', 'img', 'node', 'map',
]);

export function isSkippedByExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && BINARY_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/** Include/exclude globs over paths relative to a root, with '/' separators. */
export class PathFilter {
  private readonly include?: picomatch.Matcher;
  private readonly exclude: picomatch.Matcher;

  constructor(include: readonly string[] | undefined, exclude: readonly string[]) {
    const opts = { dot: true };
    this.include = include && include.length > 0 && !include.includes('**/*') && !include.includes('**') ? picomatch([...include], opts) : undefined;
    this.exclude = picomatch(exclude.length ? [...exclude] : ['\0'], opts);
  }

  /** A directory is pruned when anything inside it would be excluded. */
  skipsDirectory(rel: string): boolean {
    return this.exclude(rel) || this.exclude(rel + '/x');
  }

  accepts(rel: string): boolean {
    return !this.exclude(rel) && (!this.include || this.include(rel));
  }
}
