export { Client } from './client.js';
export { Listener } from './listener.js';
export { tcp } from './transport.js';
export { reusePortSupported } from './reuse-port.js';
export {
  READ_TIMED_OUT,
  GENERIC_ERROR,
  SOCK_CHANNELS,
  SocketError,
  GenericError,
  ReadTimedOutError,
  isSocketError,
  type SocketErrorCode,
  type Detail,
  type Address,
  type ClientConfig,
  type ListenerConfig,
  type ConnectionConfig,
  type ConnectOptions,
  type GracefulStopOptions,
  type Caller,
  type Service,
  type ReadOptions,
  type WriteOptions,
  type TlsInfo,
  type ClientSecureSocket,
  type ListenerSecureSocket,
  type Pem,
  type TlsVersion,
  type TcpTransport,
  type ProxyHeader,
  type TrustedProxy,
  type AddressChecker,
} from '@sock/core';
