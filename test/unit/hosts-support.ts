// Loopback servers and certificates for host-probe tests. Every server listens on 127.0.0.1 only.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { daysFromNow, makeCert, makeKey, type TestCert, type TestKey } from '../support/certs';

export interface Served {
  port: number;
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a free port; `close` also destroys open connections. */
export function listen(server: net.Server): Promise<Served> {
  const sockets = new Set<net.Socket>();
  const served: Served = {
    port: 0,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (s: net.Socket) => {
    served.connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  server.on('secureConnection', (s: tls.TLSSocket) => s.on('error', () => undefined));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      served.port = (server.address() as net.AddressInfo).port;
      resolve(served);
    });
  });
}

/** A TLS server presenting `certs` (leaf first) with the leaf's key. */
export function tlsServer(certs: TestCert[], key: TestKey, extra: tls.TlsOptions = {}): Promise<Served> {
  return listen(tls.createServer({ key: key.pem, cert: certs.map((c) => c.pem).join(''), ...extra }));
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const s = await listen(net.createServer());
  await s.close();
  return s.port;
}

export interface ProbeFixtures {
  root: TestCert;
  intermediate: TestCert;
  /** valid.certlens.dev, 200 days left. */
  valid: TestCert;
  /** soon.certlens.dev, 5 days left. */
  soon: TestCert;
  /** old.certlens.dev, expired yesterday. */
  expired: TestCert;
  /** self.certlens.dev, self-signed. */
  selfSigned: TestCert;
  /** An intermediate with 10 days left, and its chain.certlens.dev leaf with 60. */
  shortIntermediate: TestCert;
  chainLeaf: TestCert;
  leafKey: TestKey;
  caKey: TestKey;
}

let fixtures: ProbeFixtures | undefined;

/** Certificates for probe tests, made once per test run (~10 openssl calls). */
export function probeFixtures(): ProbeFixtures {
  if (fixtures) return fixtures;
  const caKey = makeKey({ type: 'ec' });
  const intermediateKey = makeKey({ type: 'ec' });
  const leafKey = makeKey({ type: 'ec' });
  const root = makeCert({ cn: 'CertLens Probe Root CA', key: caKey, ca: true, notBefore: daysFromNow(-730), notAfter: daysFromNow(2920) });
  const intermediate = makeCert({
    cn: 'CertLens Probe Intermediate CA',
    key: intermediateKey,
    ca: true,
    pathLen: 0,
    issuer: { cert: root, key: caKey },
    notBefore: daysFromNow(-730),
    notAfter: daysFromNow(2900),
  });
  const leaf = (cn: string, from: number, to: number, issuer = { cert: intermediate, key: intermediateKey }) =>
    makeCert({ cn, sans: [cn], key: leafKey, issuer, notBefore: daysFromNow(from), notAfter: daysFromNow(to) });
  const shortIntermediate = makeCert({
    cn: 'CertLens Probe Short Intermediate CA',
    key: intermediateKey,
    ca: true,
    pathLen: 0,
    issuer: { cert: root, key: caKey },
    notBefore: daysFromNow(-300),
    notAfter: daysFromNow(10),
  });
  fixtures = {
    root,
    intermediate,
    leafKey,
    caKey,
    shortIntermediate,
    valid: leaf('valid.certlens.dev', -10, 200),
    soon: leaf('soon.certlens.dev', -80, 5),
    expired: leaf('old.certlens.dev', -100, -1),
    selfSigned: makeCert({
      cn: 'self.certlens.dev',
      sans: ['self.certlens.dev'],
      key: leafKey,
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(100),
    }),
    chainLeaf: leaf('chain.certlens.dev', -100, 60, { cert: shortIntermediate, key: intermediateKey }),
  };
  return fixtures;
}
