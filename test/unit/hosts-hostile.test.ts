// Hostile TLS servers, all on 127.0.0.1: a handshake trickled a byte a second, a 100-certificate
// chain, garbage, a reset mid-handshake, a TLS 1.0-only server and a 10 MB Certificate message.
// Each probe must end within its one timeout with a clear `error` (never a throw, never a hang, with
// bounded memory), and a normal probe of a good server running at the same time must still succeed
// with the right notAfter. Then a recording relay shows that a probe sends only TLS handshake records:
// no HTTP request, no application data.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { MAX_CHAIN, probeHost, type ProbeResult, type ProbeTarget } from '../../src/core/hosts/tlsHandshake';
import { Prober } from '../../src/core/hosts/probeScheduler';
import { assessHost } from '../../src/core/hosts/assess';
import { DEFAULT_RULES } from '../../src/core/rules/rules';
import { daysFromNow, makeCert, makeKey, type TestCert, type TestKey } from '../support/certs';
import { listen, probeFixtures, type ProbeFixtures, type Served, tlsServer } from './hosts-support';

const LOOPBACK = '127.0.0.1';
const TIMEOUT_MS = 1500;

/** A target named `host`, connected to a loopback server; `port` only labels it (and keys the Prober's cache). */
function at(server: Served, host: string, port = 443): ProbeTarget {
  return { host, port, connectTo: { host: LOOPBACK, port: server.port } };
}

/** What a raw server saw of its connections: bytes it sent, and when each client went away. */
interface Seen {
  sent: number;
  closedAt?: number;
  closed: Promise<void>;
}

/** A raw TCP server that answers the first bytes of each connection (the ClientHello) with `reply`. */
function rawServer(reply: (socket: net.Socket, seen: Seen) => void, seen: Seen[] = []): Promise<Served> {
  return listen(
    net.createServer((socket) => {
      let closed!: () => void;
      const s: Seen = { sent: 0, closed: new Promise((r) => (closed = r)) };
      seen.push(s);
      socket.on('close', () => {
        s.closedAt = performance.now();
        closed();
      });
      socket.once('data', () => reply(socket, s));
    }),
  );
}

/** Resolves with `p`, or rejects after `ms`: a client that never lets go must fail the test, not hang it. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** TLS handshake record(s) holding `payload`. */
function record(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x03, payload.length >> 8, payload.length & 0xff]), payload]);
}

/** A handshake message: type, 24-bit length (`declared`, default the body's), body. */
function handshake(type: number, body: Buffer, declared = body.length): Buffer {
  return Buffer.concat([Buffer.from([type, declared >> 16, (declared >> 8) & 0xff, declared & 0xff]), body]);
}

const u24 = (n: number) => [n >> 16, (n >> 8) & 0xff, n & 0xff];

describe('hostile TLS servers', function () {
  this.timeout(15_000);
  let f: ProbeFixtures;
  let ca: string[];
  let good: Served;
  const servers: Served[] = [];
  const serve = async (p: Promise<Served>) => {
    const s = await p;
    servers.push(s);
    return s;
  };

  // The hostile servers, made once: each case probes its own, the last case all of them at once.
  const seen: Record<'trickle' | 'big', Seen[]> = { trickle: [], big: [] };
  let trickle: Served;
  let longChain: Served;
  let longLeaf: TestCert;
  let garbage: Served;
  let garbageRecord: Served;
  let reset: Served;
  let resetForwarded: number[];
  let tls10: Served;
  let tls10Rsa: Served;
  let big: Served;

  before(async function () {
    this.timeout(30_000);
    f = probeFixtures();
    ca = [f.root.pem];
    good = await serve(tlsServer([f.valid, f.intermediate], f.leafKey));

    // (a) A handshake record announcing 16 KB and a ServerHello header, then one byte a second.
    trickle = await serve(
      rawServer((socket, s) => {
        const head = Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00, 0x02, 0x00, 0x3f, 0xfb, 0x03, 0x03]);
        socket.write(head);
        s.sent += head.length;
        const t = setInterval(() => {
          socket.write(Buffer.from([0x5a]));
          s.sent++;
        }, 1000);
        socket.on('close', () => clearInterval(t));
      }, seen.trickle),
    );

    // (b) A real TLS server whose `cert` is a leaf and 99 CA certificates, each issued by the next.
    const keys: TestKey[] = Array.from({ length: 100 }, () => makeKey({ type: 'ec' }));
    const cas: TestCert[] = [];
    let issuer: { cert: TestCert; key: TestKey } | undefined;
    for (let i = 99; i >= 1; i--) {
      const cert = makeCert({
        cn: `CertLens Hostile CA ${i}`,
        key: keys[i],
        ca: true,
        issuer,
        notBefore: daysFromNow(-10),
        notAfter: daysFromNow(1000 + i),
      });
      cas.unshift(cert);
      issuer = { cert, key: keys[i] };
    }
    longLeaf = makeCert({
      cn: 'long.certlens.dev',
      sans: ['long.certlens.dev'],
      key: keys[0],
      issuer,
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(50),
    });
    longChain = await serve(tlsServer([longLeaf, ...cas], keys[0]));

    // (c) 4 KB of garbage; and garbage inside a well-formed handshake record.
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 167 + 13) & 0xff;
    junk.set([0xde, 0xad, 0xbe, 0xef]);
    garbage = await serve(rawServer((socket) => socket.write(junk)));
    garbageRecord = await serve(rawServer((socket) => socket.write(record(junk.subarray(0, 256)))));

    // (d) Relays to the good server, passes on the first 100 bytes of its reply, then sends a TCP RST.
    resetForwarded = [];
    reset = await serve(
      listen(
        net.createServer((client) => {
          const upstream = net.connect(good.port, LOOPBACK);
          upstream.on('error', () => client.destroy());
          client.on('error', () => upstream.destroy());
          client.pipe(upstream);
          let forwarded = 0;
          upstream.on('data', (d: Buffer) => {
            if (client.destroyed) return;
            const part = d.subarray(0, 100 - forwarded);
            client.write(part);
            forwarded += part.length;
            if (forwarded < 100) return;
            resetForwarded.push(forwarded);
            client.resetAndDestroy();
            upstream.destroy();
          });
        }),
      ),
    );

    // (e) TLS 1.0 only (OpenSSL 3 needs security level 0 for it): ECDHE with the EC leaf, and RSA key exchange.
    const legacy = { minVersion: 'TLSv1', maxVersion: 'TLSv1' } as const;
    tls10 = await serve(tlsServer([f.valid, f.intermediate], f.leafKey, { ...legacy, ciphers: 'DEFAULT:@SECLEVEL=0' }));
    const rsaKey = makeKey({ type: 'rsa', bits: 2048 });
    const rsaLeaf = makeCert({
      cn: 'rsa.certlens.dev',
      sans: ['rsa.certlens.dev'],
      key: rsaKey,
      notBefore: daysFromNow(-1),
      notAfter: daysFromNow(30),
    });
    tls10Rsa = await serve(tlsServer([rsaLeaf], rsaKey, { ...legacy, ciphers: 'AES128-SHA:@SECLEVEL=0' }));

    // (f) A TLS 1.2 ServerHello (ECDHE-RSA-AES128-GCM-SHA256, renegotiation_info), then a Certificate
    // message declaring 10 MB, then 16 KB records of filler until the client goes away (at most 11 MB).
    big = await serve(
      rawServer((socket, s) => {
        const serverHello = handshake(
          0x02,
          Buffer.concat([
            Buffer.from([0x03, 0x03]),
            Buffer.alloc(32, 0x42),
            Buffer.from([0x00, 0xc0, 0x2f, 0x00, 0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00]),
          ]),
        );
        const SIZE = 10 * 1024 * 1024;
        const certificate = handshake(0x0b, Buffer.from([...u24(SIZE - 3), ...u24(SIZE - 6), 0x30, 0x83]), SIZE);
        const first = Buffer.concat([record(serverHello), record(certificate)]);
        socket.write(first);
        s.sent += first.length;
        const filler = record(Buffer.alloc(16 * 1024, 0x41));
        const pump = () => {
          while (!socket.destroyed && s.sent < SIZE + 1024 * 1024) {
            s.sent += filler.length;
            if (!socket.write(filler)) return void socket.once('drain', pump);
          }
        };
        pump();
      }, seen.big),
    );
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  /**
   * Probes a hostile server with a good probe started at the same time and another 50 ms later.
   * Both good ones must succeed with the right notAfter; the hostile one must end, in time, with an error.
   */
  async function beside(hostile: ProbeTarget): Promise<{ r: ProbeResult; ms: number }> {
    const t0 = performance.now();
    const goodProbe = () => {
      const started = performance.now();
      return probeHost(at(good, 'valid.certlens.dev'), { ca, timeoutMs: TIMEOUT_MS }).then((r) => ({ r, ms: performance.now() - started }));
    };
    const h = probeHost(hostile, { timeoutMs: TIMEOUT_MS }).then((r) => ({ r, ms: performance.now() - t0 }));
    const first = goodProbe();
    await new Promise((res) => setTimeout(res, 50));
    const goods = await Promise.all([first, goodProbe()]);
    const { r, ms } = await within(h, TIMEOUT_MS + 1000, 'the hostile probe');
    for (const g of goods) {
      assert.equal(g.r.error, undefined, `a good probe beside it failed: ${g.r.error}`);
      assert.equal(g.r.authorized, true);
      assert.equal(g.r.chain[0].subjectCN, 'valid.certlens.dev');
      assert.equal(g.r.notAfter, f.valid.notAfter.getTime());
      assert.ok(g.ms < 1000, `a good probe beside it took ${Math.round(g.ms)} ms`);
    }
    assert.ok(ms < TIMEOUT_MS + 500, `the hostile probe took ${Math.round(ms)} ms`);
    return { r, ms };
  }

  /** An error result, plain and reported as host-unreachable. */
  function assertFailed(r: ProbeResult): void {
    assert.ok(r.error, 'an error');
    assert.ok(r.errorCode, 'an error code');
    assert.deepEqual(r.chain, []);
    assert.equal(r.authorized, false);
    assert.equal(r.notAfter, undefined);
    assert.deepEqual(
      assessHost(r, Date.now(), DEFAULT_RULES).map((i) => i.code),
      ['host-unreachable'],
    );
  }

  it('(a) ends a handshake trickled at one byte per second at the timeout, and closes the connection', async () => {
    const { r, ms } = await beside(at(trickle, 'trickle.certlens.dev'));
    assertFailed(r);
    assert.equal(r.error, 'timed out after 1.5 s');
    assert.equal(r.errorCode, 'ETIMEDOUT');
    assert.ok(ms >= TIMEOUT_MS - 20, `ended after ${Math.round(ms)} ms`);
    const s = seen.trickle[0];
    await within(s.closed, 500, 'the server to see the connection closed');
    assert.ok(s.sent >= 11 && s.sent <= 13, `${s.sent} bytes trickled`);
  });

  it(`(b) reads a 100-certificate chain quickly, kept to MAX_CHAIN (${MAX_CHAIN}) members and marked truncated`, async () => {
    const { r, ms } = await beside(at(longChain, 'long.certlens.dev'));
    assert.equal(r.error, undefined);
    assert.ok(ms < 1000, `${Math.round(ms)} ms`);
    assert.equal(r.chain.length, MAX_CHAIN);
    assert.equal(r.chainTruncated, true);
    assert.deepEqual(
      r.chain.slice(0, 3).map((m) => m.subjectCN),
      ['long.certlens.dev', 'CertLens Hostile CA 1', 'CertLens Hostile CA 2'],
    );
    assert.equal(r.chain[MAX_CHAIN - 1].subjectCN, `CertLens Hostile CA ${MAX_CHAIN - 1}`);
    assert.equal(r.hostnameMatch, true);
    assert.equal(r.authorized, false, 'its root is not trusted');
    assert.equal(r.notAfter, longLeaf.notAfter.getTime());
    assert.equal(r.chainEarliestIndex, 0);
  });

  it('(c) reports garbage in reply to the ClientHello as not TLS, and garbage in a TLS record as a failed handshake', async () => {
    const { r } = await beside(at(garbage, 'garbage.certlens.dev'));
    assertFailed(r);
    assert.equal(r.error, 'not a TLS server (wrong version number)');
    assert.equal(r.errorCode, 'ERR_SSL_WRONG_VERSION_NUMBER');
    const { r: inRecord } = await beside(at(garbageRecord, 'garbage.certlens.dev'));
    assertFailed(inRecord);
    assert.equal(inRecord.error, 'TLS handshake failed: unexpected message');
    assert.equal(inRecord.errorCode, 'ERR_SSL_UNEXPECTED_MESSAGE');
  });

  it('(d) reports a connection reset in the middle of the handshake', async () => {
    const { r } = await beside(at(reset, 'valid.certlens.dev'));
    assertFailed(r);
    assert.equal(r.error, 'connection reset by the server');
    assert.equal(r.errorCode, 'ECONNRESET');
    assert.deepEqual(resetForwarded, [100], "the reset came after 100 bytes of the server's handshake");
  });

  it('(e) names TLS 1.0 when an ECDHE server is refused for its SHA-1 handshake signature; reads an RSA key-exchange one', async () => {
    // Proof the server speaks TLS 1.0: a client that allows it gets there.
    const proof = await new Promise<string | null>((resolve, reject) => {
      const c = tls.connect(
        {
          host: LOOPBACK,
          port: tls10.port,
          rejectUnauthorized: false,
          minVersion: 'TLSv1',
          maxVersion: 'TLSv1',
          ciphers: 'DEFAULT:@SECLEVEL=0',
        },
        () => {
          resolve(c.getProtocol());
          c.destroy();
        },
      );
      c.on('error', reject);
    });
    assert.equal(proof, 'TLSv1');
    const { r } = await beside(at(tls10, 'valid.certlens.dev'));
    assertFailed(r);
    assert.equal(
      r.error,
      'the server only speaks TLSv1, whose MD5/SHA-1 handshake signature is refused (legacy sigalg disallowed or unsupported)',
    );
    assert.equal(r.errorCode, 'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED');

    const { r: rsa } = await beside(at(tls10Rsa, 'rsa.certlens.dev'));
    assert.equal(rsa.error, undefined);
    assert.equal(rsa.protocol, 'TLSv1');
    assert.equal(rsa.cipher, 'TLS_RSA_WITH_AES_128_CBC_SHA');
    assert.equal(rsa.chain[0].subjectCN, 'rsa.certlens.dev');
    assert.equal(rsa.hostnameMatch, true);
  });

  it('(f) refuses a 10 MB Certificate message at its header, with memory bounded', async () => {
    const rss0 = process.memoryUsage.rss();
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
    try {
      const { r } = await beside(at(big, 'big.certlens.dev'));
      assertFailed(r);
      assert.equal(r.error, 'TLS handshake failed: excessive message size');
      assert.equal(r.errorCode, 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE');
      const s = seen.big[0];
      await within(s.closed, 500, 'the server to see the connection closed');
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage.rss());
    assert.ok(peak - rss0 < 100 * 1024 * 1024, `RSS grew by ${Math.round((peak - rss0) / 1024 / 1024)} MB`);
  });

  it('runs all of them at once through a Prober beside good probes: each ends in time, the good ones succeed', async () => {
    const prober = new Prober({ timeoutMs: TIMEOUT_MS, ca });
    const hostile = [
      at(trickle, 'trickle.certlens.dev'),
      at(longChain, 'long.certlens.dev'),
      at(garbage, 'garbage.certlens.dev'),
      at(garbageRecord, 'garbage.certlens.dev'),
      at(reset, 'valid.certlens.dev'),
      at(tls10, 'valid.certlens.dev'),
      at(tls10Rsa, 'rsa.certlens.dev'),
      at(big, 'big.certlens.dev'),
    ];
    // Three good targets (the label port differs, so the Prober probes each).
    const goods = [443, 8443, 9443].map((port) => at(good, 'valid.certlens.dev', port));
    const started = performance.now();
    const results = await within(prober.probeAll([...hostile, ...goods]), TIMEOUT_MS + 1000, 'all probes');
    const ms = performance.now() - started;
    assert.ok(ms < TIMEOUT_MS + 500, `${Math.round(ms)} ms`);
    const [rTrickle, rLong, rGarbage, rRecord, rReset, rTls10, rRsa, rBig] = results;
    assert.deepEqual(
      [rTrickle, rGarbage, rRecord, rReset, rTls10, rBig].map((r) => r.errorCode),
      [
        'ETIMEDOUT',
        'ERR_SSL_WRONG_VERSION_NUMBER',
        'ERR_SSL_UNEXPECTED_MESSAGE',
        'ECONNRESET',
        'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED',
        'ERR_SSL_EXCESSIVE_MESSAGE_SIZE',
      ],
    );
    assert.deepEqual([rLong.chain.length, rLong.chainTruncated, rRsa.protocol], [MAX_CHAIN, true, 'TLSv1']);
    for (const g of results.slice(hostile.length)) {
      assert.equal(g.error, undefined);
      assert.equal(g.notAfter, f.valid.notAfter.getTime());
    }
    assert.equal(prober.pending, 0);
  });
});

describe('handshake-only probes', function () {
  this.timeout(15_000);

  /** The TLS records in `bytes`: throws unless they are whole records, back to back. */
  function records(bytes: Buffer): { type: number; payload: Buffer }[] {
    const out: { type: number; payload: Buffer }[] = [];
    let pos = 0;
    while (pos < bytes.length) {
      assert.ok(pos + 5 <= bytes.length, `a partial record header at byte ${pos}`);
      const [type, major] = [bytes[pos], bytes[pos + 1]];
      const length = bytes.readUInt16BE(pos + 3);
      assert.ok([0x14, 0x15, 0x16, 0x17].includes(type), `record type 0x${type.toString(16)} at byte ${pos}`);
      assert.equal(major, 0x03, `record version at byte ${pos}`);
      assert.ok(length <= 16 * 1024 + 256 && pos + 5 + length <= bytes.length, `record length ${length} at byte ${pos}`);
      out.push({ type, payload: bytes.subarray(pos + 5, pos + 5 + length) });
      pos += 5 + length;
    }
    return out;
  }

  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`sends only TLS records, starting with a ClientHello, and no application data (${version})`, async () => {
      const f = probeFixtures();
      // The server decrypts whatever the client sends after the handshake: none may come.
      const decrypted: Buffer[] = [];
      let secured = 0;
      const server = tls.createServer({
        key: f.leafKey.pem,
        cert: f.valid.pem + f.intermediate.pem,
        minVersion: version,
        maxVersion: version,
      });
      server.on('secureConnection', (s: tls.TLSSocket) => {
        secured++;
        s.on('data', (d: Buffer) => decrypted.push(d));
      });
      const upstream = await listen(server);
      // A relay in front of it records every byte the client sends.
      const received: Buffer[] = [];
      let clientClosed!: () => void;
      const closed = new Promise<void>((r) => (clientClosed = r));
      const relay = await listen(
        net.createServer((client) => {
          const up = net.connect(upstream.port, LOOPBACK);
          up.on('error', () => client.destroy());
          client.on('data', (d: Buffer) => {
            received.push(Buffer.from(d));
            up.write(d);
          });
          up.pipe(client);
          client.on('close', () => {
            up.end();
            clientClosed();
          });
        }),
      );
      try {
        const r = await probeHost(at(relay, 'valid.certlens.dev'), { ca: [f.root.pem], timeoutMs: 3000 });
        assert.equal(r.error, undefined);
        assert.equal(r.protocol, version);
        assert.equal(r.notAfter, f.valid.notAfter.getTime());
        await within(closed, 1000, 'the probe to close its connection');
        await new Promise((res) => setTimeout(res, 100));
        const bytes = Buffer.concat(received);
        const recs = records(bytes);
        const hello = recs[0];
        assert.equal(hello.type, 0x16, 'a handshake record first');
        assert.equal(hello.payload[0], 0x01, 'a ClientHello first');
        assert.ok(hello.payload.includes(Buffer.from('valid.certlens.dev')), 'the ClientHello carries the SNI');
        assert.ok(!/HTTP\/|GET |HEAD |POST /.test(bytes.toString('latin1')), 'no HTTP text');
        const appData = recs.filter((x) => x.type === 0x17).length;
        // TLS 1.3 encrypts the client's Finished as an application_data record (when it leaves before
        // the socket is destroyed): at most that one. TLS 1.2 sends none: every byte after the handshake would be one.
        assert.ok(
          appData <= (version === 'TLSv1.3' ? 1 : 0),
          `${appData} application_data records; types ${recs.map((x) => x.type.toString(16)).join(',')}`,
        );
        assert.deepEqual(decrypted, [], 'the server decrypted no application data');
        // In TLS 1.2 the client's Finished always precedes the server's, so the server completed the handshake and listened.
        if (version === 'TLSv1.2') assert.equal(secured, 1);
      } finally {
        await relay.close();
        await upstream.close();
      }
    });
  }
});
