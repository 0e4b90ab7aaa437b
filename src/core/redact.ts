/**
 * Keeps secrets out of logs: CertLens logs error messages, and a message can quote the file it
 * failed on. Private key blocks, long base64 or hex runs (key material, PKCS#12 bodies) and
 * `password=...` values are replaced before anything is written.
 */

/** A private key PEM block (RSA, EC, PKCS#8, encrypted, OpenSSH, PGP), or from its header to the end when unterminated. */
const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|$)/g;

/** base64, base64url or hex, possibly broken into lines as PEM bodies are. */
const ENCODED_RUN = /[A-Za-z0-9+/_-]+(?:\r?\n[A-Za-z0-9+/_-]+)*={0,2}/g;

/** Longer runs are redacted: a SHA-256 fingerprint (64 hex digits) stays readable. */
const MAX_KEPT_RUN = 64;

/** `password=x`, `passphrase: "x"`, `pass:x` (openssl) and the like: the value goes. */
const SECRET_ASSIGNMENT = /\b(password|passphrase|passwd|passin|passout|pass|pwd|secret)(\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;]+)/gi;

/**
 * A path has a `/` every few characters; base64 has one in 64 on average. Paths stay readable,
 * however long.
 */
function looksLikePath(run: string): boolean {
  const slashes = run.split('/').length - 1;
  return slashes > 0 && slashes * 16 > run.length;
}

/** The text with private key blocks, long encoded runs and secret assignments replaced. */
export function redactSecrets(text: string): string {
  return text
    .replace(PRIVATE_KEY_BLOCK, '[private key redacted]')
    .replace(SECRET_ASSIGNMENT, '$1$2[redacted]')
    .replace(ENCODED_RUN, (run) => {
      const compact = run.replace(/\s/g, '');
      return compact.length > MAX_KEPT_RUN && !looksLikePath(compact) ? `[${compact.length} encoded characters redacted]` : run;
    });
}

/** What went wrong, without the stack or attached data: the message only, redacted. */
export function errorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message || err.name : typeof err === 'string' ? err : String(err);
  return redactSecrets(message);
}
