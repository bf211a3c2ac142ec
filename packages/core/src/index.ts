export {
  READ_TIMED_OUT,
  GENERIC_ERROR,
  SOCKET_ERROR_CODES,
  SocketError,
  GenericError,
  ReadTimedOutError,
  isSocketError,
  formatEndpoint,
  fromSystemError,
  invalidArgument,
  connectionClosed,
  type SocketErrorCode,
  type SocketErrorReason,
  type Detail,
  type Operation,
} from './errors.js';
export {
  DEFAULT_READ_TIMEOUT_IN_MILLIS,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_QUEUED_DATAGRAMS,
  validatePort,
  validateHost,
  validateTimeout,
  validatePositiveInteger,
  validateAddress,
  validateService,
  resolveClientConfig,
  resolveListenerConfig,
  resolveUdpClientConfig,
  resolveUdpListenerConfig,
  toBuffer,
  type Address,
  type ClientConfig,
  type ListenerConfig,
  type UdpClientConfig,
  type UdpListenerConfig,
  type ResolvedClientConfig,
  type ResolvedListenerConfig,
  type ResolvedUdpClientConfig,
} from './config.js';
export type { Caller, Service, ReadOptions } from './service.js';
export type {
  Client,
  Listener,
  TcpTransport,
  Datagram,
  UdpClient,
  UdpCaller,
  UdpService,
  UdpListener,
  UdpTransport,
} from './transport.js';
export { ReadQueue, type ReadQueueOptions, type ReadUnit, type Chunked, type ReadResult } from './read-queue.js';
export type { Wire, WireHandler, Acceptor, AcceptorHandler } from './wire.js';
export { Connection, type ConnectionOptions } from './connection.js';
export { ClientBase, clientTarget } from './client-base.js';
export { ListenerBase, DEFAULT_GRACEFUL_STOP_TIMEOUT_IN_MILLIS, type ListenerBaseOptions } from './listener-base.js';
export { nextId } from './id.js';
export type { DatagramWire, DatagramHandler } from './datagram-wire.js';
export { UdpClientBase, MAX_DATAGRAM_BYTES, checkDatagram } from './udp-client-base.js';
export { UdpListenerBase } from './udp-listener-base.js';
