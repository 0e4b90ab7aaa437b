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
