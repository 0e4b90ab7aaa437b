/**
 * The one place that decides what a file's findings are made of: its parse problems, the rules over
 * its certificates (trust stores and chains judged inside the file, see `evaluate`), cert-manager's
 * managed renewal, the file's own expiries (SAML metadata validUntil) and its CRLs, with ignored
 * fingerprints and ignored paths left out, and the non-production policy after. The editor (the
 * workspace model), the Inventory (the CLI's reports) and the streamed JSON report all call
 * fileFindingParts: a new rule is wired here, once, as a new part (and placed in REPORT_ORDER).
 */
import { applyNonProductionPolicy, type ContextOf, type FileContext, type NonProductionPolicy } from '../context';
import type { CertificateRecord, CertManagerCertificate, CrlRecord, FileExpiry, FileResult, Finding } from '../model';
import { applyManagedRenewal } from '../rules/renewal';
import { evaluate, evaluateCrls, evaluateExpiries, type RuleSettings } from '../rules/rules';

/** What a file's findings are computed from. */
export interface FindingInputs {
  /** The file's parse result (its problems, certificates, CRLs and own expiries). */
  result: FileResult;
  now: number;
  rules: RuleSettings;
  /** cert-manager Certificate manifests of the whole tree (read only when a certificate is managed). */
  manifests: readonly CertManagerCertificate[];
  /**
   * The certificates to judge, in the order their findings are listed; by default the file's own, in
   * its order. Ignored fingerprints are left out either way.
   */
  certificates?: CertificateRecord[];
  /** The file's path is ignored (certlens.ignorePaths): only its parse problems are kept. */
  pathIgnored?: boolean;
}

/** The records a file's findings are about: ignored fingerprints and ignored paths left out. */
export interface VisibleRecords {
  certificates: CertificateRecord[];
  crls: CrlRecord[];
  expiries: FileExpiry[] | undefined;
}

/** A file's certificates, CRLs and own expiries that findings and counts are about. */
export function visibleRecords(
  result: FileResult,
  rules: Pick<RuleSettings, 'ignore'>,
  pathIgnored = false,
  certificates = result.certificates,
): VisibleRecords {
  if (pathIgnored) return { certificates: [], crls: [], expiries: undefined };
  const ignore = rules.ignore;
  return {
    certificates: ignore.size ? certificates.filter((c) => !ignore.has(c.sha256)) : certificates,
    crls: ignore.size ? result.crls.filter((c) => !ignore.has(c.sha256)) : result.crls,
    expiries: result.expiries,
  };
}

/**
 * A file's findings by kind, before the non-production policy. Each kind lists its findings in the
 * order of the records they are about; `starts` say where each record's run begins, so a report can
 * interleave files' findings in its own order (see REPORT_ORDER).
 */
export interface FileFindingParts {
  problems: readonly Finding[];
  /** Each certificate's rule findings, cert-manager's softening applied: certificate i's from certificateStarts[i]. */
  certificates: Finding[];
  certificateStarts: number[];
  /** cert-manager's renewal-overdue warnings, and the certificate (its place in `visible.certificates`) each is about. */
  overdue: Finding[];
  overdueOf: number[];
  /** The file's own expiries (SAML metadata validUntil). */
  expiries: Finding[];
  /** At most one per CRL: CRL i's from crlStarts[i]. */
  crls: Finding[];
  crlStarts: number[];
  /** The records the findings are about. */
  visible: VisibleRecords;
}

/** The kinds of a file's findings, in the order a file lists them (the editor) and a report groups them. */
export const REPORT_ORDER = ['problems', 'certificates', 'overdue', 'expiries', 'crls'] as const;

/** Every finding a file gives, by kind. */
export function fileFindingParts(input: FindingInputs): FileFindingParts {
  const { result, now, rules } = input;
  const visible = visibleRecords(result, rules, input.pathIgnored, input.certificates);
  const certs = visible.certificates;
  const certificateStarts: number[] = [];
  const evaluated = evaluate(certs, now, rules, certificateStarts);
  // cert-manager softens expiry findings one for one, and adds overdue findings after all others.
  const managed = certs.some((c) => c.managedBy);
  const renewed = managed ? applyManagedRenewal(evaluated, certs, input.manifests, now, rules) : evaluated;
  const certificates = renewed.length === evaluated.length ? renewed : renewed.slice(0, evaluated.length);
  const overdue = renewed.length === evaluated.length ? [] : renewed.slice(evaluated.length);
  const overdueOf = overdue.map((f) =>
    certs.findIndex(
      (c) => c.sha256 === f.sha256 && c.range.start.line === f.range.start.line && c.range.start.character === f.range.start.character,
    ),
  );
  const crls: Finding[] = [];
  const crlStarts: number[] = [];
  for (const c of visible.crls) {
    crlStarts.push(crls.length);
    crls.push(...evaluateCrls([c], now, rules));
  }
  const expiries = visible.expiries ? evaluateExpiries({ file: result.file, expiries: visible.expiries }, now, rules) : [];
  return { problems: result.problems, certificates, certificateStarts, overdue, overdueOf, expiries, crls, crlStarts, visible };
}

/** A file's findings in one list, in REPORT_ORDER's order of kinds. */
export function joinParts(parts: FileFindingParts): Finding[] {
  const out: Finding[] = [];
  for (const kind of REPORT_ORDER) for (const f of parts[kind]) out.push(f);
  return out;
}

/** The non-production policy of the editor's certlens.nonProduction setting. */
export function policyOfMode(mode: 'hint' | 'normal' | 'hide'): NonProductionPolicy {
  return mode === 'hide' ? 'exclude' : mode;
}

/**
 * Findings as the non-production policy has them (tests, examples, docs and vendored files keep
 * every fact; their findings are hints or hidden).
 */
export function withContextPolicy(findings: readonly Finding[], contextOf: ContextOf, policy: NonProductionPolicy): Finding[] {
  return applyNonProductionPolicy(findings, contextOf, policy);
}

/** One file's findings as the editor shows them: every part, then the policy for the file's context. */
export function fileFindings(input: FindingInputs & { context: FileContext; policy: NonProductionPolicy }): Finding[] {
  const found = joinParts(fileFindingParts(input));
  return input.context === 'production' || input.policy === 'normal' ? found : withContextPolicy(found, () => input.context, input.policy);
}

/**
 * Many files' findings in one list, as the CLI's reports list them: every file's parse problems,
 * then certificates' findings in `order` (the Inventory's: by expiry, then file and place), then
 * cert-manager's overdue warnings in that order, then the files' own expiries, then CRLs' findings in
 * `crlOrder`. `files` in the order their problems and expiries are listed.
 */
export function workspaceFindings(
  files: readonly FileResult[],
  order: readonly CertificateRecord[],
  crlOrder: readonly CrlRecord[],
  now: number,
  rules: RuleSettings,
  manifests: readonly CertManagerCertificate[],
  /** A file's thresholds when they differ by file (a team config's per-glob overrides); `rules` otherwise. */
  rulesOf?: (file: string) => RuleSettings,
): Finding[] {
  const parts = new Map<string, FileFindingParts>();
  const byFile = new Map<string, CertificateRecord[]>();
  for (const c of order) {
    const list = byFile.get(c.file);
    if (list) list.push(c);
    else byFile.set(c.file, [c]);
  }
  const placeOf = new Map<CertificateRecord, number>();
  for (const r of files) {
    // Each file's certificates in `order`'s order: their findings are the runs `order` lists.
    const certs = (byFile.get(r.file) ?? []).filter((c) => !rules.ignore.has(c.sha256));
    certs.forEach((c, i) => placeOf.set(c, i));
    parts.set(r.file, fileFindingParts({ result: r, now, rules: rulesOf?.(r.file) ?? rules, manifests, certificates: certs }));
  }
  const crlPlace = new Map<CrlRecord, [FileFindingParts, number]>();
  for (const r of files) {
    const p = parts.get(r.file)!;
    p.visible.crls.forEach((c, i) => crlPlace.set(c, [p, i]));
  }
  const out: Finding[] = [];
  for (const r of files) out.push(...parts.get(r.file)!.problems);
  const runOf = (list: readonly Finding[], starts: readonly number[], i: number) => list.slice(starts[i], starts[i + 1] ?? list.length);
  for (const c of order) {
    const p = parts.get(c.file);
    const i = placeOf.get(c);
    if (p && i !== undefined && p.visible.certificates[i] === c) out.push(...runOf(p.certificates, p.certificateStarts, i));
  }
  for (const c of order) {
    const p = parts.get(c.file);
    const i = placeOf.get(c);
    if (!p?.overdue.length || i === undefined) continue;
    p.overdueOf.forEach((of, k) => of === i && out.push(p.overdue[k]));
  }
  for (const r of files) out.push(...parts.get(r.file)!.expiries);
  for (const c of crlOrder) {
    const at = crlPlace.get(c);
    if (at) out.push(...runOf(at[0].crls, at[0].crlStarts, at[1]));
  }
  return out;
}
