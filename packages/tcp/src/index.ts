export { Client } from './client.js';
export { Listener } from './listener.js';
export { tcp } from './transport.js';
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
  type TcpTransport,
} from '@sock/core';
