import forge from 'node-forge';

type FromDer = (bytes: forge.util.ByteStringBuffer, options: { strict: boolean; decodeBitStrings: boolean }) => forge.asn1.Asn1;

/** node-forge's lenient BER/DER reader (its typings omit the options object it accepts). */
export function forgeFromDer(der: Uint8Array): forge.asn1.Asn1 {
  const bytes = forge.util.createBuffer(Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('binary'));
  return (forge.asn1.fromDer as unknown as FromDer)(bytes, { strict: false, decodeBitStrings: false });
}

export function forgeToDer(node: forge.asn1.Asn1): Uint8Array {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}
