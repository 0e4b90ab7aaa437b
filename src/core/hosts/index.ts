/** Host checks: find TLS endpoints named in workspace files, probe them, and judge what they serve. */
export {
  certificateFileReferences,
  type CertificateFileReference,
  type ConnectTo,
  discoverHosts,
  type DiscoverOptions,
  type GroupOptions,
  groupTargets,
  type HostReference,
  type HostTarget,
  probeTargetFor,
} from './discover';
export {
  HostMatcher,
  hostPortKey,
  isLocalAddress,
  isReservedName,
  parseHostPort,
  startTlsFor,
  type StartTlsProtocol,
  TLS_PORTS,
} from './names';
export {
  chainFromPeer,
  type ChainMember,
  DEFAULT_TIMEOUT_MS,
  formatDuration,
  MAX_CHAIN,
  probeHost,
  type ProbeOptions,
  type ProbeResult,
  type ProbeTarget,
  type ProxyConfig,
  proxyFor,
} from './tlsHandshake';
export { type ProbeCacheSnapshot, type ProbeCallOptions, Prober, type ProberOptions } from './probeScheduler';
export { assessHost, type AssessOptions, hostFindings, type HostIssue, hostJson } from './assess';
export { configFormat, type ConfigFormat, mayBeConfigFile } from '../formats/configFormats';
export {
  compareServed,
  coversHost,
  type CertificateIndex,
  DRIFT_CODE,
  driftFindings,
  type DriftResult,
  driftResults,
  type DriftState,
  fileForPath,
  pairCertificates,
  type PairingEvidence,
  type ServedPair,
} from './drift';
export { type EndpointPair, type Pairing, pairingIn, type PairingKind, type SecretDeclaration } from './pairing';
