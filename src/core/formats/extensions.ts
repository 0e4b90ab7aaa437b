import * as path from 'node:path';
import { formatNamed, formatOfExtension, FORMATS } from './table';

/** What file names say, from the format table (table.ts): the one list every part of CertLens asks. */

/** Files whose whole purpose is certificates or keys: a broken one is an error wherever it lies. */
export const CERTIFICATE_EXTENSIONS: ReadonlySet<string> = new Set(FORMATS.flatMap((d) => (d.fileKind ? d.extensions : [])));

/** The lower-case extension of a file name or path ('' when none). */
export function extensionOf(file: string): string {
  return path.extname(file).toLowerCase();
}

/** PKCS#7, PKCS#12 and keystore files: slow JavaScript to decode, so a worker thread decodes them when it can. */
export function isContainerFile(file: string): boolean {
  return formatNamed(file)?.worker === 'container';
}

/** Whether a path names a certificate file (a config's `ssl_certificate`, a kubeconfig's `certificate-authority`). */
export function isCertificateFileName(file: string): boolean {
  return formatOfExtension(extensionOf(file))?.fileKind === 'certificates';
}

const URI_KEY = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)(\/.*)?$/i;

/**
 * The file a file names by a path: resolved against the naming file's folder, for local paths and
 * for the URI strings that name files of remote and virtual workspaces alike. `~/` is the home folder.
 */
export function resolveNamedFile(namingFile: string, value: string, home?: string): string {
  const uri = URI_KEY.exec(namingFile);
  if (uri) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
    return uri[1] + path.posix.resolve(path.posix.dirname(uri[2] ?? '/'), value);
  }
  if (path.isAbsolute(value) || path.win32.isAbsolute(value)) return value;
  if (home && value.startsWith('~/')) return path.join(home, value.slice(2));
  return path.resolve(path.dirname(namingFile), value);
}
