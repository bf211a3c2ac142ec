// `@sock/core/internal`: what transports (tcp, udp, the test kit, your own) build on. Not for
// application code; released with the other packages, but without the public API's stability promise.
export * from './index.js';
export { fromSystemError, invalidArgument, connectionClosed, type Operation } from './errors.js';
export {
  CONFIG_KEYS,
  resolveClientConfig,
  resolveListenerConfig,
  resolveUdpClientConfig,
  resolveUdpConnectConfig,
  resolveUdpListenerConfig,
  type ResolvedConnectionConfig,
  type ResolvedClientConfig,
  type ResolvedListenerConfig,
  type ResolvedUdpClientConfig,
  type ResolvedUdpConnectConfig,
} from './config.js';
export {
  describeValue,
  optional,
  toBuffer,
  validateAddress,
  validateBoolean,
  validateHost,
  validateKeys,
  validateObject,
  validatePort,
  validatePositiveInteger,
  validateTimeout,
} from './validate.js';
export { validateService } from './service.js';
export { plainAddress } from './address.js';
export { publishError, warnUnhandled } from './diagnostics.js';
export { ListenerLifecycle } from './listener-lifecycle.js';
export { handled, rejected, noop, RESOLVED } from './util/promises.js';
export { nextId } from './util/id.js';
// Streams
export { peerName, kWireData, kWireEnd, kWireError, kWireClose, kWireDrain, type Wire, type WireHandler, type WireInfo, type Dialer, type DialOptions, type DialTarget, type Acceptor, type AcceptorHandler } from './stream/wire.js';
export { SocketWire, type SocketLike } from './stream/socket-wire.js';
export { ReadQueue, type ReadQueueOptions, type ReadUnit, type ReadResult } from './stream/read-queue.js';
export { Connection, type ConnectionOptions, type ConnectionState } from './stream/connection.js';
export type { Delivery, DeliveryEntry } from './stream/delivery.js';
export { DELIVERIES, chooseDelivery } from './stream/deliveries.js';
export { ClientBase, clientTarget, connectSignal } from './stream/client-base.js';
export { CancelSource, type CancelSignal } from './stream/cancel-signal.js';
export { ListenerBase, type ListenerBaseConfig } from './stream/listener-base.js';
export { runAcceptSteps, type AcceptStep, type AcceptContext } from './stream/accept-step.js';
export { kOpen, kAttach, kAbort, kDestroy, kClosed, kDone, kWire, kWritev, kState } from './stream/symbols.js';
// Datagrams
export type { DatagramWire, DatagramHandler } from './datagram/datagram-wire.js';
export { checkDatagram, checkPayload, sendDatagram, type SendState } from './datagram/send.js';
export { DatagramSocket } from './datagram/datagram-socket.js';
export { UdpClientBase } from './datagram/udp-client-base.js';
export { UdpConnectedClientBase } from './datagram/udp-connected-client-base.js';
export { UdpListenerBase, validateUdpService } from './datagram/udp-listener-base.js';
export { ACCEPT_STEPS, acceptStepsFor, type AcceptStepOptions } from './stream/accept-steps.js';
// TLS, written once; transports pass `node:tls` in.
export type { TlsModule, TlsSocket, TransportFeatures } from './tls/tls-module.js';
export { resolveClientSecureSocket, resolveListenerSecureSocket, type ResolvedClientSecureSocket, type ResolvedListenerSecureSocket } from './tls/secure-socket.js';
export { ClientTls } from './tls/client-tls.js';
export { ServerTls } from './tls/server-tls.js';
export { tlsDialer, type TlsDialer } from './tls/tls-dialer.js';
export { tlsAcceptStep } from './tls/tls-step.js';
export { tlsFailed, handshakeTimedOut, badCredentials } from './tls/tls-errors.js';
export { tlsInfoOf } from './tls/tls-session.js';
export { proxyAcceptStep, type ProxyStepOptions } from './proxy/proxy-step.js';
