import * as assert from 'node:assert/strict';
import type { CertificateRecord } from '../../src/core/model';
import {
  type CertificateIndex,
  compareServed,
  coversHost,
  driftFindings,
  driftResults,
  fileForPath,
  pairCertificates,
  pairingIn,
  type ProbeResult,
} from '../../src/core/hosts';
import type { ChainMember } from '../../src/core/hosts/tlsHandshake';
import { DEFAULT_RULES } from '../../src/core/rules/rules';
import { fakeCertificate, positionOf } from './helpers';

const DAY = 86_400_000;
const NOW = Date.UTC(2027, 0, 15);

function brief(file: string, text: string) {
  return pairingIn(file, text).pairs.map((p) => ({
    host: p.host,
    port: p.port,
    via: p.via,
    cert: p.certificateFile ?? `secret:${p.secretName}`,
    line: p.range.start.line,
    character: p.range.start.character,
  }));
}

describe('drift: pairing a served name with a certificate in configuration', () => {
  it('nginx: each server_name of a TLS server block with its ssl_certificate (or the http block one), not plain-HTTP blocks', () => {
    const conf = [
      'http {',
      '  ssl_certificate /etc/nginx/tls/default.crt;',
      '  server {',
      '    listen 443 ssl;',
      '    server_name shop.drift.dev www.drift.dev;',
      '    ssl_certificate /etc/nginx/tls/shop.crt;',
      '  }',
      '  server {',
      '    listen 8443 ssl;',
      '    server_name api.drift.dev; # ssl_certificate comes from http',
      '  }',
      '  server {',
      '    listen 80;',
      '    server_name plain.drift.dev;',
      '    ssl_certificate /etc/nginx/tls/plain.crt;',
      '  }',
      '  server { listen 443 ssl; server_name *.wild.drift.dev ~^re; }',
      '}',
      '',
    ].join('\n');
    const at = (s: string) => positionOf(conf, s);
    assert.deepEqual(brief('/ws/nginx/site.conf', conf), [
      { host: 'shop.drift.dev', port: 443, via: 'nginx', cert: '/etc/nginx/tls/shop.crt', ...at('shop.drift.dev') },
      { host: 'www.drift.dev', port: 443, via: 'nginx', cert: '/etc/nginx/tls/shop.crt', ...at('www.drift.dev') },
      { host: 'api.drift.dev', port: 8443, via: 'nginx', cert: '/etc/nginx/tls/default.crt', ...at('api.drift.dev') },
    ]);
  });

  it('Apache: ServerName and ServerAlias of a 443 virtual host with its SSLCertificateFile (relative paths from the file)', () => {
    const conf = [
      '<VirtualHost *:443>',
      '  ServerName shop.drift.dev',
      '  ServerAlias www.drift.dev',
      '  SSLEngine on',
      '  SSLCertificateFile "tls/shop.crt"',
      '</VirtualHost>',
      '<VirtualHost *:80>',
      '  ServerName plain.drift.dev',
      '  SSLCertificateFile tls/plain.crt',
      '</VirtualHost>',
      '',
    ].join('\n');
    assert.deepEqual(
      brief('/ws/apache/httpd-ssl.conf', conf).map(({ host, port, via, cert }) => ({ host, port, via, cert })),
      [
        { host: 'shop.drift.dev', port: 443, via: 'apache', cert: '/ws/apache/tls/shop.crt' },
        { host: 'www.drift.dev', port: 443, via: 'apache', cert: '/ws/apache/tls/shop.crt' },
      ],
    );
  });

  it('HAProxy: the names a TLS frontend compares the SNI or Host with, paired with its bind crt', () => {
    const conf = [
      'frontend https',
      '  bind :8443 ssl crt /etc/haproxy/certs/site.pem',
      '  acl is_shop req.ssl_sni -i shop.drift.dev',
      '  acl is_api hdr(host) -i api.drift.dev',
      '  use_backend shop if is_shop',
      'frontend plain',
      '  bind :80',
      '  acl is_other hdr(host) -i other.drift.dev',
      'backend shop',
      '  server s1 10.0.0.5:443 ssl verify none',
      '',
    ].join('\n');
    assert.deepEqual(
      brief('/ws/haproxy/haproxy.cfg', conf).map(({ host, port, via, cert }) => ({ host, port, via, cert })),
      [
        { host: 'shop.drift.dev', port: 8443, via: 'haproxy', cert: '/etc/haproxy/certs/site.pem' },
        { host: 'api.drift.dev', port: 8443, via: 'haproxy', cert: '/etc/haproxy/certs/site.pem' },
      ],
    );
  });

  it('Caddyfile: site addresses with `tls CERT KEY`; sites with automatic HTTPS pair nothing', () => {
    const conf = [
      'shop.drift.dev, api.drift.dev:8443 {',
      '  tls certs/shop.crt certs/shop.key',
      '  reverse_proxy app:8080',
      '}',
      'auto.drift.dev {',
      '  respond "hi"',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(
      brief('/ws/Caddyfile', conf).map(({ host, port, via, cert }) => ({ host, port, via, cert })),
      [
        { host: 'shop.drift.dev', port: 443, via: 'caddy', cert: '/ws/certs/shop.crt' },
        { host: 'api.drift.dev', port: 8443, via: 'caddy', cert: '/ws/certs/shop.crt' },
      ],
    );
  });

  it('Kubernetes: an Ingress tls entry pairs its hosts with its Secret; Secrets are declared with their lines', () => {
    const yaml = [
      'apiVersion: networking.k8s.io/v1',
      'kind: Ingress',
      'metadata:',
      '  name: shop',
      'spec:',
      '  tls:',
      '    - hosts:',
      '        - shop.drift.dev',
      '      secretName: shop-tls',
      '---',
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: shop-tls',
      '  namespace: web',
      'type: kubernetes.io/tls',
      'data:',
      '  tls.crt: AAAA',
      '',
    ].join('\n');
    const pairing = pairingIn('/ws/k8s/shop.yaml', yaml);
    assert.deepEqual(brief('/ws/k8s/shop.yaml', yaml), [
      { host: 'shop.drift.dev', port: 443, via: 'ingress', cert: 'secret:shop-tls', ...positionOf(yaml, 'shop.drift.dev') },
    ]);
    assert.deepEqual(pairing.secrets, [{ file: '/ws/k8s/shop.yaml', name: 'shop-tls', namespace: 'web', fromLine: 9, toLine: 18 }]);
  });

  it('Kubernetes: a Secret first, the Ingress after it: positions count from the whole file; a Secret without a name declares nothing', () => {
    const yaml = [
      'kind: Secret',
      'metadata:',
      '  # the TLS Secret',
      '  name: "api-tls"',
      'data:',
      '  tls.crt: AAAA',
      '---',
      'kind: Secret',
      'data: {}',
      '--- # the Ingress',
      'kind: Ingress',
      'spec:',
      '  tls:',
      '    - secretName: api-tls',
      '      hosts: ["api.drift.dev"]',
      '',
    ].join('\n');
    const pairing = pairingIn('/ws/k8s/api.yaml', yaml);
    assert.deepEqual(
      pairing.secrets.map((x) => [x.name, x.fromLine, x.toLine]),
      [['api-tls', 0, 6]],
    );
    assert.deepEqual(brief('/ws/k8s/api.yaml', yaml), [
      { host: 'api.drift.dev', port: 443, via: 'ingress', cert: 'secret:api-tls', ...positionOf(yaml, 'api.drift.dev') },
    ]);
    assert.deepEqual(pairing.pairs[0].certificateRange?.start, positionOf(yaml, 'api-tls', 1));
  });

  it('Helm values: a tls entry with hosts and secretName; a templated secret name pairs nothing', () => {
    const yaml = [
      'ingress:',
      '  enabled: true',
      '  tls:',
      '    - secretName: shop-tls',
      '      hosts: [shop.drift.dev]',
      '    - secretName: "{{ .Release.Name }}-tls"',
      '      hosts: [other.drift.dev]',
      '',
    ].join('\n');
    assert.deepEqual(
      brief('/ws/chart/values.yaml', yaml).map(({ host, via, cert }) => ({ host, via, cert })),
      [{ host: 'shop.drift.dev', via: 'helm', cert: 'secret:shop-tls' }],
    );
  });

  it('Traefik dynamic configuration: TLS routers by Host rule, each with the listed certificate files (picked by SAN later)', () => {
    const yaml = [
      'http:',
      '  routers:',
      '    shop:',
      '      rule: Host(`shop.drift.dev`) || Host(`www.drift.dev`)',
      '      tls: {}',
      '    plain:',
      '      rule: Host(`plain.drift.dev`)',
      '    api:',
      '      tls: {}',
      '      # the rule after its tls',
      '      rule: Host(`api.drift.dev`)',
      'tls:',
      '  certificates:',
      '    - certFile: /certs/shop.crt',
      '      keyFile: /certs/shop.key',
      '',
    ].join('\n');
    const pairs = pairingIn('/ws/traefik/dynamic.yaml', yaml).pairs;
    assert.deepEqual(
      pairs.map((p) => [p.host, p.via, p.certificateFile, p.bySan]),
      [
        ['shop.drift.dev', 'traefik', '/certs/shop.crt', true],
        ['www.drift.dev', 'traefik', '/certs/shop.crt', true],
        ['api.drift.dev', 'traefik', '/certs/shop.crt', true],
      ],
    );
  });

  it('docker-compose labels: Traefik TLS routers (by SAN later; not with a certresolver) and caddy-docker-proxy with caddy.tls', () => {
    const yaml = [
      'services:',
      '  shop:',
      '    image: shop',
      '    labels:',
      '      - "traefik.http.routers.shop.rule=Host(`shop.drift.dev`)"',
      '      - "traefik.http.routers.shop.tls=true"',
      '      - "traefik.http.routers.acme.rule=Host(`acme.drift.dev`)"',
      '      - "traefik.http.routers.acme.tls=true"',
      '      - "traefik.http.routers.acme.tls.certresolver=le"',
      '      - "traefik.http.routers.plain.rule=Host(`plain.drift.dev`)"',
      '  api:',
      '    image: api',
      '    labels:',
      '      caddy: api.drift.dev, http://plain.drift.dev',
      '      caddy.tls: /certs/api.crt /certs/api.key',
      '',
    ].join('\n');
    const pairs = pairingIn('/ws/docker-compose.yml', yaml).pairs;
    assert.deepEqual(
      pairs.map((p) => [p.host, p.via, p.certificateFile, p.bySan, p.range.start]),
      [
        ['shop.drift.dev', 'traefik', undefined, true, positionOf(yaml, 'shop.drift.dev')],
        ['api.drift.dev', 'caddy', '/certs/api.crt', undefined, positionOf(yaml, 'api.drift.dev')],
      ],
    );
    assert.deepEqual(pairs[1].certificateRange?.start, positionOf(yaml, '/certs/api.crt'));
  });

  it('comments pair nothing', () => {
    assert.deepEqual(brief('/ws/nginx/x.conf', '# server { listen 443 ssl; server_name a.drift.dev; ssl_certificate a.crt; }\n'), []);
  });
});

describe('drift: joining pairs with certificates', () => {
  it('fileForPath: the path itself, else the one file sharing the most trailing segments; a tie pairs nothing', () => {
    const files = ['/ws/deploy/tls/shop.crt', '/ws/old/shop.crt', '/ws/tls/api.crt', '/ws/a/api.crt'];
    assert.equal(fileForPath('/ws/old/shop.crt', files), '/ws/old/shop.crt');
    assert.equal(fileForPath('/etc/nginx/tls/shop.crt', files), '/ws/deploy/tls/shop.crt');
    assert.equal(fileForPath('/etc/nginx/api.crt', files), undefined);
    assert.equal(fileForPath('/etc/nginx/none.crt', files), undefined);
  });

  it('coversHost: exact names and one-label wildcards', () => {
    assert.equal(coversHost(['shop.drift.dev'], 'shop.drift.dev'), true);
    assert.equal(coversHost(['*.drift.dev'], 'shop.drift.dev'), true);
    assert.equal(coversHost(['*.drift.dev'], 'a.shop.drift.dev'), false);
    assert.equal(coversHost(['other.drift.dev'], 'shop.drift.dev'), false);
  });

  function index(certs: CertificateRecord[], production = (f: string) => !f.includes('/test/')): CertificateIndex {
    return {
      files: () => new Set(certs.map((c) => c.file)),
      certificatesIn: (f) => certs.filter((c) => c.file === f),
      isProduction: production,
    };
  }

  it('pairs a file path, a Secret by name (its first leaf), and by SAN only the hosts nothing paired', () => {
    const nginx = pairingIn(
      '/ws/nginx/site.conf',
      'server { listen 443 ssl; server_name shop.drift.dev; ssl_certificate /etc/nginx/tls/shop.crt; }\n',
    );
    const k8s = pairingIn(
      '/ws/k8s/app.yaml',
      'kind: Ingress\nspec:\n  tls:\n    - hosts: [api.drift.dev]\n      secretName: api-tls\n---\nkind: Secret\nmetadata:\n  name: api-tls\ndata:\n  tls.crt: AAAA\n',
    );
    const shopCa = fakeCertificate(NOW, { file: '/ws/tls/shop.crt', index: 0, isCA: true, sha256: 'ca' });
    const shop = fakeCertificate(NOW, { file: '/ws/tls/shop.crt', index: 1, sha256: 'shop' });
    const api = fakeCertificate(NOW, {
      file: '/ws/k8s/app.yaml',
      source: 'k8s-secret',
      sha256: 'api',
      range: { start: { line: 9, character: 11 }, end: { line: 9, character: 15 } },
    });
    const bySan = fakeCertificate(NOW, {
      file: '/ws/certs/status.pem',
      sha256: 'status',
      sans: { dns: ['*.drift.dev'], ip: [], email: [], uri: [] },
    });
    const client = fakeCertificate(NOW, {
      file: '/ws/certs/client.pem',
      sha256: 'client',
      extendedKeyUsage: ['clientAuth'],
      sans: { dns: ['status.drift.dev'], ip: [], email: [], uri: [] },
    });
    const testOnly = fakeCertificate(NOW, {
      file: '/ws/test/status.pem',
      sha256: 'test',
      sans: { dns: ['status.drift.dev'], ip: [], email: [], uri: [] },
    });
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } };
    const hosts = [
      { file: '/ws/.env', range, host: 'status.drift.dev', port: 443, source: 'url' },
      { file: '/ws/nginx/site.conf', range, host: 'shop.drift.dev', port: 443, source: 'nginx server_name' },
    ];
    const pairs = pairCertificates(
      [...nginx.pairs, ...k8s.pairs],
      [...nginx.secrets, ...k8s.secrets],
      hosts,
      index([shopCa, shop, api, bySan, client, testOnly]),
    );
    assert.deepEqual(
      pairs.map((p) => [p.host, p.certificate.sha256, p.evidence, p.configFile]),
      [
        ['shop.drift.dev', 'shop', 'nginx', '/ws/nginx/site.conf'],
        ['api.drift.dev', 'api', 'ingress', '/ws/k8s/app.yaml'],
        ['status.drift.dev', 'status', 'san', undefined],
      ],
    );
  });
});

describe('drift: Traefik labels name no file', () => {
  it('pairs the production leaves whose names cover the host, with the configuration as evidence', () => {
    const compose = pairingIn(
      '/ws/docker-compose.yml',
      'services:\n  shop:\n    labels:\n      - "traefik.http.routers.s.rule=Host(`shop.drift.dev`)"\n      - "traefik.http.routers.s.tls=true"\n',
    );
    const dns = (...names: string[]) => ({ dns: names, ip: [], email: [], uri: [] });
    const certs = [
      fakeCertificate(NOW, { file: '/ws/certs/wild.pem', sha256: 'wild', sans: dns('*.drift.dev') }),
      fakeCertificate(NOW, { file: '/ws/certs/api.pem', sha256: 'api', sans: dns('api.drift.dev') }),
      fakeCertificate(NOW, { file: '/ws/test/shop.pem', sha256: 'test', sans: dns('shop.drift.dev') }),
    ];
    const index: CertificateIndex = {
      files: () => certs.map((c) => c.file),
      certificatesIn: (f) => certs.filter((c) => c.file === f),
      isProduction: (f) => !f.includes('/test/'),
    };
    assert.deepEqual(
      pairCertificates(compose.pairs, [], [], index).map((p) => [p.host, p.certificate.sha256, p.evidence]),
      [['shop.drift.dev', 'wild', 'traefik']],
    );
  });
});

describe('drift: comparing the served leaf with the file', () => {
  const file = fakeCertificate(NOW, {
    sha256: 'new',
    spkiSha256: 'key1',
    issuer: 'CN=CA',
    issuerCN: 'CA',
    subject: 'CN=shop.drift.dev',
    subjectCN: 'shop.drift.dev',
    notBefore: NOW - 2 * DAY,
    notAfter: NOW + 88 * DAY,
    file: '/ws/tls/shop.crt',
    sans: { dns: ['shop.drift.dev'], ip: [], email: [], uri: [] },
  });
  const served = (over: Partial<ChainMember>): ChainMember => ({
    subject: 'CN=shop.drift.dev',
    subjectCN: 'shop.drift.dev',
    issuer: 'CN=CA',
    issuerCN: 'CA',
    dnsNames: ['shop.drift.dev'],
    notBefore: NOW - 80 * DAY,
    notAfter: NOW + 10 * DAY,
    sha256: 'old',
    spkiSha256: 'key1',
    isCA: false,
    selfSigned: false,
    ...over,
  });

  it('same certificate, same key older or newer, another key or issuer', () => {
    assert.equal(compareServed(file, served({ sha256: 'new' })), 'same');
    assert.equal(compareServed(file, served({})), 'renewed-not-deployed');
    assert.equal(compareServed(file, served({ notBefore: NOW - DAY, notAfter: NOW + 89 * DAY })), 'repository-stale');
    assert.equal(compareServed(file, served({ spkiSha256: 'key2' })), 'other');
    assert.equal(compareServed(file, served({ issuer: 'CN=Other CA' })), 'other');
    // A cached result from before keys were kept: nothing says whether it is the same key.
    assert.equal(compareServed(file, served({ spkiSha256: undefined })), undefined);
    assert.equal(compareServed(file, served({ spkiSha256: undefined, sha256: 'new' })), 'same');
  });

  const reference = { file: '/ws/nginx/site.conf', range: { start: { line: 3, character: 14 }, end: { line: 3, character: 28 } } };
  const pair = {
    certificate: file,
    host: 'shop.drift.dev',
    port: 443,
    references: [reference],
    evidence: 'nginx' as const,
    configFile: '/ws/nginx/site.conf',
  };
  const result = (leaf: ChainMember): ProbeResult => ({
    host: 'shop.drift.dev',
    port: 443,
    address: '127.0.0.1:1',
    checkedAt: NOW,
    ms: 1,
    authorized: true,
    chain: [leaf],
  });
  const findings = (leaf: ChainMember) =>
    driftFindings(
      driftResults([pair], () => result(leaf)),
      NOW,
      DEFAULT_RULES,
    );

  it('renewed, not deployed: a warning at the certificate and at the host reference, each pointing at the other', () => {
    const f = findings(served({}));
    assert.deepEqual(
      f.map((x) => [x.file, x.severity, x.code, x.host, x.related?.map((r) => r.file)]),
      [
        ['/ws/tls/shop.crt', 'warning', 'renewed-not-deployed', 'shop.drift.dev:443', ['/ws/nginx/site.conf']],
        ['/ws/nginx/site.conf', 'warning', 'renewed-not-deployed', 'shop.drift.dev:443', ['/ws/tls/shop.crt']],
      ],
    );
    assert.deepEqual(f[1].range, reference.range);
    assert.match(f[0].message, /^Renewed in the repository, not deployed: shop\.drift\.dev:443 still serves the previous certificate/);
    assert.match(f[0].message, /paired by the nginx server block in site\.conf/);
  });

  it('renewed, not deployed: an error once the served certificate is within the critical days', () => {
    assert.deepEqual(
      findings(served({ notAfter: NOW + 3 * DAY })).map((x) => x.severity),
      ['error', 'error'],
    );
  });

  it('the repository copy is stale: information', () => {
    const f = findings(served({ notBefore: NOW - DAY, notAfter: NOW + 89 * DAY }));
    assert.deepEqual(
      f.map((x) => [x.severity, x.code]),
      [
        ['info', 'repository-certificate-stale'],
        ['info', 'repository-certificate-stale'],
      ],
    );
  });

  it('another certificate: a warning with both subjects and fingerprints; the same one, or an ignored file certificate, says nothing', () => {
    const f = findings(
      served({ spkiSha256: 'key2', sha256: 'proxy', subject: 'CN=proxy.corp', subjectCN: 'proxy.corp', dnsNames: ['proxy.corp'] }),
    );
    assert.deepEqual(
      f.map((x) => [x.severity, x.code]),
      [
        ['warning', 'host-serves-other-certificate'],
        ['warning', 'host-serves-other-certificate'],
      ],
    );
    assert.match(
      f[0].message,
      /served CN=proxy\.corp issued by CN=CA \(SHA-256 proxy\), this file's CN=shop\.drift\.dev issued by CN=CA \(SHA-256 new\)/,
    );
    assert.deepEqual(findings(served({ sha256: 'new' })), []);
    assert.deepEqual(
      driftFindings(
        driftResults([pair], () => result(served({}))),
        NOW,
        { ...DEFAULT_RULES, ignore: new Set(['new']) },
      ),
      [],
    );
  });

  it('a SAN pairing says it is weaker evidence, and another certificate is only information then; an unreachable host gives nothing', () => {
    const san = { ...pair, evidence: 'san' as const, configFile: undefined };
    const f = driftFindings(
      driftResults([san], () => result(served({}))),
      NOW,
      DEFAULT_RULES,
    );
    assert.match(f[0].message, /paired by the names in its SANs only, weaker evidence/);
    assert.deepEqual(
      f.map((x) => x.severity),
      ['warning', 'warning'],
    );
    const other = driftFindings(
      driftResults([san], () => result(served({ spkiSha256: 'key2', sha256: 'proxy' }))),
      NOW,
      DEFAULT_RULES,
    );
    assert.deepEqual(
      other.map((x) => [x.severity, x.code]),
      [
        ['info', 'host-serves-other-certificate'],
        ['info', 'host-serves-other-certificate'],
      ],
    );
    assert.deepEqual(
      driftResults([pair], () => ({ ...result(served({})), error: 'refused', chain: [] })),
      [],
    );
  });
});
