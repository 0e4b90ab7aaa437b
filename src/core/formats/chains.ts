import type { CertificateRecord, ChainInfo } from '../model';

/**
 * Gives each certificate of one file its role and, where certificates of the file issue one another,
 * the chain they form and which member expires first. Linear in the number of certificates.
 */
export function linkChains(certs: CertificateRecord[]): void {
  const bySubject = new Map<string, CertificateRecord[]>();
  for (const c of certs) {
    const list = bySubject.get(c.subjectRaw);
    if (list) list.push(c);
    else bySubject.set(c.subjectRaw, [c]);
  }
  const issuerOf = (c: CertificateRecord): CertificateRecord | undefined => {
    if (c.selfSigned) return undefined;
    return bySubject.get(c.issuerRaw)?.find((p) => p !== c && (!c.authorityKeyId || !p.subjectKeyId || c.authorityKeyId === p.subjectKeyId));
  };
  const issuesSomething = new Set<CertificateRecord>();
  const parent = new Map<CertificateRecord, CertificateRecord>();
  for (const c of certs) {
    const p = issuerOf(c);
    if (p) {
      parent.set(c, p);
      issuesSomething.add(p);
    }
  }
  for (const c of certs) {
    c.role = c.selfSigned && (c.isCA || issuesSomething.has(c)) ? 'root' : c.isCA || issuesSomething.has(c) ? 'intermediate' : 'leaf';
  }
  // A chain starts at each certificate that issues nothing in the file and has an issuer in it.
  for (const leaf of certs) {
    if (issuesSomething.has(leaf) || !parent.has(leaf)) continue;
    const members: CertificateRecord[] = [leaf];
    const seen = new Set(members);
    for (let p = parent.get(leaf); p && !seen.has(p); p = parent.get(p)) {
      members.push(p);
      seen.add(p);
    }
    let earliest = leaf;
    for (const m of members) if (m.notAfter < earliest.notAfter) earliest = m;
    const chain: ChainInfo = { members: members.map((m) => m.index), earliestNotAfter: earliest.notAfter, earliestIndex: earliest.index };
    for (const m of members) {
      // A CA shared by several chains keeps the chain that expires first.
      if (!m.chain || chain.earliestNotAfter < m.chain.earliestNotAfter || m === leaf) m.chain = chain;
    }
  }
}
