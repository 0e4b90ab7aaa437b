import * as net from 'node:net';
import * as tls from 'node:tls';
import { parseCertificateDer } from '../x509/certificate';
import { hostPortKey, isLocalAddress, startTlsFor, type StartTlsProtocol } from './names';

export interface ProbeTarget {
  host: string;
  port: number;
  /** SNI name; defaults to `host` unless it is an IP address. */
  servername?: string;
  /** Connect here instead of resolving `host` (curl --resolve); SNI and the hostname check still use `host`. */
  connectTo?: { host: string; port: number };
  /** Plain-text upgrade before the handshake; defaults from the port (25/587 SMTP, 143 IMAP, 110 POP3, 5432, 3306). 'none' forces direct TLS. */
  starttls?: StartTlsProtocol | 'none';
}

/** An HTTP proxy reached with CONNECT. */
export interface ProxyConfig {
  host: string;
  port: number;
  /** "user:password" for Proxy-Authorization: Basic. */
  auth?: string;
}

export interface ProbeOptions {
  /** One limit for everything: proxy, connect, STARTTLS and handshake. Default 5000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  proxy?: ProxyConfig;
  /** Time stamped on the result (epoch ms). */
  now?: number;
  /** Extra trusted CA certificates (PEM), added to Node's default store. */
  ca?: readonly string[];
  /** Called as a TCP connection is opened (to the host or a proxy). */
  onConnectAttempt?: () => void;
  /** Name resolution for the connection (default: the system resolver, as `net.connect` does). */
  lookup?: net.LookupFunction;
}

/** One certificate the server presented (or the trust-store root Node appended to it). */
export interface ChainMember {
  subject: string;
  subjectCN?: string;
  issuer: string;
  issuerCN?: string;
  dnsNames: string[];
  notBefore: number;
  notAfter: number;
  sha256: string;
  /** SHA-256 of the SubjectPublicKeyInfo: the same key in another certificate (drift). Absent in results cached before it was kept. */
  spkiSha256?: string;
  isCA: boolean;
  selfSigned: boolean;
}

/** What one handshake showed. Plain JSON: cached and persisted as is. Never holds key material. */
export interface ProbeResult {
  host: string;
  port: number;
  servername?: string;
  /** host:port the TCP connection went to (the --resolve address, or the host). */
  address: string;
  viaProxy?: string;
  starttls?: StartTlsProtocol;
  /** Epoch ms of the probe. */
  checkedAt: number;
  ms: number;
  /** Why there is no chain: refused, timed out, not TLS, DNS ... */
  error?: string;
  errorCode?: string;
  /** The chain verifies against the trust store (Node's default CAs plus `ca`). Hostname not included. */
  authorized: boolean;
  authorizationError?: string;
  hostnameMatch?: boolean;
  hostnameError?: string;
  protocol?: string;
  cipher?: string;
  /** Leaf first, as Node reports it: the served chain, plus the trust-store root when it was found. */
  chain: ChainMember[];
  /** The chain went on beyond the members kept. */
  chainTruncated?: boolean;
  notBefore?: number;
  notAfter?: number;
  chainEarliestNotAfter?: number;
  chainEarliestIndex?: number;
  selfSigned?: boolean;
  /** The server sent only its leaf and the issuer is not in the trust store. */
  missingIntermediate?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 5000;
/** Chain members kept; real chains have 2 to 4. */
export const MAX_CHAIN = 16;
/** Most bytes read from a proxy or a STARTTLS server before the handshake. */
const MAX_PREAMBLE = 16 * 1024;

class ProbeError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** "500 ms", "5 s", "2.5 s". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * Opens one TLS handshake to the target and reports the chain it serves. Only the handshake:
 * no HTTP request, no client certificate, the socket is destroyed right after. Never throws;
 * every failure (refused, timeout, not TLS, DNS, cancelled) is an `error` on the result.
 */
export function probeHost(target: ProbeTarget, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const dest = target.connectTo ?? { host: target.host, port: target.port };
  const servername = target.servername ?? (net.isIP(target.host) ? undefined : target.host);
  const starttls = target.starttls === 'none' ? undefined : (target.starttls ?? startTlsFor(target.port));
  const base: ProbeResult = {
    host: target.host,
    port: target.port,
    address: hostPortKey(dest.host, dest.port),
    checkedAt: options.now ?? Date.now(),
    ms: 0,
    authorized: false,
    chain: [],
  };
  if (servername) base.servername = servername;
  if (starttls) base.starttls = starttls;
  if (options.proxy) base.viaProxy = hostPortKey(options.proxy.host, options.proxy.port);

  return new Promise<ProbeResult>((resolve) => {
    const sockets: net.Socket[] = [];
    let settled = false;
    const finish = (extra: Partial<ProbeResult>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Outermost first: destroying a TCP socket under a live TLS socket crashes Node 20 at exit.
      for (const s of [...sockets].reverse()) s.destroy();
      resolve({ ...base, ...extra, ms: Math.round(performance.now() - started) });
    };
    const fail = (e: unknown, protocol?: string | null) => {
      const { message, code } = describeError(e, dest, options.proxy, protocol ?? undefined);
      finish({ error: message, errorCode: code });
    };
    const onAbort = () => fail(new ProbeError('cancelled', 'ABORT_ERR'));
    const timer = setTimeout(() => fail(new ProbeError(`timed out after ${formatDuration(timeoutMs)}`, 'ETIMEDOUT')), timeoutMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const run = async () => {
      const hop = options.proxy ?? dest;
      options.onConnectAttempt?.();
      const raw = net.connect({ host: hop.host, port: hop.port, ...(options.lookup ? { lookup: options.lookup } : {}) });
      sockets.push(raw);
      raw.on('error', fail);
      await once(raw, 'connect');
      if (options.proxy) await proxyConnect(raw, dest, options.proxy);
      if (starttls) await upgrade(raw, starttls);
      if (settled) return;
      const socket = tls.connect({
        socket: raw,
        servername,
        rejectUnauthorized: false,
        // Node's own check would fold a hostname mismatch into `authorized`; it is reported separately.
        checkServerIdentity: () => undefined,
        secureContext: options.ca?.length ? contextWithCa(options.ca) : undefined,
        // Old servers still get their chain read (and their protocol reported) when they use RSA key
        // exchange; with (EC)DHE, OpenSSL 3 refuses their MD5/SHA-1 handshake signature (see describeError).
        minVersion: 'TLSv1',
      });
      sockets.push(socket);
      // The version the server chose is known by then, and names why an old server was refused.
      socket.on('error', (e) => fail(e, socket.getProtocol()));
      await once(socket, 'secureConnect');
      if (settled) return;
      finish(readHandshake(socket, target));
    };
    run().catch(fail);
  });
}

/** Resolves on `event`; rejects if the socket errors or closes first. */
function once(socket: net.Socket, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off(event, onEvent);
      socket.off('close', onClose);
    };
    const onEvent = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new ProbeError('the server closed the connection during the TLS handshake', 'ECONNRESET'));
    };
    socket.on(event, onEvent);
    socket.on('close', onClose);
  });
}

const contexts = new Map<string, tls.SecureContext>();

/** A secure context trusting Node's default roots plus `ca`; cached, since building one parses every root. */
function contextWithCa(ca: readonly string[]): tls.SecureContext {
  const id = ca.join('\n');
  let ctx = contexts.get(id);
  if (!ctx) {
    if (contexts.size >= 8) contexts.clear();
    ctx = tls.createSecureContext({ ca: [...tls.rootCertificates, ...ca], minVersion: 'TLSv1' });
    contexts.set(id, ctx);
  }
  return ctx;
}

function readHandshake(socket: tls.TLSSocket, target: ProbeTarget): Partial<ProbeResult> {
  const peer = socket.getPeerCertificate(true);
  if (!peer || !peer.raw) return { error: 'the server sent no certificate', errorCode: 'NO_CERTIFICATE' };
  const { chain, truncated } = chainFromPeer(peer);
  const out: Partial<ProbeResult> = { chain, authorized: socket.authorized };
  if (truncated) out.chainTruncated = true;
  // Typed as Error, but Node sets the OpenSSL code as a string (e.g. 'CERT_HAS_EXPIRED').
  const authError = socket.authorizationError as Error | string | undefined;
  if (!socket.authorized && authError)
    out.authorizationError =
      authError instanceof Error ? ((authError as NodeJS.ErrnoException).code ?? authError.message) : String(authError);
  const protocol = socket.getProtocol();
  if (protocol) out.protocol = protocol;
  const cipher = socket.getCipher();
  if (cipher?.name) out.cipher = cipher.standardName ?? cipher.name;
  const identityError = tls.checkServerIdentity(target.host, peer);
  out.hostnameMatch = !identityError;
  if (identityError) out.hostnameError = identityError.message;
  const leaf = chain[0];
  if (leaf) {
    out.notBefore = leaf.notBefore;
    out.notAfter = leaf.notAfter;
    out.selfSigned = leaf.selfSigned;
    let earliest = 0;
    chain.forEach((m, i) => {
      if (m.notAfter < chain[earliest].notAfter) earliest = i;
    });
    out.chainEarliestNotAfter = chain[earliest].notAfter;
    out.chainEarliestIndex = earliest;
    out.missingIntermediate =
      !socket.authorized &&
      chain.length === 1 &&
      !leaf.selfSigned &&
      (out.authorizationError === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' || out.authorizationError === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  }
  return out;
}

/** The subset of Node's peer certificate the chain walk reads. */
export interface PeerCertificateLike {
  raw?: Buffer;
  fingerprint256?: string;
  subject?: object;
  issuer?: object;
  valid_from?: string;
  valid_to?: string;
  subjectaltname?: string;
  ca?: boolean;
  issuerCertificate?: PeerCertificateLike;
}

/** Walks `issuerCertificate` from the leaf, stopping at a self-loop, a repeat, or MAX_CHAIN members. */
export function chainFromPeer(peer: PeerCertificateLike, max = MAX_CHAIN): { chain: ChainMember[]; truncated: boolean } {
  const chain: ChainMember[] = [];
  const seen = new Set<string>();
  let current: PeerCertificateLike | undefined = peer;
  while (current?.raw) {
    const member = chainMember(current);
    if (seen.has(member.sha256)) break;
    if (chain.length >= max) return { chain, truncated: true };
    seen.add(member.sha256);
    chain.push(member);
    const next: PeerCertificateLike | undefined = current.issuerCertificate;
    if (next === current) break;
    current = next;
  }
  return { chain, truncated: false };
}

function chainMember(c: PeerCertificateLike): ChainMember {
  try {
    const f = parseCertificateDer(c.raw!);
    const m: ChainMember = {
      subject: f.subject,
      issuer: f.issuer,
      dnsNames: f.sans.dns,
      notBefore: f.notBefore,
      notAfter: f.notAfter,
      sha256: f.sha256,
      spkiSha256: f.spkiSha256,
      isCA: f.isCA,
      selfSigned: f.selfSigned,
    };
    if (f.subjectCN) m.subjectCN = f.subjectCN;
    if (f.issuerCN) m.issuerCN = f.issuerCN;
    return m;
  } catch {
    // A certificate CertLens's strict reader rejects: fall back to what OpenSSL told Node.
    const name = (n?: object) =>
      Object.entries(n ?? {})
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
        .join(', ');
    const cn = (n?: object) => {
      const v: unknown = n && (n as { CN?: unknown }).CN;
      return Array.isArray(v) ? String(v[0]) : typeof v === 'string' ? v : undefined;
    };
    const subject = name(c.subject);
    const issuer = name(c.issuer);
    const m: ChainMember = {
      subject,
      issuer,
      dnsNames: (c.subjectaltname ?? '')
        .split(', ')
        .filter((s) => s.startsWith('DNS:'))
        .map((s) => s.slice(4)),
      notBefore: Date.parse(c.valid_from ?? ''),
      notAfter: Date.parse(c.valid_to ?? ''),
      sha256: (c.fingerprint256 ?? '').replace(/:/g, '').toLowerCase(),
      isCA: !!c.ca,
      selfSigned: subject === issuer,
    };
    const s = cn(c.subject);
    const i = cn(c.issuer);
    if (s) m.subjectCN = s;
    if (i) m.issuerCN = i;
    return m;
  }
}

/** Reads from a raw socket until `complete` says the response is whole; bounded in size. */
function readUntil(socket: net.Socket, complete: (data: Buffer) => boolean, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (complete(data)) {
        cleanup();
        resolve(data);
      } else if (data.length > MAX_PREAMBLE) {
        cleanup();
        reject(new ProbeError(`${what}: response too long`, 'EPROTO'));
      }
    };
    const onClose = () => {
      cleanup();
      reject(new ProbeError(`${what}: the server closed the connection`, 'ECONNRESET'));
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

/** HTTP CONNECT through a proxy: the only plain-text bytes CertLens sends, and only to the proxy. */
async function proxyConnect(socket: net.Socket, dest: { host: string; port: number }, proxy: ProxyConfig): Promise<void> {
  const authority = hostPortKey(dest.host, dest.port);
  const auth = proxy.auth ? `Proxy-Authorization: Basic ${Buffer.from(proxy.auth).toString('base64')}\r\n` : '';
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
  const response = await readUntil(socket, (d) => d.includes('\r\n\r\n'), 'proxy');
  const status = /^HTTP\/1\.[01] (\d{3})([^\r\n]*)/.exec(response.toString('latin1'));
  if (!status) throw new ProbeError(`the proxy ${hostPortKey(proxy.host, proxy.port)} did not answer CONNECT like an HTTP proxy`, 'EPROXY');
  if (status[1] !== '200') throw new ProbeError(`the proxy refused CONNECT ${authority}: ${status[1]}${status[2]}`, 'EPROXY');
}

/** Lines of a text protocol response ending with a final line that matches `last`. */
function lineResponse(last: RegExp): (d: Buffer) => boolean {
  return (d) =>
    d
      .toString('latin1')
      .split(/\r?\n/)
      .some((line) => last.test(line));
}

/** The protocol's plain-text request to switch to TLS. */
async function upgrade(socket: net.Socket, protocol: StartTlsProtocol): Promise<void> {
  const text = (b: Buffer) => b.toString('latin1').trim();
  switch (protocol) {
    case 'smtp': {
      const greeting = text(await readUntil(socket, lineResponse(/^\d{3}(?: |$)/), 'SMTP'));
      if (!greeting.startsWith('220')) throw new ProbeError(`SMTP server refused: ${greeting.slice(0, 120)}`, 'ESTARTTLS');
      socket.write('EHLO certlens.invalid\r\n');
      const ehlo = text(await readUntil(socket, lineResponse(/^\d{3}(?: |$)/), 'SMTP'));
      if (!/^250[- ]STARTTLS\b/im.test(ehlo)) throw new ProbeError('the SMTP server does not offer STARTTLS', 'ESTARTTLS');
      socket.write('STARTTLS\r\n');
      const ready = text(await readUntil(socket, lineResponse(/^\d{3}(?: |$)/), 'SMTP'));
      if (!ready.startsWith('220')) throw new ProbeError(`SMTP STARTTLS refused: ${ready.slice(0, 120)}`, 'ESTARTTLS');
      return;
    }
    case 'imap': {
      const greeting = text(await readUntil(socket, lineResponse(/^\* /), 'IMAP'));
      if (!/^\* (?:OK|PREAUTH)/i.test(greeting)) throw new ProbeError(`IMAP server refused: ${greeting.slice(0, 120)}`, 'ESTARTTLS');
      socket.write('a1 STARTTLS\r\n');
      const ready = text(await readUntil(socket, lineResponse(/^a1 /i), 'IMAP'));
      if (!/^a1 OK/im.test(ready)) throw new ProbeError(`IMAP STARTTLS refused: ${ready.slice(0, 120)}`, 'ESTARTTLS');
      return;
    }
    case 'pop3': {
      const greeting = text(await readUntil(socket, lineResponse(/^[+-]/), 'POP3'));
      if (!greeting.startsWith('+OK')) throw new ProbeError(`POP3 server refused: ${greeting.slice(0, 120)}`, 'ESTARTTLS');
      socket.write('STLS\r\n');
      const ready = text(await readUntil(socket, lineResponse(/^[+-]/), 'POP3'));
      if (!ready.startsWith('+OK')) throw new ProbeError(`POP3 STLS refused: ${ready.slice(0, 120)}`, 'ESTARTTLS');
      return;
    }
    case 'postgres': {
      // SSLRequest: length 8, code 80877103.
      socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
      const answer = await readUntil(socket, (d) => d.length >= 1, 'PostgreSQL');
      if (answer[0] === 0x4e) throw new ProbeError('the PostgreSQL server does not accept TLS', 'ESTARTTLS');
      if (answer[0] !== 0x53 || answer.length !== 1) throw new ProbeError('not a PostgreSQL server', 'ESTARTTLS');
      return;
    }
    case 'mysql': {
      const packetComplete = (d: Buffer) => d.length >= 4 && d.length >= 4 + d.readUIntLE(0, 3);
      const greeting = await readUntil(socket, packetComplete, 'MySQL');
      const payload = greeting.subarray(4, 4 + greeting.readUIntLE(0, 3));
      if (payload[0] === 0xff)
        throw new ProbeError(`MySQL server refused: ${payload.subarray(3).toString('latin1').slice(0, 120)}`, 'ESTARTTLS');
      if (payload[0] !== 10) throw new ProbeError('not a MySQL server', 'ESTARTTLS');
      const versionEnd = payload.indexOf(0, 1);
      const capsAt = versionEnd + 1 + 4 + 8 + 1;
      if (versionEnd < 0 || payload.length < capsAt + 2) throw new ProbeError('not a MySQL server', 'ESTARTTLS');
      const CLIENT_SSL = 0x800;
      if (!(payload.readUInt16LE(capsAt) & CLIENT_SSL)) throw new ProbeError('the MySQL server does not accept TLS', 'ESTARTTLS');
      // SSLRequest: capabilities (PROTOCOL_41 | SSL | SECURE_CONNECTION), max packet, utf8mb4, 23 zero bytes; sequence 1.
      const request = Buffer.alloc(4 + 32);
      request.writeUIntLE(32, 0, 3);
      request[3] = 1;
      request.writeUInt32LE(0x200 | CLIENT_SSL | 0x8000, 4);
      request.writeUInt32LE(16 * 1024 * 1024, 8);
      request[12] = 45;
      socket.write(request);
      return;
    }
  }
}

/** A short, stable sentence for a failed probe. */
function describeError(
  e: unknown,
  dest: { host: string; port: number },
  proxy?: ProxyConfig,
  protocol?: string,
): { message: string; code?: string } {
  if (e instanceof ProbeError) return { message: e.message, code: e.code };
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = err?.code;
  const where = hostPortKey(proxy?.host ?? dest.host, proxy?.port ?? dest.port);
  const reason = err?.reason ?? String(err?.message ?? e).replace(/^.*routines:/, '');
  switch (code) {
    case 'ECONNREFUSED':
      return { message: `connection refused by ${where}${proxy ? ' (proxy)' : ''}`, code };
    case 'ECONNRESET':
      return { message: 'connection reset by the server', code };
    case 'ENOTFOUND':
      return { message: `DNS lookup failed for ${proxy?.host ?? dest.host}: no such host`, code };
    case 'EAI_AGAIN':
      return { message: `DNS lookup failed for ${proxy?.host ?? dest.host}: temporary failure`, code };
    case 'EHOSTUNREACH':
      return { message: `host ${where} is unreachable`, code };
    case 'ENETUNREACH':
      return { message: `network unreachable for ${where}`, code };
    case 'ETIMEDOUT':
      return { message: `connection to ${where} timed out`, code };
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'ERR_SSL_UNKNOWN_PROTOCOL':
    case 'ERR_SSL_RECORD_LAYER_FAILURE':
      return { message: `not a TLS server (${reason})`, code };
    // TLS 1.0/1.1 sign the (EC)DHE handshake with MD5/SHA-1, below OpenSSL 3's default security level.
    case 'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED':
      return {
        message: `the server only speaks ${protocol && protocol !== 'unknown' ? protocol : 'an old TLS version'}, whose MD5/SHA-1 handshake signature is refused (${reason})`,
        code,
      };
  }
  if (/socket disconnected before secure TLS connection/i.test(String(err?.message))) {
    return { message: 'the server closed the connection during the TLS handshake', code: code ?? 'ECONNRESET' };
  }
  if (/certificate required/i.test(reason)) return { message: 'the server requires a client certificate', code };
  return { message: `TLS handshake failed: ${reason}`, code };
}

/**
 * The HTTP proxy for a host from HTTPS_PROXY / https_proxy, unless NO_PROXY / no_proxy exempts it.
 * NO_PROXY entries: `*`, exact hosts, domain suffixes (`example.com`, `.example.com`), optional `:port`.
 * Loopback hosts never use a proxy. Only http:// proxies are supported (others are ignored).
 */
export function proxyFor(
  host: string,
  port: number,
  env: Readonly<Record<string, string | undefined>> = process.env,
  proxyUrl?: string,
): ProxyConfig | undefined {
  const spec = proxyUrl ?? env.HTTPS_PROXY ?? env.https_proxy;
  if (!spec || host === 'localhost' || isLocalAddress(host)) return undefined;
  if (bypassesProxy(host, port, env.NO_PROXY ?? env.no_proxy ?? '')) return undefined;
  let url: URL;
  try {
    url = new URL(spec.includes('://') ? spec : `http://${spec}`);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' || !url.hostname) return undefined;
  const config: ProxyConfig = { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 80 };
  if (url.username) config.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return config;
}

function bypassesProxy(host: string, port: number, noProxy: string): boolean {
  const h = host.toLowerCase();
  for (const raw of noProxy.split(/[,\s]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const portMatch = /^(.*?):(\d+)$/.exec(entry);
    if (portMatch && net.isIP(entry) !== 6) {
      if (Number(portMatch[2]) !== port) continue;
      entry = portMatch[1];
    }
    entry = entry.replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    if (h === entry || h.endsWith(`.${entry}`)) return true;
  }
  return false;
}
