export { Client } from './client.js';
export { Listener } from './listener.js';
export { tcp } from './transport.js';
export { NetWire } from './net-wire.js';
export { NetAcceptor } from './net-acceptor.js';
export {
  READ_TIMED_OUT,
  GENERIC_ERROR,
  SocketError,
  GenericError,
  ReadTimedOutError,
  isSocketError,
  type SocketErrorCode,
  type Detail,
  type Address,
  type ClientConfig,
  type ListenerConfig,
  type Caller,
  type Service,
  type ReadOptions,
  type TcpTransport,
} from '@sock/core';
