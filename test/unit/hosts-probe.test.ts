import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import * as tls from 'node:tls';
import { DAY_MS } from '../../src/core/model';
import {
  chainFromPeer,
  MAX_CHAIN,
  type PeerCertificateLike,
  probeHost,
  type ProbeResult,
  type ProbeTarget,
  proxyFor,
} from '../../src/core/hosts/tlsHandshake';
import { Prober } from '../../src/core/hosts/probeScheduler';
import { assessHost } from '../../src/core/hosts/assess';
import { DEFAULT_RULES } from '../../src/core/rules/rules';
import { parseCertificateDer } from '../../src/core/x509/certificate';
import { closedPort, listen, probeFixtures, type ProbeFixtures, type Served, tlsServer } from './hosts-support';

const LOOPBACK = '127.0.0.1';

/** A target named `host` but connected to a loopback server: no DNS, no other address. */
function at(server: Served | number, host: string, extra: Partial<ProbeTarget> = {}): ProbeTarget {
  return { host, port: 443, connectTo: { host: LOOPBACK, port: typeof server === 'number' ? server : server.port }, ...extra };
}

describe('host probes', function () {
  let f: ProbeFixtures;
  let ca: string[];
  const servers: Served[] = [];
  const serve = async (p: Promise<Served>) => {
    const s = await p;
    servers.push(s);
    return s;
  };
  let valid: Served;

  before(async function () {
    this.timeout(20_000);
    f = probeFixtures();
    ca = [f.root.pem];
    valid = await serve(tlsServer([f.valid, f.intermediate], f.leafKey));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('reads a valid chain from a test CA: authorized, hostname match, protocol, cipher, every member parsed', async () => {
    const r = await probeHost(at(valid, 'valid.certlens.dev'), { ca, timeoutMs: 3000 });
    assert.equal(r.error, undefined);
    assert.equal(r.authorized, true, r.authorizationError);
    assert.equal(r.hostnameMatch, true);
    assert.equal(r.servername, 'valid.certlens.dev');
    assert.equal(r.address, `127.0.0.1:${valid.port}`);
    assert.match(r.protocol ?? '', /^TLSv1\.[23]$/);
    assert.ok(r.cipher);
    assert.deepEqual(
      r.chain.map((m) => m.subjectCN),
      ['valid.certlens.dev', 'CertLens Probe Intermediate CA', 'CertLens Probe Root CA'],
    );
    assert.equal(r.chain[0].sha256, parseCertificateDer(f.valid.der).sha256);
    assert.equal(r.notAfter, f.valid.notAfter.getTime());
    assert.equal(r.chain[0].issuer, 'CN=CertLens Probe Intermediate CA');
    assert.equal(r.chainEarliestIndex, 0);
    assert.equal(r.selfSigned, false);
    assert.equal(r.missingIntermediate, false);
    assert.deepEqual(assessHost(r, Date.now(), DEFAULT_RULES), []);
    assert.equal(JSON.stringify(JSON.parse(JSON.stringify(r))), JSON.stringify(r), 'plain JSON');
  });

  it('reports expiring, expired, wrong-hostname, self-signed, untrusted-root and missing-intermediate servers', async () => {
    const [soon, expired, self, untrustedRoot, leafOnly] = await Promise.all([
      serve(tlsServer([f.soon, f.intermediate], f.leafKey)),
      serve(tlsServer([f.expired, f.intermediate], f.leafKey)),
      serve(tlsServer([f.selfSigned], f.leafKey)),
      serve(tlsServer([f.valid, f.intermediate, f.root], f.leafKey)),
      serve(tlsServer([f.valid], f.leafKey)),
    ]);
    const now = Date.now();
    const [rSoon, rExpired, rWrong, rSelf, rUntrusted, rMissing] = await Promise.all([
      probeHost(at(soon, 'soon.certlens.dev'), { ca }),
      probeHost(at(expired, 'old.certlens.dev'), { ca }),
      probeHost(at(valid, 'wrong.certlens.dev'), { ca }),
      probeHost(at(self, 'self.certlens.dev'), { ca }),
      probeHost(at(untrustedRoot, 'valid.certlens.dev')),
      probeHost(at(leafOnly, 'valid.certlens.dev'), { ca }),
    ]);
    const codes = (r: ProbeResult) => assessHost(r, now, DEFAULT_RULES).map((i) => i.code);

    assert.equal(rSoon.authorized, true);
    assert.equal(Math.round(((rSoon.notAfter ?? 0) - now) / DAY_MS), 5);
    assert.deepEqual(codes(rSoon), ['expires-critical']);

    assert.equal(rExpired.authorized, false);
    assert.equal(rExpired.authorizationError, 'CERT_HAS_EXPIRED');
    assert.deepEqual(codes(rExpired), ['expired']);

    assert.equal(rWrong.authorized, true);
    assert.equal(rWrong.hostnameMatch, false);
    assert.match(rWrong.hostnameError ?? '', /wrong\.certlens\.dev/);
    assert.deepEqual(codes(rWrong), ['host-hostname-mismatch']);

    assert.equal(rSelf.selfSigned, true);
    assert.equal(rSelf.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.deepEqual(rSelf.chain.length, 1);
    assert.deepEqual(codes(rSelf), ['host-untrusted']);

    assert.equal(rUntrusted.authorizationError, 'SELF_SIGNED_CERT_IN_CHAIN');
    assert.equal(rUntrusted.chain.length, 3);
    assert.deepEqual(codes(rUntrusted), ['host-untrusted']);

    assert.equal(rMissing.missingIntermediate, true);
    assert.match(rMissing.authorizationError ?? '', /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
    assert.equal(rMissing.chain.length, 1);
    const [missing] = assessHost(rMissing, now, DEFAULT_RULES);
    assert.equal(missing.code, 'host-untrusted');
    assert.match(missing.message, /intermediate/);
  });

  it('names the intermediate that expires before the leaf', async () => {
    const s = await serve(tlsServer([f.chainLeaf, f.shortIntermediate], f.leafKey));
    const r = await probeHost(at(s, 'chain.certlens.dev'), { ca });
    assert.equal(r.authorized, true, r.authorizationError);
    assert.equal(r.chainEarliestIndex, 1);
    assert.equal(r.chainEarliestNotAfter, f.shortIntermediate.notAfter.getTime());
    const issues = assessHost(r, Date.now(), DEFAULT_RULES);
    assert.deepEqual(
      issues.map((i) => [i.code, i.severity]),
      [
        ['expires-info', 'info'],
        ['chain-member-expires-first', 'warning'],
      ],
    );
    assert.match(issues[1].message, /intermediate CN=CertLens Probe Short Intermediate CA expires/);
  });

  it('sends SNI: an SNI-dependent server gives each name its certificate (connectTo keeps the name)', async () => {
    const contexts: Record<string, tls.SecureContext> = {
      'valid.certlens.dev': tls.createSecureContext({ key: f.leafKey.pem, cert: f.valid.pem + f.intermediate.pem }),
      'soon.certlens.dev': tls.createSecureContext({ key: f.leafKey.pem, cert: f.soon.pem + f.intermediate.pem }),
    };
    const seen: string[] = [];
    const s = await serve(
      tlsServer([f.selfSigned], f.leafKey, {
        SNICallback: (name, cb) => {
          seen.push(name);
          cb(null, contexts[name]);
        },
      }),
    );
    const [a, b] = await Promise.all([probeHost(at(s, 'valid.certlens.dev'), { ca }), probeHost(at(s, 'soon.certlens.dev'), { ca })]);
    assert.deepEqual(seen.sort(), ['soon.certlens.dev', 'valid.certlens.dev']);
    assert.equal(a.chain[0].subjectCN, 'valid.certlens.dev');
    assert.equal(b.chain[0].subjectCN, 'soon.certlens.dev');
    assert.ok(a.hostnameMatch && b.hostnameMatch && a.authorized && b.authorized);
    const ip = await probeHost({ host: LOOPBACK, port: s.port }, { ca });
    assert.equal(ip.servername, undefined, 'no SNI for an IP address');
    assert.equal(ip.chain[0].subjectCN, 'self.certlens.dev');
  });

  it('ends a silent or trickling server at the one timeout, without holding up other probes', async () => {
    const silent = await serve(listen(net.createServer(() => undefined)));
    const trickle = await serve(
      listen(
        net.createServer((socket) => {
          // A handshake record header announcing 16 KB, then one byte every 50 ms.
          socket.write(Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]));
          const t = setInterval(() => socket.write(Buffer.from([0x02])), 50);
          socket.on('close', () => clearInterval(t));
        }),
      ),
    );
    const prober = new Prober({ timeoutMs: 500, ca });
    const started = performance.now();
    const quick = prober.probe(at(valid, 'valid.certlens.dev')).then((r) => ({ r, ms: performance.now() - started }));
    const [a, b, q] = await Promise.all([
      prober.probe(at(silent, 'silent.certlens.dev')),
      prober.probe(at(trickle, 'trickle.certlens.dev')),
      quick,
    ]);
    for (const r of [a, b]) {
      assert.equal(r.error, 'timed out after 500 ms');
      assert.equal(r.errorCode, 'ETIMEDOUT');
      assert.ok(r.ms >= 480 && r.ms < 1500, `${r.ms} ms`);
    }
    assert.equal(q.r.error, undefined);
    assert.ok(q.ms < 450, `the valid probe took ${Math.round(q.ms)} ms`);
  });

  it('turns refused, plain-text, reset and hostile servers into errors, never throws', async () => {
    const refused = await closedPort();
    const plain = await serve(
      listen(
        net.createServer((socket) => socket.once('data', () => socket.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'))),
      ),
    );
    const reset = await serve(listen(net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy()))));
    // Answers the ClientHello with 10 MB of handshake records claiming a 10 MB message.
    const hostile = await serve(
      listen(
        net.createServer((socket) =>
          socket.once('data', () => {
            const body = Buffer.alloc(16 * 1024 - 5, 0x41);
            const record = Buffer.concat([Buffer.from([0x16, 0x03, 0x03, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
            record.set([0x02, 0xa0, 0x00, 0x00], 5);
            const write = (n: number) => {
              if (n === 0 || socket.destroyed) return;
              if (socket.write(record)) setImmediate(() => write(n - 1));
              else socket.once('drain', () => write(n - 1));
            };
            write(640);
          }),
        ),
      ),
    );
    const started = performance.now();
    const [rRefused, rPlain, rReset, rHostile] = await Promise.all([
      probeHost(at(refused, 'refused.certlens.dev'), { timeoutMs: 3000 }),
      probeHost(at(plain, 'plain.certlens.dev'), { timeoutMs: 3000 }),
      probeHost(at(reset, 'reset.certlens.dev'), { timeoutMs: 3000 }),
      probeHost(at(hostile, 'hostile.certlens.dev'), { timeoutMs: 3000 }),
    ]);
    assert.equal(rRefused.error, `connection refused by 127.0.0.1:${refused}`);
    assert.equal(rRefused.errorCode, 'ECONNREFUSED');
    assert.match(rPlain.error ?? '', /^not a TLS server \(.*(wrong version number|packet length too long|http request).*\)$/i);
    assert.match(rReset.error ?? '', /reset|closed the connection/);
    assert.ok(rHostile.error && !/timed out/.test(rHostile.error), rHostile.error);
    assert.ok(performance.now() - started < 2500);
    for (const r of [rRefused, rPlain, rReset, rHostile]) {
      assert.deepEqual(r.chain, []);
      assert.equal(r.authorized, false);
      assert.deepEqual(
        assessHost(r, Date.now(), DEFAULT_RULES).map((i) => i.code),
        ['host-unreachable'],
      );
    }
  });

  it('reports a failed name lookup, through the resolver it is given (no DNS query here)', async () => {
    const asked: string[] = [];
    const failing: net.LookupFunction = (hostname, _options, callback) => {
      asked.push(hostname);
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
    };
    const r = await probeHost({ host: 'nowhere.certlens.dev', port: 443 }, { lookup: failing });
    assert.deepEqual(asked, ['nowhere.certlens.dev']);
    assert.equal(r.error, 'DNS lookup failed for nowhere.certlens.dev: no such host');
    assert.equal(r.errorCode, 'ENOTFOUND');
    const toLoopback: net.LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: LOOPBACK, family: 4 }]);
      else callback(null, LOOPBACK, 4);
    };
    const ok = await probeHost({ host: 'valid.certlens.dev', port: valid.port }, { ca, lookup: toLoopback });
    assert.equal(ok.error, undefined);
    assert.equal(ok.chain[0].subjectCN, 'valid.certlens.dev');
  });

  it('bounds the chain walk: a 100-certificate chain message, long and looping issuer chains', async () => {
    const hundred = await serve(tlsServer([f.valid, ...Array.from({ length: 99 }, () => f.intermediate)], f.leafKey));
    const r = await probeHost(at(hundred, 'valid.certlens.dev'), { ca, timeoutMs: 3000 });
    assert.ok(!r.error || !/timed out/.test(r.error), r.error);
    assert.ok(r.chain.length <= MAX_CHAIN);

    // Synthetic peer objects: 100 distinct links (unparseable raw: Node's fields are used), repeats, loops.
    const links: PeerCertificateLike[] = Array.from({ length: 100 }, (_, i) => ({
      raw: Buffer.from([i]),
      fingerprint256: `AA:${i}`,
      subject: { CN: `n${i}` },
      valid_to: 'Jan  1 00:00:00 2030 GMT',
    }));
    links.forEach((l, i) => (l.issuerCertificate = links[i + 1]));
    const long = chainFromPeer(links[0]);
    assert.deepEqual([long.chain.length, long.truncated], [MAX_CHAIN, true]);
    assert.deepEqual([long.chain[1].subjectCN, long.chain[1].sha256, long.chain[1].notAfter], ['n1', 'aa1', Date.UTC(2030, 0, 1)]);
    const ders = [f.valid, f.intermediate, f.valid, f.intermediate].map((c) => c.der);
    const repeats: PeerCertificateLike[] = ders.map((raw) => ({ raw }));
    repeats.forEach((l, i) => (l.issuerCertificate = repeats[i + 1]));
    assert.equal(chainFromPeer(repeats[0]).chain.length, 2, 'a certificate seen before ends the walk');
    const self: PeerCertificateLike = { raw: f.selfSigned.der };
    self.issuerCertificate = self;
    assert.equal(chainFromPeer(self).chain.length, 1);
    const a: PeerCertificateLike = { raw: f.valid.der };
    const b: PeerCertificateLike = { raw: f.intermediate.der, issuerCertificate: a };
    a.issuerCertificate = b;
    assert.equal(chainFromPeer(a).chain.length, 2);
    const capped = chainFromPeer(links[0], 2);
    assert.deepEqual([capped.chain.length, capped.truncated], [2, true]);
  });

  it('goes through an HTTP proxy with CONNECT, the only plain-text bytes sent, without resolving the name', async () => {
    const requests: string[] = [];
    const proxy = await serve(
      listen(
        net.createServer((client) => {
          let head = '';
          client.on('data', function onData(chunk: Buffer) {
            head += chunk.toString('latin1');
            if (!head.includes('\r\n\r\n')) return;
            client.off('data', onData);
            requests.push(head);
            const upstream = net.connect(valid.port, LOOPBACK, () => {
              client.write('HTTP/1.1 200 Connection established\r\n\r\n');
              client.pipe(upstream).pipe(client);
            });
            upstream.on('error', () => client.destroy());
          });
        }),
      ),
    );
    const r = await probeHost(
      { host: 'valid.certlens.dev', port: 443 },
      { ca, proxy: { host: LOOPBACK, port: proxy.port, auth: 'u:p w' } },
    );
    assert.equal(r.error, undefined);
    assert.equal(r.viaProxy, `127.0.0.1:${proxy.port}`);
    assert.equal(r.chain[0].subjectCN, 'valid.certlens.dev');
    assert.deepEqual(requests, [
      `CONNECT valid.certlens.dev:443 HTTP/1.1\r\nHost: valid.certlens.dev:443\r\nProxy-Authorization: Basic ${Buffer.from('u:p w').toString('base64')}\r\n\r\n`,
    ]);

    const refusing = await serve(
      listen(net.createServer((c) => c.once('data', () => c.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n')))),
    );
    const denied = await probeHost({ host: 'valid.certlens.dev', port: 443 }, { proxy: { host: LOOPBACK, port: refusing.port } });
    assert.equal(denied.error, 'the proxy refused CONNECT valid.certlens.dev:443: 407 Proxy Authentication Required');
  });

  it('picks the proxy from HTTPS_PROXY and NO_PROXY', () => {
    const env = {
      HTTPS_PROXY: 'http://user:s%40cret@proxy.corp.dev:3128',
      NO_PROXY: 'internal.corp.dev,.svc.corp.dev,*.lab.corp.dev,db.corp.dev:5432',
    };
    assert.deepEqual(proxyFor('api.certlens.dev', 443, env), { host: 'proxy.corp.dev', port: 3128, auth: 'user:s@cret' });
    for (const [host, port] of [
      ['internal.corp.dev', 443],
      ['a.internal.corp.dev', 443],
      ['x.svc.corp.dev', 443],
      ['x.lab.corp.dev', 443],
      ['db.corp.dev', 5432],
      ['localhost', 443],
      ['127.0.0.1', 443],
      ['::1', 443],
    ] as const) {
      assert.equal(proxyFor(host, port, env), undefined, host);
    }
    assert.ok(proxyFor('db.corp.dev', 443, env));
    assert.deepEqual(proxyFor('a.certlens.dev', 443, { https_proxy: 'proxy.corp.dev' }), { host: 'proxy.corp.dev', port: 80 });
    assert.equal(proxyFor('a.certlens.dev', 443, { HTTPS_PROXY: 'socks5://proxy.corp.dev:1080' }), undefined);
    assert.equal(proxyFor('a.certlens.dev', 443, { HTTPS_PROXY: 'http://p.corp.dev:1', NO_PROXY: '*' }), undefined);
    assert.equal(proxyFor('a.certlens.dev', 443, {}), undefined);
  });

  it('upgrades SMTP, IMAP, POP3, PostgreSQL and MySQL with STARTTLS before the handshake', async () => {
    const context = tls.createSecureContext({ key: f.leafKey.pem, cert: f.valid.pem + f.intermediate.pem });
    /** Starts TLS on `socket`; `early` holds bytes of the ClientHello already read with the request. */
    const upgradeServer = (dialogue: (socket: net.Socket, upgrade: (early?: Buffer) => void) => void) =>
      serve(
        listen(
          net.createServer((socket) => {
            dialogue(socket, (early) => {
              socket.removeAllListeners('data');
              let stream: Duplex = socket;
              if (early?.length) {
                const replay = new PassThrough();
                replay.write(early);
                socket.pipe(replay);
                stream = Duplex.from({ readable: replay, writable: socket });
              }
              new tls.TLSSocket(stream, { isServer: true, secureContext: context }).on('error', () => undefined);
            });
          }),
        ),
      );
    const lines = (socket: net.Socket, onLine: (line: string) => void) => {
      let buf = '';
      socket.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        let i: number;
        while ((i = buf.indexOf('\r\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          onLine(line);
        }
      });
    };
    const smtp = await upgradeServer((s, up) => {
      s.write('220 mail.certlens.dev ESMTP\r\n');
      lines(s, (l) => {
        if (l.startsWith('EHLO')) s.write('250-mail.certlens.dev\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n');
        else if (l === 'STARTTLS') {
          s.write('220 2.0.0 Ready to start TLS\r\n');
          up();
        }
      });
    });
    const imap = await upgradeServer((s, up) => {
      s.write('* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n');
      lines(s, (l) => {
        if (l === 'a1 STARTTLS') {
          s.write('a1 OK Begin TLS negotiation now\r\n');
          up();
        }
      });
    });
    const pop3 = await upgradeServer((s, up) => {
      s.write('+OK POP3 ready\r\n');
      lines(s, (l) => {
        if (l === 'STLS') {
          s.write('+OK Begin TLS\r\n');
          up();
        }
      });
    });
    const postgres = await upgradeServer((s, up) =>
      s.once('data', (d: Buffer) => {
        assert.deepEqual([...d], [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
        s.write('S');
        up();
      }),
    );
    const mysql = await upgradeServer((s, up) => {
      const version = Buffer.from('8.0.36\0', 'latin1');
      const payload = Buffer.concat([
        Buffer.from([10]),
        version,
        Buffer.alloc(4, 1),
        Buffer.alloc(8, 0x61),
        Buffer.from([0]),
        Buffer.from([0xff, 0xff]),
        Buffer.from([45, 2, 0, 0xff, 0xff, 21]),
        Buffer.alloc(10),
        Buffer.alloc(13, 0x62),
      ]);
      const header = Buffer.alloc(4);
      header.writeUIntLE(payload.length, 0, 3);
      s.write(Buffer.concat([header, payload]));
      s.once('data', (d: Buffer) => {
        // 32-byte SSLRequest, sequence 1, CLIENT_SSL set; the ClientHello may follow in the same read.
        assert.equal(d.readUIntLE(0, 3), 32);
        assert.equal(d[3], 1);
        assert.ok(d.readUInt32LE(4) & 0x800);
        up(d.subarray(36));
      });
    });
    const noTls = await upgradeServer((s) => s.once('data', () => s.write('N')));
    const results = await Promise.all([
      probeHost(at(smtp, 'valid.certlens.dev', { port: 587 }), { ca }),
      probeHost(at(imap, 'valid.certlens.dev', { port: 143 }), { ca }),
      probeHost(at(pop3, 'valid.certlens.dev', { port: 110 }), { ca }),
      probeHost(at(postgres, 'valid.certlens.dev', { port: 5432 }), { ca }),
      probeHost(at(mysql, 'valid.certlens.dev', { port: 3306 }), { ca }),
    ]);
    assert.deepEqual(
      results.map((r) => [r.starttls, r.error ?? null, r.chain[0]?.subjectCN, r.authorized]),
      [
        ['smtp', null, 'valid.certlens.dev', true],
        ['imap', null, 'valid.certlens.dev', true],
        ['pop3', null, 'valid.certlens.dev', true],
        ['postgres', null, 'valid.certlens.dev', true],
        ['mysql', null, 'valid.certlens.dev', true],
      ],
    );
    assert.equal((await probeHost(at(noTls, 'db.certlens.dev', { port: 5432 }))).error, 'the PostgreSQL server does not accept TLS');
    const direct = await probeHost(at(valid, 'valid.certlens.dev', { port: 5432, starttls: 'none' }), { ca });
    assert.equal(direct.error, undefined);
  });

  describe('Prober', () => {
    it('answers a probe that throws with an error result, not a rejection or a hang', async () => {
      const prober = new Prober({ probe: () => Promise.reject(new Error('boom')) });
      const [result] = await prober.probeAll([{ host: 'a.invalid', port: 443 }]);
      assert.equal(result.errorCode, 'PROBE_FAILED');
      assert.match(result.error ?? '', /boom/);
      const again = await prober.probe({ host: 'a.invalid', port: 443 }, { signal: new AbortController().signal });
      assert.equal(again.errorCode, 'PROBE_FAILED');
    });

    it('caps concurrency across 200 targets (measured at the server) and counts connections', async function () {
      this.timeout(15_000);
      let pending = 0;
      let maxPending = 0;
      const s = await serve(
        tlsServer([f.valid, f.intermediate], f.leafKey, {
          SNICallback: (_name, cb) => {
            maxPending = Math.max(maxPending, ++pending);
            setTimeout(() => {
              pending--;
              cb(null, undefined);
            }, 15);
          },
        }),
      );
      const prober = new Prober({ concurrency: 8, timeoutMs: 5000 });
      const targets = Array.from({ length: 200 }, (_, i) => at(s, `h${i}.certlens.dev`));
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.name);
      process.on('warning', onWarning);
      const results = await prober.probeAll(targets, { signal: new AbortController().signal });
      process.off('warning', onWarning);
      assert.deepEqual(warnings, [], 'one abort listener per signal, not per target');
      assert.equal(results.filter((r) => !r.error).length, 200, results.find((r) => r.error)?.error);
      assert.ok(maxPending <= 8, `max ${maxPending} handshakes at once`);
      assert.ok(maxPending >= 4, `max ${maxPending} handshakes at once`);
      assert.equal(s.connections, 200);
      assert.equal(prober.connectionsAttempted, 200);
      assert.equal(prober.pending, 0);
    });

    it('shares one in-flight probe per target and serves the cache until the TTL ends; failures briefly', async () => {
      let clock = 1_000_000;
      const prober = new Prober({ now: () => clock, ca });
      const slow = await serve(
        tlsServer([f.valid, f.intermediate], f.leafKey, { SNICallback: (_n, cb) => setTimeout(() => cb(null, undefined), 50) }),
      );
      const target = at(slow, 'valid.certlens.dev');
      const results = await Promise.all(Array.from({ length: 5 }, () => prober.probe(target)));
      assert.equal(slow.connections, 1);
      assert.ok(results.every((r) => r === results[0]));
      assert.equal(results[0].checkedAt, 1_000_000);

      clock += 6 * 3_600_000 - 1;
      assert.equal(await prober.probe(target), results[0]);
      assert.equal(slow.connections, 1);
      clock += 1;
      await prober.probe(target);
      assert.equal(slow.connections, 2);
      await prober.probe(target, { force: true });
      assert.equal(slow.connections, 3);

      const down = at(await closedPort(), 'down.certlens.dev');
      assert.match((await prober.probe(down)).error ?? '', /refused/);
      const attempts = prober.connectionsAttempted;
      clock += 59_000;
      await prober.probe(down);
      assert.equal(prober.connectionsAttempted, attempts, 'failure cached for a minute');
      clock += 2_000;
      await prober.probe(down);
      assert.equal(prober.connectionsAttempted, attempts + 1);

      const snapshot = JSON.parse(JSON.stringify(prober.exportCache()));
      const restored = new Prober({ now: () => clock });
      assert.equal(restored.importCache(snapshot), 2);
      assert.equal(restored.cached(target)?.chain[0].subjectCN, 'valid.certlens.dev');
      assert.equal(restored.connectionsAttempted, 0);
      assert.equal(restored.importCache({ version: 1, entries: [{ key: 'x', expiresAt: clock + 1, result: { host: 1 } }] }), 0);
      assert.equal(restored.importCache('garbage'), 0);
      clock += 7 * 3_600_000;
      assert.equal(restored.cached(target), undefined);
    });

    it('cancels with an AbortSignal: queued and running probes end as cancelled and are not cached', async () => {
      const silent = await serve(listen(net.createServer(() => undefined)));
      const prober = new Prober({ concurrency: 1, timeoutMs: 10_000 });
      const controller = new AbortController();
      const running = prober.probe(at(silent, 'a.certlens.dev'), { signal: controller.signal });
      const queued = prober.probe(at(silent, 'b.certlens.dev'), { signal: controller.signal });
      const other = prober.probe(at(valid, 'valid.certlens.dev'));
      await new Promise((r) => setTimeout(r, 50));
      const started = performance.now();
      controller.abort();
      const [ra, rb] = await Promise.all([running, queued]);
      assert.equal(ra.error, 'cancelled');
      assert.equal(rb.error, 'cancelled');
      assert.ok(performance.now() - started < 200);
      assert.equal((await other).error, undefined, 'a probe without the signal still runs');
      assert.equal(prober.cached(at(silent, 'a.certlens.dev')), undefined);
      assert.equal(prober.connectionsAttempted, 2, 'the queued probe never connected');
      const pre = new AbortController();
      pre.abort();
      assert.equal((await prober.probe(at(valid, 'x.certlens.dev'), { signal: pre.signal })).error, 'cancelled');
      assert.equal(prober.connectionsAttempted, 2);
    });
  });
});
