import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { daysFromNow, makeChain, makeCert, makeCrl, makeKey, pkcs12, pkcs7 } from '../support/certs';
import { javaKeystore } from '../support/fuzz';
import { ownersByRoot } from '../../src/core/owners';
import { applyNonProductionPolicy, type ContextGlobs, type NonProductionPolicy, withCertificateContent } from '../../src/core/context';
import type { FileResult, Finding } from '../../src/core/model';
import { buildReport, type HostJson } from '../../src/core/report/schema';
import { type FailureCounts, failureCounts } from '../../src/core/report/formats';
import {
  contextOfSpec,
  type FragmentSpec,
  packTexts,
  type ReportFragment,
  reportFragment,
  TextBlocks,
  writeJsonReport,
} from '../../src/core/report/stream';
import { DEFAULT_RULES } from '../../src/core/rules/rules';
import { Inventory } from '../../src/core/scan/inventory';
import { DEFAULT_EXCLUDES } from '../../src/core/scan/filters';
import { readBounded, readBoundedSync, walkSync } from '../../src/core/scan/files';
import { resultFor, runScan } from '../../src/core/scan/pipeline';
import { ReadPool } from '../../src/core/scan/readPool';
import { scanTree, sharedKey, tempDir, WORKER_FILE } from './helpers';

/** A tree with something of every kind a report holds: contexts, chains, keys, problems, trust stores, ties, odd names. */
function makeTree(): string {
  const root = tempDir('certlens-stream-');
  const write = (rel: string, data: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), data);
  };
  const ec = sharedKey({ type: 'ec' });
  const own = makeKey({ type: 'ec' });
  const weak = sharedKey({ type: 'rsa', bits: 1024 });
  const cert = (cn: string, from: number, to: number, extra: Partial<Parameters<typeof makeCert>[0]> = {}) =>
    makeCert({ cn, key: ec, notBefore: daysFromNow(from), notAfter: daysFromNow(to), ...extra });
  const expired = cert('expired.acme.io', -100, -5);
  const soon = cert('soon.acme.io', -10, 3);
  const same = cert('same-day.acme.io', -10, 45);
  const chain = makeChain({ leafCn: 'chain.acme.io', notBefore: daysFromNow(-5), notAfter: daysFromNow(200), keyType: 'ec' });
  const paired = makeCert({ cn: 'paired.acme.io', key: own, notBefore: daysFromNow(-1), notAfter: daysFromNow(60) });
  write('deploy/tls.crt', expired.pem);
  write('deploy/soon.pem', soon.pem);
  write('deploy/paired.crt', paired.pem);
  write('deploy/paired.key', own.pem);
  write('other/copy-of.key', own.pem); // the same key again: pairs with the first by path
  write('deploy/chain.pem', [chain.leaf.pem, chain.intermediate.pem, chain.root.pem].join(''));
  write('a/same.pem', same.pem);
  write('b/same.pem', same.pem); // a tie on notAfter, broken by file
  write('b/twice.pem', same.pem + same.pem); // and by position
  write('odd/"quoted" \u00e9\\name.pem', soon.pem + '-----BEGIN CERTIFICATE-----\nbroken\n'); // a name JSON must escape
  write(
    'weak/rsa1024.pem',
    makeCert({
      cn: 'weak "quoted" \u00e9\u4e2d.acme.io',
      key: weak,
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(500),
      sigHash: 'sha1',
    }).pem,
  );
  write('test/fixtures/expired.pem', expired.pem);
  write('docs/setup.md', `# Setup\n\n\`\`\`\n${soon.pem}\`\`\`\n`);
  write('vendor/lib/ca.pem', expired.pem);
  write('examples/deploy/cert.pem', soon.pem);
  write('certs/ca-certificates.crt', cert('Old Root', -4000, -30, { ca: true }).pem + cert('Good Root', -4000, 3000, { ca: true }).pem);
  write('broken/bad.pem', '-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n');
  write('config/values.yaml', 'tls:\n  ca.crt: "CA1"\n');
  write('keys/p.p12', pkcs12({ cert: chain.leaf, key: chain.leafKey, chain: [chain.intermediate] }));
  write('keys/p.p7b', pkcs7([chain.leaf, chain.intermediate], { der: true }));
  write('keys/copy.p7b', pkcs7([chain.leaf, chain.intermediate], { der: true }));
  write(
    'kube/config',
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: ../deploy/soon.pem\n  name: a\n- cluster:\n    certificate-authority: ../deploy/missing.pem\n  name: b\n`,
  );
  // Owners for some files only: expiringWithoutOwner counts the others.
  write('.github/CODEOWNERS', '/deploy/ @acme/platform\n/keys/ @acme/security @alice\n');
  // A CRL, SAML metadata with validUntil, a JWKS, a keystore, and cert-manager: a managed Secret whose
  // Certificate manifest sits in another file, renewal overdue.
  write(
    'pki/ca.crl',
    makeCrl({ issuer: { cert: chain.intermediate, key: chain.intermediateKey }, thisUpdate: daysFromNow(-20), nextUpdate: daysFromNow(-2) })
      .pem,
  );
  write(
    'pki/fresh.crl',
    makeCrl({
      issuer: { cert: chain.intermediate, key: chain.intermediateKey },
      thisUpdate: daysFromNow(-1),
      nextUpdate: daysFromNow(5),
      number: '1F',
    }).der,
  );
  const xmlTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  write(
    'saml/idp-metadata.xml',
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.acme.io" validUntil="${xmlTime(daysFromNow(4))}"><md:IDPSSODescriptor><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${soon.der.toString('base64')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>\n`,
  );
  write('oidc/jwks.json', JSON.stringify({ keys: [{ kid: 'k1', kty: 'EC', use: 'sig', x5c: [expired.der.toString('base64')] }] }));
  write(
    'keys/store.jks',
    javaKeystore(
      'jks',
      [
        { alias: 'server', chain: [chain.leaf.der, chain.intermediate.der] },
        { alias: 'root', chain: [chain.root.der] },
      ],
      'changeit',
    ),
  );
  const managed = makeCert({ cn: 'web.acme.io', key: ec, notBefore: daysFromNow(-80), notAfter: daysFromNow(10) });
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  write(
    'k8s/web-tls.yaml',
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-tls\n  namespace: prod\n  annotations:\n    cert-manager.io/certificate-name: web-cert\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${b64(managed.pem)}\n  tls.key: ""\n`,
  );
  write(
    'k8s/managed-ok.yaml',
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-tls\n  namespace: prod\n  annotations:\n    cert-manager.io/certificate-name: api-cert\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${b64(soon.pem)}\n`,
  );
  write(
    'k8s/web-cert.yaml',
    `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web-cert\n  namespace: prod\nspec:\n  secretName: web-tls\n  renewBefore: 240h\n  dnsNames:\n    - web.acme.io\n`,
  );
  for (let i = 0; i < 300; i++) write(`src/d${i % 5}/f${i}.ts`, `export const x${i} = ${i};\n`);
  return root;
}

const HOST: HostJson = {
  host: 'shop.acme.io',
  port: 443,
  servername: 'shop.acme.io',
  address: 'shop.acme.io',
  viaProxy: null,
  starttls: null,
  references: [{ file: '', range: { start: { line: 1, character: 2 }, end: { line: 1, character: 9 } }, source: 'url' }],
  checkedAt: '2030-01-01T00:00:00.000Z',
  notBefore: null,
  notAfter: null,
  daysLeft: null,
  chainEarliestNotAfter: null,
  chainEarliestIndex: null,
  authorized: false,
  authorizationError: 'SELF_SIGNED',
  hostnameMatch: null,
  hostnameError: null,
  selfSigned: true,
  missingIntermediate: null,
  protocol: 'TLSv1.3',
  cipher: null,
  error: null,
  chain: [],
};

describe('streamed JSON report', () => {
  let root: string;
  let results: FileResult[];
  let files: number;
  before(async function () {
    this.timeout(60_000);
    root = makeTree();
    const scan = await scanTree({ roots: [root], mode: 'sync' });
    results = scan.results;
    files = scan.stats.files;
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const specFor = (policy: NonProductionPolicy, contextGlobs: ContextGlobs = {}, ownerRoots = [root]): FragmentSpec => ({
    now: Date.now(),
    rules: DEFAULT_RULES,
    contextGlobs,
    folders: [root],
    cwd: process.cwd(),
    policy,
    ownerRoots,
  });

  /** What the CLI writes without streaming (and wrote before): one JSON.stringify of buildReport over the Inventory. */
  function expected(spec: FragmentSpec, host?: { findings: Finding[]; hosts: HostJson[] }): string {
    const inventory = new Inventory();
    for (const r of results) inventory.set(r);
    // As the CLI: the path's context, or the certificates' own when they are all for development.
    const contextOf = withCertificateContent(contextOfSpec(spec), (f) => inventory.get(f)?.certificates);
    const findings = applyNonProductionPolicy(
      [...inventory.findings(spec.now, spec.rules), ...(host?.findings ?? [])],
      contextOf,
      spec.policy,
    );
    const ownersOf = ownersByRoot(spec.ownerRoots, (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined));
    const report = buildReport(
      inventory.certificates(),
      findings,
      spec.now,
      { files, ms: 12 },
      { contextOf, hosts: host?.hosts, ownersOf, crls: inventory.crls() },
    );
    return JSON.stringify(report);
  }

  async function streamed(
    fragments: readonly ReportFragment[],
    spec: FragmentSpec,
    host?: { findings: Finding[]; hosts: HostJson[] },
    chunkSize?: number,
  ): Promise<{ text: string; chunks: number; counts: FailureCounts }> {
    const chunks: Buffer[] = [];
    const totals = await writeJsonReport(
      fragments,
      { files, ms: 12, hostFindings: host?.findings, hosts: host?.hosts },
      spec,
      (chunk) => {
        chunks.push(Buffer.from(chunk)); // the writer may reuse nothing it handed over
      },
      chunkSize,
    );
    return { text: Buffer.concat(chunks).toString('utf8'), chunks: chunks.length, counts: totals.counts };
  }

  /** Fragments as made (strings), packed here in blocks, or packed as a worker packs a batch (one buffer). */
  const packings = ['strings', 'blocks', 'buffer'] as const;
  const fragmentsOf = (spec: FragmentSpec, packing: (typeof packings)[number] = 'strings') => {
    const fragments = results.map((r) => reportFragment(r, spec)).filter((f) => f !== undefined);
    if (packing === 'blocks') packTexts(fragments, new TextBlocks(4096));
    if (packing === 'buffer') assert.ok(packTexts(fragments) instanceof ArrayBuffer);
    return fragments;
  };

  for (const policy of ['hint', 'normal', 'exclude'] as const) {
    it(`is byte for byte JSON.stringify(buildReport(...)) (--non-production ${policy})`, async () => {
      const spec = specFor(policy);
      const want = expected(spec);
      const report = JSON.parse(want);
      // The tree exercises what the streamed form assembles late: ties, pairs, rule findings, problems, contexts, owners,
      // CRLs, metadata expiries, keystores, cert-manager's manifests from another file.
      const codes = new Set(report.findings.map((f: { code: string }) => f.code));
      assert.ok(
        report.certificates.some((c: { privateKey: unknown }) => c.privateKey),
        'a paired key',
      );
      assert.ok(codes.has('chain-member-expires-first') || codes.has('weak-rsa-key'), 'rule findings');
      assert.ok(codes.has('invalid-certificate') || codes.has('invalid-base64'), 'problems');
      assert.ok(new Set(report.certificates.map((c: { context: string }) => c.context)).size >= 4, 'contexts');
      assert.ok(
        report.certificates.some((c: { owners: string[] }) => c.owners.length === 2),
        'owners',
      );
      assert.ok(
        report.certificates.some((c: { alias?: string }) => c.alias === 'server'),
        'a keystore entry',
      );
      assert.ok(
        report.certificates.some((c: { saml?: unknown }) => c.saml) && report.certificates.some((c: { jwk?: unknown }) => c.jwk),
        'SAML and JWKS',
      );
      assert.equal(report.crls.length, 2);
      assert.ok(
        codes.has('crl-expired') && codes.has('renewal-overdue') && [...codes].some((c) => String(c).startsWith('metadata-')),
        [...codes].join(' '),
      );
      assert.ok(
        report.certificates.some((c: { managedBy?: unknown }) => c.managedBy),
        'managed certificates',
      );
      if (policy !== 'exclude') assert.ok(report.summary.expiringWithoutOwner > 0, 'expiring without owner');
      for (const packing of packings) {
        const { text, chunks, counts } = await streamed(fragmentsOf(spec, packing), spec, undefined, 4096);
        assert.ok(chunks > 3, `written in ${chunks} chunks`);
        assert.equal(text, want, packing);
        // What --fail-on decides on: the same as the whole-report path counts from its findings.
        assert.deepEqual(counts, failureCounts(report.findings as Finding[]), packing);
      }
    });
  }

  it('matches without any CODEOWNERS (no owners, no expiringWithoutOwner)', async () => {
    const spec = specFor('hint', {}, [path.join(root, 'src')]);
    const want = expected(spec);
    assert.equal(JSON.parse(want).summary.expiringWithoutOwner, undefined);
    assert.equal((await streamed(fragmentsOf(spec), spec)).text, want);
  });

  it('matches with host findings, checked hosts and context globs, and counts a file delivered twice once', async () => {
    const base = specFor('hint', { production: ['examples/**'], test: ['deploy/soon.pem'] });
    const spec = { ...base, hosts: true };
    const served = results.find((r) => r.file.endsWith('rsa1024.pem'))!.certificates[0];
    const reference = { file: path.join(root, 'other/copy-of.key'), range: HOST.references[0].range };
    const host = {
      findings: [
        {
          ...reference,
          file: path.join(root, 'docs/setup.md'),
          severity: 'error',
          code: 'host-untrusted',
          message: 'shop.acme.io:443 is "not" trusted',
          host: 'shop.acme.io:443',
          related: [reference],
        } satisfies Finding,
        // A served certificate also kept in the referencing file: expiringWithoutOwner counts it.
        {
          file: served.file,
          range: HOST.references[0].range,
          severity: 'error',
          code: 'expired',
          message: 'served expired',
          host: 'shop.acme.io:443',
          sha256: served.sha256,
        } satisfies Finding,
      ],
      hosts: [
        {
          ...HOST,
          references: [
            { ...HOST.references[0], file: path.join(root, 'docs/setup.md') },
            { ...HOST.references[0], file: path.join(root, 'keys/p.p7b') },
          ],
        },
      ],
    };
    const fragments = fragmentsOf(spec, 'blocks');
    const { text } = await streamed([...fragments, fragments[1]], spec, host);
    assert.equal(text, expected(spec, host));
  });

  it('is what the scan gives with the read worker, on one thread and on two', async function () {
    this.timeout(60_000);
    {
      const spec = specFor('hint');
      for (const withWorker of [false, true]) {
        const pool = withWorker ? new ReadPool(WORKER_FILE) : undefined;
        const fragments: ReportFragment[] = [];
        const stats = await runScan({
          sources: [{ root, exclude: DEFAULT_EXCLUDES }],
          maxFileSize: 1 << 20,
          pool,
          read: readBoundedSync,
          thisThread: 'share',
          report: spec,
          onFragment: (f) => fragments.push(f),
        }).finally(() => pool?.dispose());
        assert.equal(stats.files, files);
        assert.deepEqual(
          fragments.map((f) => f.file),
          fragmentsOf(spec).map((f) => f.file),
          'fragments in walk order',
        );
        assert.equal((await streamed(fragments, spec)).text, expected(spec), withWorker ? 'two threads' : 'one thread');
      }
    }
  });

  it('is the same when the worker makes every fragment (texts transferred as UTF-8)', async function () {
    this.timeout(60_000);
    const spec = specFor('hint');
    const walked = [...walkSync(root, { exclude: DEFAULT_EXCLUDES })];
    const byFile = new Map<string, ReportFragment>();
    const pool = new ReadPool(WORKER_FILE);
    let fromWorker = 0;
    try {
      const pending: Promise<void>[] = [];
      await pool.read(
        walked,
        1 << 20,
        (file, outcome) => {
          if (typeof outcome === 'object' && 'fragment' in outcome) {
            fromWorker++;
            assert.ok(
              !Array.isArray(outcome.fragment.certificates) && outcome.fragment.certificates.bytes instanceof Uint8Array,
              'texts arrive as UTF-8',
            );
            byFile.set(file, outcome.fragment);
          } else if (outcome instanceof Uint8Array) {
            // Files naming other files are resolved by the caller.
            pending.push(
              resultFor(file, outcome, 1 << 20, { blockCache: new Map() }, readBounded).then((r) => {
                const fragment = r && reportFragment(r, spec);
                if (fragment) byFile.set(file, fragment);
              }),
            );
          }
        },
        { report: spec, parseAbove: 0, parseContainersExcept: [] },
      );
      await Promise.all(pending);
    } finally {
      pool.dispose();
    }
    assert.ok(fromWorker > 20, `${fromWorker} fragments from the worker`);
    const fragments = walked.flatMap((f) => byFile.get(f) ?? []);
    assert.equal((await streamed(fragments, spec)).text, expected(spec));
  });
});
