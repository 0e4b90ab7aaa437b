import * as path from 'node:path';

/** File extensions by what they hold: the one list every part of CertLens asks. */
export const PEM_EXTENSIONS: ReadonlySet<string> = new Set(['.pem', '.crt', '.cer', '.cert', '.ca-bundle', '.chain', '.crl']);
export const DER_EXTENSIONS: ReadonlySet<string> = new Set(['.der', '.cer', '.crt', '.cert', '.crl']);
export const PKCS7_EXTENSIONS: ReadonlySet<string> = new Set(['.p7b', '.p7c']);
export const PKCS12_EXTENSIONS: ReadonlySet<string> = new Set(['.p12', '.pfx']);
/** Java keystores: JKS, JCEKS or PKCS#12 inside (told apart by their first bytes). */
export const KEYSTORE_EXTENSIONS: ReadonlySet<string> = new Set(['.jks', '.jceks', '.keystore', '.truststore']);
/** Keystores known by their whole name: the JDK's trust store. */
const KEYSTORE_NAMES: ReadonlySet<string> = new Set(['cacerts']);
/** Files whose whole purpose is certificates or keys: a broken one is an error wherever it lies. */
export const CERTIFICATE_EXTENSIONS: ReadonlySet<string> = new Set([...PEM_EXTENSIONS, ...DER_EXTENSIONS, ...PKCS7_EXTENSIONS, ...PKCS12_EXTENSIONS, ...KEYSTORE_EXTENSIONS, '.key']);

/** The lower-case extension of a file name or path ('' when none). */
export function extensionOf(file: string): string {
  return path.extname(file).toLowerCase();
}

/** Whether a file is named as a Java keystore (by extension, or `cacerts`). */
export function isKeystoreFileName(file: string): boolean {
  return KEYSTORE_EXTENSIONS.has(extensionOf(file)) || KEYSTORE_NAMES.has(path.basename(file).toLowerCase());
}

/** PKCS#7, PKCS#12 and keystore files: slow JavaScript to decode, so a worker thread decodes them when it can. */
export function isContainerFile(file: string): boolean {
  const ext = extensionOf(file);
  return PKCS7_EXTENSIONS.has(ext) || PKCS12_EXTENSIONS.has(ext) || isKeystoreFileName(file);
}

/** Whether a path names a certificate file (a config's `ssl_certificate`, a kubeconfig's `certificate-authority`). */
export function isCertificateFileName(file: string): boolean {
  return CERTIFICATE_EXTENSIONS.has(extensionOf(file)) && extensionOf(file) !== '.key';
}
