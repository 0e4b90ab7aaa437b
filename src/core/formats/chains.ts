import type { CertificateRecord, ChainInfo } from '../model';

/** Members of one chain at most (leaf first): real chains have 3 to 5; the cap keeps a crafted file linear. */
export const MAX_CHAIN_LENGTH = 10;

/**
 * Gives each certificate of one file its role and, where certificates of the file issue one another,
 * the chain they form and which member expires first. Linear in the number of certificates.
 */
export function linkChains(certs: CertificateRecord[]): void {
  // The issuer of a certificate is the first other certificate, in file order, with its issuer's
  // name and, when both have key ids, its authority key id. Indexes keep the first two candidates
  // per name (and per name and key id): the first that is not the certificate itself is the answer.
  // Scanning every same-name certificate instead was quadratic in a file of many same-name certificates.
  const position = new Map<CertificateRecord, number>();
  const bySubject = new Map<string, CertificateRecord[]>();
  const bySubjectAndKeyId = new Map<string, CertificateRecord[]>();
  const bySubjectWithoutKeyId = new Map<string, CertificateRecord[]>();
  const keepTwo = (map: Map<string, CertificateRecord[]>, key: string, c: CertificateRecord) => {
    const list = map.get(key);
    if (!list) map.set(key, [c]);
    else if (list.length < 2) list.push(c);
  };
  certs.forEach((c, i) => {
    position.set(c, i);
    keepTwo(bySubject, c.subjectRaw, c);
    if (c.subjectKeyId) keepTwo(bySubjectAndKeyId, `${c.subjectRaw}/${c.subjectKeyId}`, c);
    else keepTwo(bySubjectWithoutKeyId, c.subjectRaw, c);
  });
  const firstOther = (list: CertificateRecord[] | undefined, c: CertificateRecord) => list?.find((p) => p !== c);
  const issuerOf = (c: CertificateRecord): CertificateRecord | undefined => {
    if (c.selfSigned) return undefined;
    if (!c.authorityKeyId) return firstOther(bySubject.get(c.issuerRaw), c);
    const byKeyId = firstOther(bySubjectAndKeyId.get(`${c.issuerRaw}/${c.authorityKeyId}`), c);
    const withoutKeyId = firstOther(bySubjectWithoutKeyId.get(c.issuerRaw), c);
    if (!byKeyId || !withoutKeyId) return byKeyId ?? withoutKeyId;
    return position.get(byKeyId)! < position.get(withoutKeyId)! ? byKeyId : withoutKeyId;
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
    // Capped: many leaves under one very long crafted chain made this quadratic in time and memory.
    for (let p = parent.get(leaf); p && !seen.has(p) && members.length < MAX_CHAIN_LENGTH; p = parent.get(p)) {
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
