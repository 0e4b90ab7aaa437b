import type forgeTypes from 'node-forge';

/** node-forge, loaded on first use: it is large and most files never need it. */
export function loadForge(): typeof forgeTypes {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node-forge') as typeof forgeTypes;
}

type FromDer = (bytes: forgeTypes.util.ByteStringBuffer, options: { strict: boolean; decodeBitStrings: boolean }) => forgeTypes.asn1.Asn1;

/** node-forge's lenient BER/DER reader (its typings omit the options object it accepts). */
export function forgeFromDer(der: Uint8Array): forgeTypes.asn1.Asn1 {
  const forge = loadForge();
  const bytes = forge.util.createBuffer(Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('binary'));
  return (forge.asn1.fromDer as unknown as FromDer)(bytes, { strict: false, decodeBitStrings: false });
}

export function forgeToDer(node: forgeTypes.asn1.Asn1): Uint8Array {
  const forge = loadForge();
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}
