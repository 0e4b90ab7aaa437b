import * as fs from 'node:fs';
import {
  ContextClassifier,
  contextByFolder,
  type Evidence,
  type EvidenceOf,
  withCertificateContent,
  type ContextGlobs,
  type ContextOf,
  type FileContext,
  type NonProductionPolicy,
} from '../context';
import {
  type CertificateRecord,
  type CertManagerCertificate,
  type CrlRecord,
  type FileResult,
  type Finding,
  type PrivateKeyRef,
  type Range,
  SEVERITIES,
  type Severity,
  type UnreadableFolder,
} from '../model';
import { ownersByRoot } from '../owners';
import type { RuleSettings } from '../rules/rules';
import { contextByRoots, TeamConfigs } from '../teamConfig/apply';
import type { TeamConfig, Thresholds } from '../teamConfig/load';
import { EXPIRED_CODES } from './findingCodes';
import { fileFindingParts, withContextPolicy } from '../findings/fileFindings';
import { byNextUpdate, keyComesFirst } from '../order';
import type { FailureCounts } from './formats';
import {
  addSummary,
  certificateJson,
  countFinding,
  crlJson,
  emptySummary,
  EXPIRY_CODES,
  findingJson,
  type HostJson,
  hostJson,
  isoTime,
  memoisedOwners,
  type Report,
  REPORT_VERSION,
} from './schema';

/**
 * The CLI's JSON report (schema.ts, one line) written as it is serialised: byte for byte what
 * `JSON.stringify(buildReport(...))` gives over the Inventory's certificates and findings. Each
 * file's certificates and findings are serialised on the thread that parsed the file, as soon as it
 * has (a ReportFragment); what needs the whole tree — the certificates' order, private keys paired
 * across files, cert-manager's manifests, CRLs, hosts, the summary — once every file is in, by
 * writeJsonReport.
 */

/** What a thread needs to make a file's fragment; structured-clonable (it goes to the read worker). */
export interface FragmentSpec {
  now: number;
  rules: RuleSettings;
  contextGlobs: ContextGlobs;
  /** Files under these folders are classified by their path relative to the deepest; others relative to `cwd`. */
  folders: string[];
  cwd: string;
  policy: NonProductionPolicy;
  /** Folders whose CODEOWNERS files give each file's owners (ownersByRoot). */
  ownerRoots: string[];
  /** Hosts are checked too: fragments keep their certificates' hashes (their findings may be about them). */
  hosts?: boolean;
  /**
   * Deployment evidence per file, known once the whole tree was read (the CLI sets it before
   * re-rendering the fragments it changes: withEvidence).
   */
  evidence?: Record<string, Evidence>;
  /**
   * The team configs (.certlens.yaml) of the scan, and the thresholds the command line set (they
   * win): per-file thresholds, their context globs, and their ignores (marked, not counted to fail).
   */
  team?: { configs: TeamConfig[]; explicit: Thresholds };
}

/**
 * JSON texts one after another: as made, or packed as UTF-8 (packTexts) with where each ends.
 * Packed, a fragment holds a few arrays however many certificates its file has: little for the
 * garbage collector to trace, and little to copy from the worker. A text as made is a string, or
 * its pieces (a certificate's members that its contents decide are encoded once, for all its copies).
 */
export type Text = string | (string | Uint8Array)[];
export type Texts = Text[] | PackedTexts;
export interface PackedTexts {
  bytes: Uint8Array;
  ends: number[];
}

/** One file's share of the report. */
export interface ReportFragment {
  file: string;
  context: FileContext;
  contextReason?: string;
  /** The certificates' own word made the context (a production path, development certificates). */
  byContent?: boolean;
  /** Its certificates, in the order the report lists them: when each expires, its place in the file, its key's hash. */
  notAfter: number[];
  index: number[];
  spkiSha256: string[];
  /** Two texts per certificate: its JSON up to `privateKey`, and from `"privateKey":null,` to its end. */
  certificates: Texts;
  /** Each certificate's rule findings, joined as array elements ('' for none). */
  certificateFindings: Texts;
  /** Joined as array elements: its parse problems, its own expiries' findings (SAML metadata). */
  fileFindings: Texts;
  /** cert-manager's `renewal-overdue` findings, one text per certificate, when the file has any (listed after every certificate's findings). */
  overdue?: Texts;
  privateKeys: PrivateKeyRef[];
  crls: CrlRecord[];
  /** Each CRL's findings (listed by writeJsonReport in the tree's order of CRLs). */
  crlFindings: Finding[][];
  certManagerCertificates: CertManagerCertificate[];
  /**
   * A file with certificates cert-manager manages: their findings depend on Certificate manifests
   * anywhere in the tree, so its fragment is made by writeJsonReport from this result.
   */
  deferred?: FileResult;
  /** Its findings after the non-production policy, of them those that `--fail-on expired` counts, and its summary counts. */
  findings: number;
  expiredNotHint: number;
  summary: Report['summary'];
  /** With owners known: its production certificates with an expiry finding and no owner. */
  expiringWithoutOwner: number;
  /** With spec.hosts: each certificate's hash, and the hashes its own expiry findings name. */
  sha256?: string[];
  expiring?: string[];
  /** Its findings a team config ignores, by severity (reported, not counted for --fail-on). */
  ignored?: Record<Severity, number>;
}

/** What the report said, for the exit code. */
export interface ReportTotals {
  summary: Report['summary'];
  /** What --fail-on looks at (failsAt): without the findings a team config ignores. */
  counts: FailureCounts;
  /** How many findings a team config ignores. */
  ignored: number;
}

/** Findings that come from outside the files (checked hosts), and the scan's own figures. */
export interface ReportExtras {
  files: number;
  ms: number;
  hostFindings?: readonly Finding[];
  hosts?: readonly HostJson[];
  unreadableFolders?: readonly UnreadableFolder[];
  /** The team configs' own problems (team-config-invalid), listed first. */
  teamFindings?: readonly Finding[];
}

/** What a spec decides on a thread: made once per thread for the spec in use (the worker gets a copy with each request). */
interface SpecState {
  spec: FragmentSpec;
  key: string;
  contextOf: ContextOf;
  /** Whether a CODEOWNERS file gives owners (buildReport's `ownersOf` option is set). */
  codeOwners: boolean;
  /** Each file's owners (a fresh array, as buildReport gives them), and them as JSON. */
  ownersOf: (file: string) => string[];
  ownersJson: Map<string, string>;
  team?: TeamConfigs;
}
let state: SpecState | undefined;

function stateOf(spec: FragmentSpec): SpecState {
  if (state?.spec === spec) return state;
  const key = JSON.stringify([spec.contextGlobs, spec.folders, spec.cwd, spec.ownerRoots, spec.team]);
  if (state?.key === key) state.spec = spec;
  else {
    const owners = ownersByRoot(spec.ownerRoots, readTextIfExists);
    const team = spec.team?.configs.length ? new TeamConfigs(spec.team.configs) : undefined;
    state = {
      spec,
      key,
      team,
      contextOf: team
        ? contextByRoots(team, spec.contextGlobs, spec.folders, spec.cwd)
        : contextByFolder(new ContextClassifier(spec.contextGlobs), spec.folders, spec.cwd),
      codeOwners: !!owners,
      ownersOf: memoisedOwners(owners),
      ownersJson: new Map(),
    };
  }
  return state;
}

export function contextOfSpec(spec: FragmentSpec): ContextOf {
  return stateOf(spec).contextOf;
}

function ownersJsonOf(s: SpecState, file: string): string {
  let json = s.ownersJson.get(file);
  if (json === undefined) {
    if (s.ownersJson.size > 10_000) s.ownersJson.clear();
    s.ownersJson.set(file, (json = JSON.stringify(s.ownersOf(file))));
  }
  return json;
}

function readTextIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * One-line JSON of records, written member by member: JSON.stringify spent ~6 us on each
 * certificate, most of it on members that depend on the certificate's contents alone (subject …
 * extendedKeyUsage, daysLeft included), which are rendered once per certificate and reused for its
 * copies. The members are those of certificateJson and findingJson, in their order (the tests
 * compare the two byte for byte).
 */
const render = {
  /** Content members by sha256 (as UTF-8), for one `now`. */
  contents: new Map<string, Uint8Array>(),
  now: NaN,
  contentKeys: undefined as string[] | undefined,
  /** The last file name and its JSON: a file's certificates and findings come together. */
  file: '',
  fileJson: '""',

  quotedFile(file: string): string {
    if (file !== this.file) {
      this.file = file;
      this.fileJson = JSON.stringify(file);
    }
    return this.fileJson;
  },

  /** The certificate's JSON up to `privateKey`, and from `"privateKey":null` on. */
  certificate(c: CertificateRecord, now: number, context: FileContext, owners: string, reason?: string): [Text, string] {
    if (now !== this.now || this.contents.size > CONTENT_CACHE_LIMIT) {
      this.contents.clear();
      this.now = now;
    }
    let content = this.contents.get(c.sha256);
    if (content === undefined) {
      const json = certificateJson(c, now, context) as unknown as Record<string, unknown>;
      const keys = (this.contentKeys ??= contentKeysOf(json));
      const members: Record<string, unknown> = {};
      for (const k of keys) members[k] = json[k];
      this.contents.set(c.sha256, (content = Buffer.from(JSON.stringify(members).slice(1, -1))));
    }
    const chain = c.chain;
    const head: Text = [
      `{"file":${this.quotedFile(c.file)},"range":${rangeJson(c.range)},"source":"${c.source}","index":${c.index},`,
      content,
      `,"role":"${c.role}","chainEarliestNotAfter":${chain ? `"${isoTime(chain.earliestNotAfter)}"` : 'null'},"chainEarliestIndex":${chain ? chain.earliestIndex : 'null'},`,
    ];
    let tail = `${NO_PRIVATE_KEY}"context":"${context}",${reasonJson(reason)}"owners":${owners}`;
    if (c.alias !== undefined || c.keystore || c.managedBy || c.saml || c.jwk) {
      // Rare members (keystores, cert-manager, SAML, JWKS): as certificateJson makes them.
      const json = certificateJson(c, now, context) as unknown as Record<string, unknown>;
      const keys = Object.keys(json);
      const rare: Record<string, unknown> = {};
      for (const k of keys.slice(keys.indexOf('owners') + 1)) rare[k] = json[k];
      tail += ',' + JSON.stringify(rare).slice(1, -1);
    }
    return [head, tail + '}'];
  },

  /** A finding without related places (those are rendered by findingJson). */
  finding(f: Finding, context: FileContext, owners: string, reason?: string): string {
    return (
      `{"file":${this.quotedFile(f.file)},"range":${rangeJson(f.range)},"severity":"${f.severity}","code":"${f.code}","message":${JSON.stringify(f.message)},"context":"${context}",${reasonJson(reason)}"owners":${owners}` +
      `${f.sha256 ? `,"sha256":${JSON.stringify(f.sha256)}` : ''}${f.host ? `,"host":${JSON.stringify(f.host)}` : ''}}`
    );
  },
};

const CONTENT_CACHE_LIMIT = 20_000;
/** How a certificate's second text begins: the writer swaps in a paired key. */
const NO_PRIVATE_KEY = '"privateKey":null,';

/** certificateJson's members from subject to extendedKeyUsage: what the certificate's contents decide. */
function contentKeysOf(json: Record<string, unknown>): string[] {
  const keys = Object.keys(json);
  return keys.slice(keys.indexOf('subject'), keys.indexOf('extendedKeyUsage') + 1);
}

/** `"contextReason":"...",` when there is one, as certificateJson and findingJson place it. */
function reasonJson(reason: string | undefined): string {
  return reason ? `"contextReason":${JSON.stringify(reason)},` : '';
}

function rangeJson(r: Range): string {
  return `{"start":{"line":${r.start.line},"character":${r.start.character}},"end":{"line":${r.end.line},"character":${r.end.character}}}`;
}

/** Counts and renders findings after the non-production policy, as joined array elements. */
class FindingRenderer {
  findings = 0;
  expiredNotHint = 0;
  /** Findings a team config ignores, by severity (counted in the summary, as the report lists them, but not to fail). */
  ignored: Record<Severity, number> | undefined;
  readonly summary = emptySummary();
  /** With `expiringIn`: hashes named by the expiry findings (not hints) about that file. */
  readonly expiring = new Set<string>();

  constructor(
    private readonly s: SpecState,
    private readonly contextOf: ContextOf,
    private readonly expiringIn?: string,
  ) {}

  render(list: readonly Finding[]): string {
    if (!list.length) return '';
    const out: string[] = [];
    for (const f of withContextPolicy(list, this.contextOf, this.s.spec.policy)) {
      const context = this.contextOf(f.file);
      const reason = this.contextOf.reason?.(f.file);
      countFinding(this.summary, f, context);
      this.findings++;
      if (this.expiringIn === f.file && f.sha256 && f.severity !== 'hint' && EXPIRY_CODES.includes(f.code)) this.expiring.add(f.sha256);
      const ignored = this.s.team?.ignoreOf(f, this.s.spec.now);
      if (ignored) {
        // Reported (marked) and in the summary, as the whole-report path has it; not counted to fail.
        this.ignored ??= { error: 0, warning: 0, info: 0, hint: 0 };
        this.ignored[f.severity]++;
        out.push(JSON.stringify({ ...findingJson(f, context, this.s.ownersOf(f.file)), ignored }));
        continue;
      }
      if (EXPIRED_CODES.has(f.code) && f.severity !== 'hint') this.expiredNotHint++;
      out.push(
        f.related?.length
          ? JSON.stringify(findingJson(f, context, this.s.ownersOf(f.file), reason))
          : render.finding(f, context, ownersJsonOf(this.s, f.file), reason),
      );
    }
    // One flat string (not a chain of concatenations, which cost a walk of the chain to encode).
    return out.length === 1 ? out[0] : out.join(',');
  }
}

/** Whether a file's findings need cert-manager manifests from anywhere in the tree. */
function hasManaged(result: FileResult): boolean {
  return result.certificates.some((c) => c.managedBy);
}

/**
 * A file's certificates, findings and CRLs as report JSON; undefined when it has nothing for the
 * report. `manifests`: every cert-manager Certificate of the tree; without them a file with
 * managed certificates gives a deferred fragment.
 */
export function reportFragment(
  result: FileResult,
  spec: FragmentSpec,
  manifests?: readonly CertManagerCertificate[],
): ReportFragment | undefined {
  const { certificates: certs, problems, privateKeys, crls } = result;
  const expiries = result.expiries ?? [];
  const certManagerCertificates = result.certManagerCertificates ?? [];
  if (!certs.length && !problems.length && !privateKeys.length && !crls.length && !expiries.length && !certManagerCertificates.length)
    return undefined;
  const s = stateOf(spec);
  // The path's word, or the certificates' own when they are all for development (withCertificateContent).
  const evidence = spec.evidence;
  const contextOf = withCertificateContent(
    s.contextOf,
    (f) => (f === result.file ? result.certificates : undefined),
    evidence && ((f) => evidence[f]),
  );
  const context = contextOf(result.file);
  const reason = contextOf.reason(result.file);
  const fragment: ReportFragment = {
    file: result.file,
    context,
    contextReason: reason,
    byContent: context !== s.contextOf(result.file) && context !== 'production',
    privateKeys,
    crls,
    crlFindings: [],
    certManagerCertificates,
    notAfter: [],
    index: [],
    spkiSha256: [],
    certificates: [],
    certificateFindings: [],
    fileFindings: [],
    findings: 0,
    expiredNotHint: 0,
    summary: emptySummary(),
    expiringWithoutOwner: 0,
  };
  const managed = hasManaged(result);
  if (managed && !manifests) return { ...fragment, deferred: result };
  const owners = ownersJsonOf(s, result.file);
  // Which certificates expiry findings name: for expiringWithoutOwner, here or (hosts) in writeJsonReport.
  const countsWithoutOwner = s.codeOwners && context === 'production' && owners === '[]';
  const findings = new FindingRenderer(s, contextOf, countsWithoutOwner || spec.hosts ? result.file : undefined);
  // In the order the report lists them (a file's certificates all carry its name), so that each
  // one's rule findings are the run the whole tree's evaluation would give it.
  const sorted = certs.length > 1 ? [...certs].sort((a, b) => a.notAfter - b.notAfter || a.index - b.index) : certs;
  // The one findings path, over the certificates in that order; cert-manager's overdue findings come after all others.
  const parts = fileFindingParts({
    result,
    now: spec.now,
    rules: s.team ? s.team.rulesFor(result.file, spec.rules, spec.team?.explicit) : spec.rules,
    manifests: managed && manifests ? manifests : [],
    certificates: sorted,
  });
  const { certificates: ruleFindings, certificateStarts: starts } = parts;
  const overdueOf = new Map<number, Finding>();
  parts.overdue.forEach((f, k) => overdueOf.set(parts.overdueOf[k], f));
  if (crls.length) {
    const crlFindings = new Map(
      parts.visible.crls.map((c, i) => [c, parts.crls.slice(parts.crlStarts[i], parts.crlStarts[i + 1] ?? parts.crls.length)]),
    );
    fragment.crlFindings = crls.map((c) => crlFindings.get(c) ?? []);
  }
  fragment.summary = findings.summary;
  const texts = fragment.certificates as Text[];
  const certificateFindings = fragment.certificateFindings as Text[];
  const overdue: Text[] | undefined = overdueOf.size ? [] : undefined;
  (context === 'production' ? findings.summary.production : findings.summary.nonProduction).certificates += sorted.length;
  for (let i = 0; i < sorted.length; i++) {
    const c = sorted[i];
    fragment.notAfter.push(c.notAfter);
    fragment.index.push(c.index);
    fragment.spkiSha256.push(c.spkiSha256);
    // A file's certificates carry its name, hence its context. Private keys are paired across files by writeJsonReport.
    const [head, tail] = render.certificate(c, spec.now, context, owners, reason);
    texts.push(head, tail);
    const end = starts[i + 1] ?? ruleFindings.length;
    certificateFindings.push(end > starts[i] ? findings.render(ruleFindings.slice(starts[i], end)) : '');
    if (overdue) {
      const late = overdueOf.get(i);
      overdue.push(late ? findings.render([late]) : '');
    }
  }
  if (overdue) fragment.overdue = overdue;
  const fileFindings = fragment.fileFindings as Text[];
  fileFindings.push(findings.render(parts.problems));
  fileFindings.push(findings.render(parts.expiries));
  fragment.findings = findings.findings;
  fragment.expiredNotHint = findings.expiredNotHint;
  if (findings.ignored) fragment.ignored = findings.ignored;
  const expiring = findings.expiring;
  if (countsWithoutOwner && expiring.size) fragment.expiringWithoutOwner = sorted.filter((c) => expiring.has(c.sha256)).length;
  if (spec.hosts) {
    fragment.sha256 = sorted.map((c) => c.sha256);
    fragment.expiring = [...expiring];
  }
  return fragment;
}

/**
 * Writes `text` as UTF-8 at `offset` (the caller made room), returning the bytes written. Buffer's
 * own utf8Write, where Node has it: write() checks its arguments first, which cost more than
 * encoding a certificate's 1 KB of JSON.
 */
const writeUtf8: (buffer: Buffer, text: string, offset: number) => number =
  typeof (Buffer.prototype as { utf8Write?: unknown }).utf8Write === 'function'
    ? (buffer, text, offset) => (buffer as Buffer & { utf8Write(text: string, offset: number): number }).utf8Write(text, offset)
    : (buffer, text, offset) => buffer.write(text, offset);

/**
 * Report text kept as UTF-8 in blocks outside the JavaScript heap: fragments wait there until the
 * whole tree is read (as strings, the garbage collector copied them again and again), and a worker
 * hands them over without a copy.
 */
export class TextBlocks {
  private block = Buffer.allocUnsafeSlow(0);
  private used = 0;

  constructor(private readonly blockSize = 1 << 20) {}

  /** Room for `most` bytes, at the returned offset of the returned block. */
  room(most: number): [Buffer, number] {
    if (this.used + most > this.block.length) {
      this.block = Buffer.allocUnsafeSlow(Math.max(this.blockSize, most));
      this.used = 0;
    }
    return [this.block, this.used];
  }

  taken(bytes: number): void {
    this.used += bytes;
  }
}

const COMMA = 0x2c;
const TEXT_LISTS = ['certificates', 'certificateFindings', 'fileFindings', 'overdue'] as const;

/**
 * Packs the fragments' texts as UTF-8: into `blocks` (this thread keeps them), or into one new
 * buffer, returned to be transferred with the fragments to another thread.
 */
export function packTexts(fragments: readonly ReportFragment[], blocks?: TextBlocks): ArrayBuffer | undefined {
  const lists: [ReportFragment, (typeof TEXT_LISTS)[number], Text[]][] = [];
  let most = 0;
  let size = 0;
  const measure = (piece: string | Uint8Array) => {
    if (typeof piece !== 'string') {
      most += piece.length;
      size += piece.length;
    } else {
      most += piece.length * 3;
      if (!blocks) size += Buffer.byteLength(piece);
    }
  };
  for (const f of fragments) {
    for (const key of TEXT_LISTS) {
      const list = f[key];
      if (!Array.isArray(list)) continue;
      lists.push([f, key, list]);
      for (const text of list) {
        if (typeof text === 'string') measure(text);
        else text.forEach(measure);
      }
    }
  }
  const [buffer, start] = blocks ? blocks.room(most) : [Buffer.allocUnsafeSlow(size), 0];
  let at = start;
  const put = (piece: string | Uint8Array) => {
    if (typeof piece === 'string') at += writeUtf8(buffer, piece, at);
    else {
      buffer.set(piece, at);
      at += piece.length;
    }
  };
  for (const [f, key, list] of lists) {
    const from = at;
    const ends: number[] = [];
    for (const text of list) {
      if (typeof text === 'string') put(text);
      else text.forEach(put);
      ends.push(at - from);
    }
    // A plain view (Buffer's own subarray() is slower to call, and texts are cut from it often).
    f[key] = { bytes: new Uint8Array(buffer.buffer, buffer.byteOffset + from, at - from), ends };
  }
  blocks?.taken(at - start);
  return blocks ? undefined : (buffer.buffer as ArrayBuffer);
}

/** Text `i` of a list, as one piece. */
function textAt(texts: Texts, i: number): string | Uint8Array {
  if (!Array.isArray(texts)) return texts.bytes.subarray(i ? texts.ends[i - 1] : 0, texts.ends[i]);
  const text = texts[i];
  return typeof text === 'string' ? text : Buffer.concat(text.map((piece) => (typeof piece === 'string' ? Buffer.from(piece) : piece)));
}

/** Texts `i` to `last` of a list, as one piece (packed texts lie one after another). */
function textsAt(texts: Texts, i: number, last: number): string | Uint8Array {
  if (!Array.isArray(texts)) return texts.bytes.subarray(i ? texts.ends[i - 1] : 0, texts.ends[last]);
  let joined = '';
  for (let k = i; k <= last; k++) {
    const text = textAt(texts, k);
    joined += typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  }
  return joined;
}

/** UTF-8 gathered into chunks for the sink; `ready` holds chunks waiting to be written. */
class ByteOutput {
  private chunk: Buffer;
  private used = 0;
  readonly ready: Uint8Array[] = [];

  constructor(private readonly size: number) {
    this.chunk = Buffer.allocUnsafe(size);
  }

  /** One ASCII character. */
  putByte(byte: number): void {
    if (this.used === this.chunk.length) this.end();
    this.chunk[this.used++] = byte;
  }

  put(text: string | Uint8Array): void {
    const most = typeof text === 'string' ? text.length * 3 : text.length;
    if (this.used + most > this.chunk.length) this.end();
    if (most > this.chunk.length) this.ready.push(typeof text === 'string' ? Buffer.from(text) : text);
    else if (typeof text === 'string') this.used += writeUtf8(this.chunk, text, this.used);
    else {
      this.chunk.set(text, this.used);
      this.used += text.length;
    }
  }

  /** Ends the chunk being filled (the sink may keep it: a new one is begun). */
  end(): void {
    if (!this.used) return;
    this.ready.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(this.size);
    this.used = 0;
  }
}

/**
 * The fragments' certificates in the Inventory's order: by expiry, ties by file in code-unit order,
 * then by position in the file. Sorted as numbers (a comparator function called ~200,000 times for
 * 14,000 certificates took 30 ms): each certificate's key is the rank of its expiry among all,
 * times the slots of all files, plus its slot (its file's first slot, by file order, plus its index).
 */
function expiryOrder(files: readonly ReportFragment[]): { total: number; fileOf: Uint32Array; placeOf: Uint32Array; order: Uint32Array } {
  // The default sort compares strings by code units (the files are distinct).
  const fileIndex = new Map(files.map((f, i) => [f.file, i]));
  const firstSlot = new Float64Array(files.length);
  let slots = 0;
  for (const name of files.map((f) => f.file).sort()) {
    const fi = fileIndex.get(name)!;
    firstSlot[fi] = slots;
    slots += files[fi].index.reduce((most, index) => Math.max(most, index + 1), 0);
  }
  const total = files.reduce((n, f) => n + f.notAfter.length, 0);
  const fileOf = new Uint32Array(total);
  const placeOf = new Uint32Array(total);
  const expiries = new Float64Array(total);
  let n = 0;
  files.forEach((f, fi) => {
    for (let i = 0; i < f.notAfter.length; i++, n++) {
      fileOf[n] = fi;
      placeOf[n] = i;
      expiries[n] = f.notAfter[i];
    }
  });
  const distinct = [...new Set(expiries.slice().sort())];
  const expiryRank = new Map(distinct.map((t, i) => [t, i]));
  // Keys stay below distinct expiries × slots, at most about the square of the certificates: exact
  // as doubles up to some 90 million certificates, far beyond what a report holds in memory.
  const keys = new Float64Array(total);
  const bySlot = new Uint32Array(slots);
  for (let k = 0; k < total; k++) {
    const slot = firstSlot[fileOf[k]] + files[fileOf[k]].index[placeOf[k]];
    bySlot[slot] = k;
    keys[k] = expiryRank.get(expiries[k])! * slots + slot;
  }
  keys.sort();
  const order = new Uint32Array(total);
  for (let k = 0; k < total; k++) order[k] = bySlot[keys[k] % slots];
  return { total, fileOf, placeOf, order };
}

/**
 * The fragments as deployment evidence has them, known once the whole tree was read: a file outside
 * production that production configuration deploys (its path), or a production-path file of
 * development certificates that it names, is made again from `reread` (its file's result, read
 * anew) with the evidence in `spec`. Rare: the others are kept as they are.
 */
export async function withEvidence(
  fragments: readonly ReportFragment[],
  spec: FragmentSpec,
  evidenceOf: EvidenceOf,
  reread: (files: string[]) => Promise<ReadonlyMap<string, FileResult>>,
): Promise<ReportFragment[]> {
  const changing = new Map<string, Evidence>();
  for (const f of fragments) {
    if (f.context === 'production' || f.context === 'vendored') continue;
    const e = evidenceOf(f.file);
    if (e && (e.strength === 'path' || f.byContent)) changing.set(f.file, e);
  }
  if (!changing.size) return [...fragments];
  spec.evidence = Object.fromEntries(changing);
  const results = await reread([...changing.keys()]);
  return fragments.map((f) => {
    const r = changing.has(f.file) ? results.get(f.file) : undefined;
    return (r && reportFragment(r, spec)) ?? f;
  });
}

/**
 * Writes the report of the given fragments (in walk order; a file seen twice counts once) through
 * `write`, as UTF-8 in chunks of about `chunkSize` bytes, awaiting it when it returns a promise.
 */
export async function writeJsonReport(
  fragments: readonly ReportFragment[],
  extras: ReportExtras,
  spec: FragmentSpec,
  write: (chunk: Uint8Array) => void | Promise<void>,
  chunkSize = 1 << 20,
): Promise<ReportTotals> {
  const s = stateOf(spec);
  const seen = new Set<string>();
  let files = fragments.filter((f) => !seen.has(f.file) && seen.add(f.file));
  // Files with managed certificates, now that every manifest is known (in file order, as the Inventory lists them).
  if (files.some((f) => f.deferred)) {
    const manifests = files.flatMap((f) => f.certManagerCertificates);
    files = files.map((f) => (f.deferred ? reportFragment(f.deferred, spec, manifests)! : f));
  }
  // A key held in several files pairs with the first by path and position (as the Inventory pairs them).
  const keys = new Map<string, PrivateKeyRef>();
  for (const f of files) for (const k of f.privateKeys) if (keyComesFirst(k, keys.get(k.spkiSha256))) keys.set(k.spkiSha256, k);
  const { total, fileOf, placeOf, order } = expiryOrder(files);

  // Findings placed after the files' (CRLs', hosts'): each file's context as its fragment has it.
  const byFile = new Map(files.map((f) => [f.file, f]));
  const fragmentContext = (file: string) => byFile.get(file)?.context ?? s.contextOf(file);
  fragmentContext.reason = (file: string) => (byFile.has(file) ? byFile.get(file)!.contextReason : s.contextOf.reason?.(file));
  const late = new FindingRenderer(s, fragmentContext);
  const summary = emptySummary();
  let findingCount = 0;
  let expiredNotHint = 0;
  let withoutOwner = 0;
  const ignored = { error: 0, warning: 0, info: 0, hint: 0 };
  const addIgnored = (counts: Record<Severity, number> | undefined) => {
    if (counts) for (const severity of SEVERITIES) ignored[severity] += counts[severity];
  };
  // The team configs' own problems come first, as the whole-report path lists them.
  const teamFindings = late.render(extras.teamFindings ?? []);
  for (const f of files) {
    addSummary(summary, f.summary);
    findingCount += f.findings;
    expiredNotHint += f.expiredNotHint;
    withoutOwner += f.expiringWithoutOwner;
    addIgnored(f.ignored);
  }
  const crlsWithFindings = files
    .flatMap((f) => f.crls.map((c, i) => [c, f.crlFindings[i] ?? []] as const))
    .sort((a, b) => byNextUpdate(a[0], b[0]));
  const crls = crlsWithFindings.map(([c]) => c);
  const crlFindings = late.render(crlsWithFindings.flatMap(([, found]) => found));
  const hostFindings = late.render(extras.hostFindings ?? []);
  addSummary(summary, late.summary);
  findingCount += late.findings;
  expiredNotHint += late.expiredNotHint;
  addIgnored(late.ignored);
  if (s.codeOwners && extras.hostFindings?.length) withoutOwner += expiringFromHosts(files, extras.hostFindings, s);

  const out = new ByteOutput(chunkSize);
  const written = async () => {
    for (let chunk = out.ready.shift(); chunk; chunk = out.ready.shift()) await write(chunk);
  };
  /** A report array of records already rendered: open, elements, close. */
  let first = true;
  const element = (text: string | Uint8Array) => {
    if (!text.length) return;
    if (!first) out.putByte(COMMA);
    out.put(text);
    first = false;
  };
  const endArray = () => {
    out.put(']');
    first = true;
  };

  out.put(`{"version":${REPORT_VERSION},"now":"${isoTime(spec.now)}","certificates":[`);
  for (const k of order) {
    const f = files[fileOf[k]];
    const place = placeOf[k];
    const key = keys.get(f.spkiSha256[place]);
    if (!key) element(textsAt(f.certificates, 2 * place, 2 * place + 1));
    else {
      element(textAt(f.certificates, 2 * place));
      out.put(`"privateKey":${JSON.stringify({ file: key.file, range: key.range })},`);
      out.put(textAt(f.certificates, 2 * place + 1).slice(NO_PRIVATE_KEY.length));
    }
    if (out.ready.length) await written();
  }
  endArray();
  out.put(',"crls":[');
  for (const c of crls) element(JSON.stringify(crlJson(c, spec.now, s.contextOf(c.file), s.contextOf.reason?.(c.file))));
  endArray();
  out.put(',"findings":[');
  element(teamFindings);
  for (const f of files) {
    element(textAt(f.fileFindings, 0));
    if (out.ready.length) await written();
  }
  for (const k of order) {
    element(textAt(files[fileOf[k]].certificateFindings, placeOf[k]));
    if (out.ready.length) await written();
  }
  if (files.some((f) => f.overdue))
    for (const k of order) {
      const overdue = files[fileOf[k]].overdue;
      if (overdue) element(textAt(overdue, placeOf[k]));
    }
  for (const f of files) {
    element(textAt(f.fileFindings, 1));
    if (out.ready.length) await written();
  }
  element(crlFindings);
  element(hostFindings);
  endArray();
  const stats = { files: extras.files, certificates: total, findings: findingCount, ms: extras.ms };
  const fullSummary: Report['summary'] = s.codeOwners ? { ...summary, expiringWithoutOwner: withoutOwner } : summary;
  out.put(
    `,"stats":${JSON.stringify(stats)},"summary":${JSON.stringify(fullSummary)},"unreadableFolders":${JSON.stringify(extras.unreadableFolders ?? [])}`,
  );
  if (extras.hosts) out.put(`,"hosts":${JSON.stringify(extras.hosts.map((h) => hostJson(h, fragmentContext, s.ownersOf)))}`);
  out.put('}');
  out.end();
  await written();
  const bySeverity = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const severity of SEVERITIES)
    bySeverity[severity] = summary.production[severity] + summary.nonProduction[severity] - ignored[severity];
  return {
    summary: fullSummary,
    counts: { bySeverity, expiredNotHint },
    ignored: SEVERITIES.reduce((n, severity) => n + ignored[severity], 0),
  };
}

/**
 * More production certificates nobody owns with an expiry finding: those whose expiry a host's
 * finding names, in the file that references the host (a served certificate also kept there).
 */
function expiringFromHosts(files: readonly ReportFragment[], hostFindings: readonly Finding[], s: SpecState): number {
  const byFile = new Map(files.map((f) => [f.file, f]));
  const named = new Map<string, Set<string>>();
  for (const h of withContextPolicy(hostFindings, s.contextOf, s.spec.policy)) {
    const f = byFile.get(h.file);
    if (
      !h.sha256 ||
      h.severity === 'hint' ||
      !EXPIRY_CODES.includes(h.code) ||
      !f?.sha256 ||
      f.context !== 'production' ||
      ownersJsonOf(s, f.file) !== '[]'
    )
      continue;
    let set = named.get(f.file);
    if (!set) named.set(f.file, (set = new Set(f.expiring)));
    set.add(h.sha256);
  }
  let more = 0;
  for (const [file, set] of named) {
    const f = byFile.get(file)!;
    more += f.sha256!.filter((sha) => set.has(sha)).length - f.expiringWithoutOwner;
  }
  return more;
}
