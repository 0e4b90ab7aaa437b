// node:tls for the web bundle: host checks are off on the web (hidden by `when` clauses); nothing here connects.
function noSockets(): never {
  throw new Error('Connections are not available on the web');
}
export const connect = noSockets;
export const createSecureContext = noSockets;
export const checkServerIdentity = (): undefined => undefined;
export const rootCertificates: readonly string[] = [];
export class TLSSocket {
  constructor() {
    noSockets();
  }
}
export default { connect, createSecureContext, checkServerIdentity, rootCertificates, TLSSocket };
