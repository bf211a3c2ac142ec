export { tcpConformance, type TcpConformanceOptions } from './tcp.js';
export { udpConformance, type UdpConformanceOptions } from './udp.js';
export { tlsConformance, type TlsConformanceOptions } from './tls.js';
export { loopbackRawPeers } from './loopback-peers.js';
export { deferred, rejectionOf, until, settled, turns, type Deferred, type RawPeer, type RawPeers, type RawServer } from './helpers.js';
export { suiteScope, type SuiteScope } from './suite.js';
