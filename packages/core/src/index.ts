// The public API of @sock/core: types, errors, configs, the service contract, the transport
// interfaces, diagnostics. What transports build on (connection, bases, wires) is in `./internal.ts`
// (`@sock/core/internal`).
export {
  READ_TIMED_OUT,
  GENERIC_ERROR,
  SOCKET_ERROR_CODES,
  SocketError,
  GenericError,
  ReadTimedOutError,
  isSocketError,
  formatEndpoint,
  type SocketErrorCode,
  type SocketErrorReason,
  type Detail,
} from './errors.js';
export {
  DEFAULT_READ_TIMEOUT_IN_MILLIS,
  DEFAULT_CONNECT_TIMEOUT_IN_MILLIS,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_QUEUED_DATAGRAMS,
  type Address,
  type ConnectionConfig,
  type ClientConfig,
  type ListenerConfig,
  type UdpClientConfig,
  type UdpConnectConfig,
  type UdpListenerConfig,
} from './config.js';
export { DEFAULT_GRACEFUL_STOP_TIMEOUT_IN_MILLIS, type GracefulStopOptions } from './listener-lifecycle.js';
export type { Caller, Service, ReadOptions, WriteOptions } from './service.js';
export type { ConnectOptions } from './stream/client-base.js';
export type { TlsInfo } from './stream/wire.js';
export {
  DEFAULT_HANDSHAKE_TIMEOUT_IN_MILLIS,
  type ClientSecureSocket,
  type ListenerSecureSocket,
  type Pem,
  type TlsVersion,
} from './tls/secure-socket.js';
export type {
  Client,
  Listener,
  TcpTransport,
  Datagram,
  UdpClient,
  UdpConnectedClient,
  UdpCaller,
  UdpService,
  UdpListener,
  UdpTransport,
} from './transport.js';
export { MAX_DATAGRAM_BYTES } from './datagram/send.js';
export { SOCK_CHANNELS, type SockMessage } from './diagnostics.js';
export * from './framing/index.js';
export * from './proxy/index.js';
