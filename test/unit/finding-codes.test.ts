import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  codesIn,
  EXPIRED_CODES,
  FILE_PROBLEM_CODES,
  FINDING_CODES,
  LOCKED_CODES,
  UNREAD_CODES,
  type FindingCategory,
} from '../../src/core/report/findingCodes';
import { READ_ERROR_CODES, toMetrics } from '../../src/core/report/metrics';
import { buildReport } from '../../src/core/report/schema';
import { failsAt, failureCounts } from '../../src/core/report/formats';
import { parseFile } from '../../src/core/formats/parse-file';
import { LOCKED_PROBLEM, PROBLEM_CODES, problemContextValue } from '../../src/extension/views/contextValues';
import type { Finding, FindingCode } from '../../src/core/model';

const root = path.resolve(__dirname, '../../..');
const sorted = (s: Iterable<string>) => [...s].sort();
const finding = (code: FindingCode, file = '/ws/a.pem'): Finding => ({
  file,
  range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  severity: 'error',
  code,
  message: code,
});

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('finding-code categories: every list of codes derives from FINDING_CODES', () => {
  it('gives every category at least one code, and codesIn unions categories', () => {
    const categories: FindingCategory[] = ['expired', 'expiry', 'certificate', 'read-error', 'locked', 'problem', 'host', 'drift'];
    for (const c of categories) assert.ok(codesIn(c).size > 0, c);
    assert.equal(
      categories.reduce((n, c) => n + codesIn(c).size, 0),
      Object.keys(FINDING_CODES).length,
      'one category per code',
    );
    assert.deepEqual(sorted(codesIn('host')), ['host-hostname-mismatch', 'host-unreachable', 'host-untrusted']);
    assert.deepEqual(sorted(codesIn('drift')), ['host-serves-other-certificate', 'renewed-not-deployed', 'repository-certificate-stale']);
  });

  it('expired: a certificate, SAML metadata and a CRL (--fail-on expired)', () => {
    assert.deepEqual(sorted(EXPIRED_CODES), ['crl-expired', 'expired', 'metadata-expired']);
    assert.equal(failsAt('expired', failureCounts([finding('crl-expired')])), true);
    assert.equal(failsAt('expired', failureCounts([finding('expires-critical')])), false);
  });

  it('locked: the PKCS#12 a password opens and the Java keystore a password verifies', () => {
    assert.deepEqual(sorted(LOCKED_CODES), ['keystore-wrong-password', 'pkcs12-locked', 'pkcs12-wrong-password']);
  });

  it('the tree lists broken and locked Java keystores and a contradicting JWK among its problems, and no expiry or host finding', () => {
    for (const code of [
      'keystore-invalid',
      'keystore-wrong-password',
      'jwk-thumbprint-mismatch',
      'invalid-crl',
      'pkcs12-locked',
      'read-error',
      'file-too-large',
      'too-many-certificates',
      'referenced-file-missing',
      'invalid-certificate',
      'pem-unterminated',
    ]) {
      assert.ok(PROBLEM_CODES.has(code), code);
    }
    for (const code of ['expired', 'expires-warning', 'crl-expired', 'weak-signature', 'host-untrusted', 'renewal-overdue'])
      assert.ok(!PROBLEM_CODES.has(code), code);
    assert.deepEqual(sorted(PROBLEM_CODES), sorted(FILE_PROBLEM_CODES));
  });

  it('a broken JKS read by the parser gives a finding the tree shows', () => {
    const r = parseFile('/ws/app/broken.jks', Buffer.from('feedfeed00000002' + '00'.repeat(6), 'hex'));
    assert.ok(r.problems.length > 0);
    assert.ok(
      r.problems.every((p) => PROBLEM_CODES.has(p.code)),
      r.problems.map((p) => p.code).join(),
    );
    assert.ok(r.problems.some((p) => p.code === 'keystore-invalid'));
  });

  it('a locked JKS or PKCS#12 row gets the contextValue of the Unlock menu, other problems do not', () => {
    assert.equal(problemContextValue('keystore-wrong-password'), LOCKED_PROBLEM);
    assert.equal(problemContextValue('pkcs12-locked'), LOCKED_PROBLEM);
    assert.equal(problemContextValue('keystore-invalid'), 'certlens.problem');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const unlock = (pkg.contributes.menus['view/item/context'] as { command: string; when: string }[]).find(
      (m) => m.command === 'certlens.unlockPkcs12',
    );
    assert.match(unlock?.when ?? '', new RegExp(`viewItem == ${LOCKED_PROBLEM.replace(/\./g, '\\.')}$`));
  });

  it('metrics count the read-error and locked categories as read errors', () => {
    assert.deepEqual(sorted(READ_ERROR_CODES), sorted([...codesIn('read-error'), ...codesIn('locked')]));
    assert.equal(READ_ERROR_CODES, UNREAD_CODES);
    const report = buildReport(
      [],
      [finding('keystore-invalid', '/ws/a.jks'), finding('invalid-crl', '/ws/b.crl'), finding('expired', '/ws/c.pem')],
      Date.now(),
      { files: 3, ms: 1 },
    );
    const total = [...toMetrics(report).matchAll(/^x509_source_errors_total\{.*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(total, 2);
  });

  it('no source keeps a hand-made list of finding codes', () => {
    const codes = Object.keys(FINDING_CODES)
      .map((c) => c.replace(/[-]/g, '\\-'))
      .join('|');
    const list = new RegExp(`\\[\\s*'(?:${codes})'\\s*,\\s*'(?:${codes})'`);
    // Not categories: the tree's urgency groups (urgencies share names with codes), and a certificate's own expiry windows
    // (the codes cert-manager renewal softens, the report's "expiring without owner"), which name codes one by one.
    const allowed = new Set(
      [
        'src/core/report/findingCodes.ts',
        'src/core/model.ts',
        'src/extension/views/expirationsTree.ts',
        'src/core/report/schema.ts',
        'src/core/rules/renewal.ts',
      ].map((f) => path.join(root, f)),
    );
    const offenders = sources(path.join(root, 'src')).filter((f) => !allowed.has(f) && list.test(fs.readFileSync(f, 'utf8')));
    assert.deepEqual(
      offenders.map((f) => path.relative(root, f)),
      [],
    );
  });
});
