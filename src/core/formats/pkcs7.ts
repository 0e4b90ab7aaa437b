import type forgeTypes from 'node-forge';
import { forgeFromDer, forgeToDer, loadForge } from './forge-asn1';

/**
 * The certificates inside a PKCS#7 / CMS SignedData, as DER. node-forge reads the (often BER) container;
 * its X.509 decoder is bypassed because it rejects every non-RSA key.
 */
export function certificatesFromPkcs7(der: Uint8Array): Uint8Array[] {
  const forge = loadForge();
  const asn1 = forgeFromDer(der);
  const top = asn1.value as forgeTypes.asn1.Asn1[];
  const oid = top[0] && forge.asn1.derToOid(top[0].value as string);
  if (oid !== '1.2.840.113549.1.7.2') throw new Error(`not a PKCS#7 SignedData (content type ${oid ?? 'missing'})`);
  const explicit = top[1]?.value as forgeTypes.asn1.Asn1[] | undefined;
  const signedData = explicit?.[0]?.value as forgeTypes.asn1.Asn1[] | undefined;
  if (!signedData) throw new Error('PKCS#7 SignedData is empty');
  // certificates [0]: a context-specific tag number, which forge types as one of its universal Type names.
  const certSet = signedData.find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && (n.type as number) === 0);
  if (!certSet) return [];
  return (certSet.value as forgeTypes.asn1.Asn1[])
    .filter((n) => n.tagClass === forge.asn1.Class.UNIVERSAL && n.type === forge.asn1.Type.SEQUENCE)
    .map(forgeToDer);
}
