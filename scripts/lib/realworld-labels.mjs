// The labelled measure of `scripts/realworld.mjs --labels DIR` (issue 23, "Measured the honest way"):
// a CertLens JSON report of one repository, scanned as it is, held against that repository's labels
// (realworld/sets/<set>/<name>.json, format in realworld/sets/README.md). Pure functions: no scan,
// no file system, so the unit tests can feed them reports and labels of their own.
//
// Nothing unlabelled is counted as good: a loud finding, a production host or a production
// information finding that no label judges is listed for a person to judge, and a production host
// nobody labelled is not in the precision's numerator.
import path from 'node:path';

export const LABEL_KINDS = ['ansible', 'terraform', 'helm', 'sso', 'idp', 'broker', 'vpn', 'operator', 'other'];

const isLoud = (f) => f.severity === 'error' || f.severity === 'warning';

/** `host:port`, IPv6 literals in brackets (as the plants mode writes them). */
export function hostKey(host, port) {
  return `${String(host).includes(':') ? `[${host}]` : host}:${port}`;
}

/** A report field's context as a word (a string, or an object with kind/class/category). */
export function contextOf(x) {
  const c = x?.context;
  if (c === undefined || c === null) return undefined;
  if (typeof c === 'string') return c;
  if (typeof c === 'object') return c.kind ?? c.class ?? c.category ?? c.type;
  return String(c);
}

const isProduction = (x) => contextOf(x) === 'production';

/** Checks one labels file's shape; returns a list of problems (empty when it is usable). */
export function validateLabels(labels) {
  const problems = [];
  const need = (cond, what) => {
    if (!cond) problems.push(what);
  };
  need(labels && typeof labels === 'object', 'not an object');
  if (!labels || typeof labels !== 'object') return problems;
  need(typeof labels.name === 'string' && /^[\w.-]+$/.test(labels.name), 'name: a directory basename');
  need(typeof labels.repository === 'string' && labels.repository.includes('/'), 'repository: owner/name');
  need(typeof labels.commit === 'string' && /^[0-9a-f]{40}$/.test(labels.commit), 'commit: 40 hex digits');
  need(LABEL_KINDS.includes(labels.kind), `kind: one of ${LABEL_KINDS.join(', ')}`);
  for (const field of ['certificates', 'hosts', 'endpoints', 'findings']) need(Array.isArray(labels[field]), `${field}: an array`);
  const each = (field, check) => {
    (Array.isArray(labels[field]) ? labels[field] : []).forEach((x, i) => {
      const bad = check(x ?? {});
      if (bad) problems.push(`${field}[${i}]: ${bad}`);
    });
  };
  const why = (x) => (typeof x.why === 'string' && x.why.trim() ? undefined : 'why missing');
  each('certificates', (c) =>
    typeof c.path !== 'string' ? 'path missing' : typeof c.production !== 'boolean' ? 'production: true|false' : why(c),
  );
  each('hosts', (h) =>
    typeof h.host !== 'string' || !Number.isInteger(h.port)
      ? 'host and port'
      : typeof h.endpoint !== 'boolean'
        ? 'endpoint: true|false'
        : why(h),
  );
  each('endpoints', (e) => (typeof e.host !== 'string' || !Number.isInteger(e.port) ? 'host and port' : why(e)));
  each('findings', (f) =>
    typeof f.path !== 'string' || !Number.isInteger(f.line) || f.line < 1
      ? 'path and 1-based line'
      : typeof f.code !== 'string'
        ? 'code missing'
        : typeof f.act !== 'boolean'
          ? 'act: true|false'
          : why(f),
  );
  // A host judged a real endpoint must be among the endpoints (the recall's denominator).
  const endpoints = new Set((labels.endpoints ?? []).map((e) => hostKey(e.host, e.port)));
  for (const h of labels.hosts ?? []) {
    if (h?.endpoint === true && !endpoints.has(hostKey(h.host, h.port)))
      problems.push(`hosts: ${hostKey(h.host, h.port)} is endpoint=true but not in endpoints`);
  }
  return problems;
}

/**
 * Measures one repository's report against its labels. `root` is the scanned directory: report
 * paths (absolute) are made relative to it. Returns plain data (see the README's measures table).
 */
export function evaluateLabelled(report, labels, root) {
  const rel = (file) => {
    if (typeof file !== 'string') return '';
    const r = path.isAbsolute(file) ? path.relative(root, file) : file;
    return r.split(path.sep).join('/');
  };
  const findings = report.findings ?? [];
  const hosts = report.hosts ?? [];
  const certificates = report.certificates ?? [];

  // ----- the labels, indexed -----
  const certLabels = labels.certificates ?? [];
  const certVerdict = (file, sha256) => {
    const inFile = certLabels.filter((c) => c.path === file);
    const exact = inFile.find((c) => c.sha256 && sha256 && c.sha256 === sha256);
    if (exact) return exact.production;
    const plain = inFile.filter((c) => !c.sha256);
    if (plain.length) return plain[0].production;
    // Only per-certificate labels in this file, none for this certificate: no verdict.
    return undefined;
  };
  const hostLabels = new Map((labels.hosts ?? []).map((h) => [hostKey(h.host, h.port), h]));
  const endpointKeys = new Set((labels.endpoints ?? []).map((e) => hostKey(e.host, e.port)));
  const hostVerdict = (key) => (endpointKeys.has(key) ? true : hostLabels.get(key)?.endpoint);

  // Finding labels are matched once each: same path, code and host; the same line first, then
  // (when the line moved or another finding took it) any one of that path, code and host; a label
  // with sha256 only matches that certificate.
  const findingLabels = (labels.findings ?? []).map((l, index) => ({ ...l, index, host: l.host ?? null }));
  const used = new Set();
  const fKey = (path_, code, host) => `${path_}\u0000${code}\u0000${host ?? ''}`;
  const byKey = new Map();
  for (const l of findingLabels) {
    const k = fKey(l.path, l.code, l.host);
    if (!byKey.has(k)) byKey.set(k, []);
    byKey.get(k).push(l);
  }
  const shaFits = (l, f) => !l.sha256 || l.sha256 === f.sha256;
  const matchLabel = (f) => {
    const candidates = (byKey.get(fKey(rel(f.file), f.code, f.host ?? null)) ?? []).filter((l) => !used.has(l.index) && shaFits(l, f));
    const line = (f.range?.start?.line ?? -1) + 1;
    const hit = candidates.find((l) => l.line === line) ?? candidates[0];
    if (hit) used.add(hit.index);
    return hit;
  };
  // Exact-line matches first over all findings, so a moved one cannot take another's label.
  const matched = new Map();
  const ordered = [...findings].sort((a, b) => {
    const exact = (f) => {
      const line = (f.range?.start?.line ?? -1) + 1;
      return (byKey.get(fKey(rel(f.file), f.code, f.host ?? null)) ?? []).some((l) => l.line === line && shaFits(l, f)) ? 0 : 1;
    };
    return exact(a) - exact(b);
  });
  for (const f of ordered) matched.set(f, matchLabel(f));

  const describe = (f) => ({
    path: rel(f.file),
    line: (f.range?.start?.line ?? -1) + 1,
    code: f.code,
    severity: f.severity,
    host: f.host ?? null,
    context: contextOf(f) ?? null,
    // Messages of builds before issue 23 name the scanning machine's absolute paths.
    message: typeof f.message === 'string' ? f.message.split(`${root}${path.sep}`).join('') : f.message,
  });

  /**
   * Whether anyone must act on a finding: its label's `act`; else, for a finding about a host, the
   * host's label (endpoint=false: no); else the certificate's (production=false: no). `undefined`
   * when nothing judges it.
   */
  const judge = (f) => {
    const label = matched.get(f);
    if (label) return { act: label.act, by: 'finding', why: label.why };
    if (f.host !== undefined && f.host !== null) {
      const key = hostFindingKey(f, hosts);
      const v = key ? hostVerdict(key) : undefined;
      if (v === false) return { act: false, by: 'host', why: hostLabels.get(key)?.why };
      return undefined;
    }
    const v = certVerdict(rel(f.file), f.sha256);
    if (v === false) return { act: false, by: 'certificate', why: certLabels.find((c) => c.path === rel(f.file))?.why };
    return undefined;
  };

  // ----- loud findings nobody must act on -----
  const loud = findings.filter(isLoud);
  const loudNoAct = [];
  const loudAct = [];
  const loudUnlabelled = [];
  for (const f of loud) {
    const j = judge(f);
    if (!j) loudUnlabelled.push(describe(f));
    else if (j.act) loudAct.push(describe(f));
    else loudNoAct.push({ ...describe(f), judgedBy: j.by });
  }

  // ----- real alarms kept -----
  // An alarm is a finding labelled act=true that was an error or warning when labelled (an act=true
  // information finding, e.g. a real endpoint unreachable offline, was never loud: nothing to keep).
  const actLabels = findingLabels.filter(
    (l) => l.act === true && (l.severity === undefined || l.severity === 'error' || l.severity === 'warning'),
  );
  const lost = [];
  let kept = 0;
  for (const l of actLabels) {
    const f = [...matched.entries()].find(([, label]) => label && label.index === l.index)?.[0];
    if (f && isLoud(f)) kept++;
    else
      lost.push({
        path: l.path,
        line: l.line,
        code: l.code,
        host: l.host,
        was: l.severity ?? null,
        now: f ? f.severity : 'gone',
        why: l.why,
      });
  }

  // ----- production hosts: precision -----
  const productionHosts = hosts.filter(isProduction).map((h) => ({ key: hostKey(h.host, h.port), h }));
  const seen = new Set();
  const prodHosts = [];
  for (const { key, h } of productionHosts) {
    if (seen.has(key)) continue;
    seen.add(key);
    prodHosts.push({
      key,
      verdict: hostVerdict(key),
      refs: (h.references ?? []).map((r) => `${rel(r.file)}:${(r.range?.start?.line ?? -1) + 1}`),
    });
  }
  const prodTrue = prodHosts.filter((h) => h.verdict === true);
  const prodFalse = prodHosts.filter((h) => h.verdict === false);
  const prodUnlabelled = prodHosts.filter((h) => h.verdict === undefined);

  // ----- production endpoints: recall -----
  const reported = new Set(hosts.map((h) => hostKey(h.host, h.port)));
  const reportedProduction = new Set(productionHosts.map((h) => h.key));
  const endpoints = [...endpointKeys];
  const endpointsFound = endpoints.filter((k) => reported.has(k));
  const endpointsMissed = (labels.endpoints ?? [])
    .filter((e) => !reported.has(hostKey(e.host, e.port)))
    .map((e) => ({ endpoint: hostKey(e.host, e.port), path: e.path ?? null, line: e.line ?? null, why: e.why }));

  // ----- production information findings -----
  const prodInfo = findings.filter((f) => f.severity === 'info' && isProduction(f));
  const prodInfoNoAct = [];
  const prodInfoAct = [];
  const prodInfoUnlabelled = [];
  for (const f of prodInfo) {
    const j = judge(f);
    if (!j) prodInfoUnlabelled.push(describe(f));
    else if (j.act) prodInfoAct.push(describe(f));
    else prodInfoNoAct.push({ ...describe(f), judgedBy: j.by });
  }

  // ----- certificates still found -----
  const reportedCerts = certificates.map((c) => ({ path: rel(c.file), sha256: c.sha256 }));
  const certMissing = certLabels
    .filter((c) => !reportedCerts.some((r) => r.path === c.path && (!c.sha256 || r.sha256 === c.sha256)))
    .map((c) => (c.sha256 ? `${c.path} (${c.sha256.slice(0, 12)}…)` : c.path));
  const labelledCertFiles = new Set(certLabels.map((c) => c.path));
  const certUnlabelled = [...new Set(reportedCerts.map((r) => r.path))].filter((p) => !labelledCertFiles.has(p));

  return {
    name: labels.name,
    repository: labels.repository,
    commit: labels.commit,
    kind: labels.kind,
    files: report.stats?.files ?? null,
    findings: {
      error: findings.filter((f) => f.severity === 'error').length,
      warning: findings.filter((f) => f.severity === 'warning').length,
      info: findings.filter((f) => f.severity === 'info').length,
      hint: findings.filter((f) => f.severity === 'hint').length,
    },
    loud: { total: loud.length, noAct: loudNoAct.length, act: loudAct.length, unlabelled: loudUnlabelled.length },
    alarms: { labelled: actLabels.length, kept, lost },
    productionHosts: {
      total: prodHosts.length,
      endpoints: prodTrue.length,
      notEndpoints: prodFalse.length,
      unlabelled: prodUnlabelled.length,
      precision: prodHosts.length ? prodTrue.length / prodHosts.length : null,
    },
    endpoints: {
      labelled: endpoints.length,
      found: endpointsFound.length,
      foundInProduction: endpoints.filter((k) => reportedProduction.has(k)).length,
      recall: endpoints.length ? endpointsFound.length / endpoints.length : null,
      missed: endpointsMissed,
    },
    productionInfo: { total: prodInfo.length, noAct: prodInfoNoAct.length, act: prodInfoAct.length, unlabelled: prodInfoUnlabelled.length },
    certificates: {
      reported: certificates.length,
      labelledFiles: labelledCertFiles.size,
      labelled: certLabels.length,
      found: certLabels.length - certMissing.length,
      missing: certMissing,
      unlabelledFiles: certUnlabelled,
    },
    lists: {
      loudNoAct,
      loudUnlabelled,
      productionHostsNotEndpoints: prodFalse.map((h) => ({ host: h.key, refs: h.refs.slice(0, 3) })),
      productionHostsUnlabelled: prodUnlabelled.map((h) => ({ host: h.key, refs: h.refs.slice(0, 3) })),
      productionInfoNoAct: prodInfoNoAct,
      productionInfoUnlabelled: prodInfoUnlabelled,
    },
  };
}

/**
 * The `host:port` a host finding is about: reports write it whole in `host` ("1.2.3.4:443"); a bare
 * name takes its `port`, or the one port the report's hosts give that name.
 */
export function hostFindingKey(f, hosts = []) {
  const h = String(f.host);
  if (/^\[.*\]:\d+$|^[^:]+:\d+$/.test(h)) return h;
  if (Number.isInteger(f.port)) return hostKey(h, f.port);
  const ports = [...new Set(hosts.filter((x) => x.host === h).map((x) => x.port))];
  return ports.length === 1 ? hostKey(h, ports[0]) : undefined;
}

/** Totals over the repositories' results, with the issue's goals checked. */
export function labelledTotals(results) {
  const sum = (f) => results.reduce((n, r) => n + (f(r) ?? 0), 0);
  const repos = results.length;
  const prod = sum((r) => r.productionHosts.total);
  const prodTrue = sum((r) => r.productionHosts.endpoints);
  const endpoints = sum((r) => r.endpoints.labelled);
  const found = sum((r) => r.endpoints.found);
  const loudNoAct = sum((r) => r.loud.noAct);
  const infoNoAct = sum((r) => r.productionInfo.noAct);
  const alarms = sum((r) => r.alarms.labelled);
  const kept = sum((r) => r.alarms.kept);
  const certsLabelled = sum((r) => r.certificates.labelled);
  const certsFound = sum((r) => r.certificates.found);
  const precision = prod ? prodTrue / prod : null;
  const recall = endpoints ? found / endpoints : null;
  return {
    repos,
    files: sum((r) => r.files),
    findings: {
      error: sum((r) => r.findings.error),
      warning: sum((r) => r.findings.warning),
      info: sum((r) => r.findings.info),
      hint: sum((r) => r.findings.hint),
    },
    loud: {
      total: sum((r) => r.loud.total),
      noAct: loudNoAct,
      act: sum((r) => r.loud.act),
      unlabelled: sum((r) => r.loud.unlabelled),
      noActPer10Repos: repos ? (loudNoAct * 10) / repos : null,
    },
    alarms: { labelled: alarms, kept },
    productionHosts: {
      total: prod,
      endpoints: prodTrue,
      notEndpoints: sum((r) => r.productionHosts.notEndpoints),
      unlabelled: sum((r) => r.productionHosts.unlabelled),
      precision,
    },
    endpoints: { labelled: endpoints, found, foundInProduction: sum((r) => r.endpoints.foundInProduction), recall },
    productionInfo: {
      total: sum((r) => r.productionInfo.total),
      noAct: infoNoAct,
      act: sum((r) => r.productionInfo.act),
      unlabelled: sum((r) => r.productionInfo.unlabelled),
      noActPerRepo: repos ? infoNoAct / repos : null,
    },
    certificates: { labelled: certsLabelled, found: certsFound },
    seconds: Math.round(sum((r) => r.seconds) * 10) / 10,
    goals: {
      loudNoActPer10Repos: { goal: '<= 1', met: repos ? (loudNoAct * 10) / repos <= 1 : null },
      productionHostPrecision: { goal: '>= 90%', met: precision === null ? null : precision >= 0.9 },
      productionEndpointRecall: { goal: '>= 85%', met: recall === null ? null : recall >= 0.85 },
      productionInfoNoActPerRepo: { goal: '<= 1', met: repos ? infoNoAct / repos <= 1 : null },
      everyAlarmKept: { goal: 'all', met: kept === alarms },
      everyCertificateFound: { goal: 'all', met: certsFound === certsLabelled },
    },
  };
}
