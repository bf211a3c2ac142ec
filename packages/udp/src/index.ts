export { UdpClient, type UdpClientOptions } from './client.js';
export { UdpListener } from './listener.js';
export { UdpConnectedClient, type UdpConnectConfig } from './connected-client.js';
export { udp } from './transport.js';
export { DgramWire, type DgramWireOptions } from './dgram-wire.js';
export type { DgramFamily } from './address-family.js';
export {
  resolveUdpSocketOptions,
  validateMulticastGroup,
  validateInterfaceAddress,
  type UdpSocketOptions,
  type ResolvedUdpSocketOptions,
} from './socket-options.js';
export {
  READ_TIMED_OUT,
  GENERIC_ERROR,
  MAX_DATAGRAM_BYTES,
  SOCK_CHANNELS,
  SocketError,
  GenericError,
  ReadTimedOutError,
  isSocketError,
  type SocketErrorCode,
  type Detail,
  type Address,
  type UdpClientConfig,
  type UdpListenerConfig,
  type GracefulStopOptions,
  type ReadOptions,
  type Datagram,
  type UdpCaller,
  type UdpService,
  type UdpTransport,
} from '@sock/core';
