// The PROXY protocol modules, for `packages/core/src/index.ts` to re-export in one line.
export {
  PP2_TYPE,
  PP2_SUBTYPE_SSL,
  PP2_CLIENT,
  PROXY_V1_MAX_BYTES,
  type ProxyHeader,
  type ProxyCommand,
  type ProxyTransportProtocol,
  type ProxyTlv,
  type ProxyTlsInfo,
} from './proxy-header.js';
export {
  ProxyHeaderParser,
  DEFAULT_PROXY_HEADER_BYTES,
  MIN_PROXY_HEADER_BYTES,
  MAX_PROXY_HEADER_BYTES,
  type ProxyProtocolVersion,
  type ProxyHeaderParserOptions,
  type ProxyParseResult,
} from './proxy-parser.js';
export { encodeProxyHeaderV1, encodeProxyHeaderV2, type ProxyHeaderV1Init, type ProxyHeaderV2Init } from './proxy-encoder.js';
export { trustedProxies, type TrustedProxy, type AddressChecker } from './trusted-proxies.js';
export type { IpFamily } from './ip-address.js';
export { DEFAULT_PROXY_HEADER_TIMEOUT_IN_MILLIS } from './proxy-step.js';
