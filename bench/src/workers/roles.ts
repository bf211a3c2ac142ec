/** Every role a bench child can play, by name (the first argument of worker.ts). */
import type { Fields } from '../protocol.js';
import type { Context } from './context.js';
import { tcpRawCount, tcpRawEcho, tcpSockEcho, tcpSockPullCount, tcpSockPushCount, tcpSockReadyCount } from './tcp-servers.js';
import { bulkSendRaw, connectRawLoop, connectSock, echoPromiseSocket, echoRaw, echoSock, echoSockPush, holdRaw } from './tcp-clients.js';
import { udpRawCount, udpSendRaw, udpSockClientCount, udpSockListenerCount } from './udp.js';
import { inprocEcho } from './inproc-echo.js';
import { simEcho } from './sim-echo.js';
import { dnsRaw, dnsSock, httpRaw, httpSockPull, httpSockPush, respRaw, respSock } from './peer-servers.js';
import { udpRequestClient } from './udp-request-client.js';
import { tlsRawCount, tlsRawEcho, tlsSockEcho, tlsSockPullCount, tlsSockPushCount } from './tls-servers.js';
import { tlsBulkSendRaw, tlsConnectRaw, tlsConnectSock, tlsEchoRaw, tlsEchoSock, tlsEchoSockPush } from './tls-clients.js';
import { clusterServer } from './cluster-server.js';

export type Role = (context: Context) => Promise<Fields>;

export const roles: Record<string, Role | undefined> = {
  'tcp-sock-push-count': tcpSockPushCount,
  'tcp-sock-pull-count': tcpSockPullCount,
  'tcp-sock-ready-count': tcpSockReadyCount,
  'tcp-raw-count': tcpRawCount,
  'tcp-sock-echo': tcpSockEcho,
  'tcp-raw-echo': tcpRawEcho,
  'bulk-send-raw': bulkSendRaw,
  'echo-sock': echoSock,
  'echo-sock-push': echoSockPush,
  'echo-raw': echoRaw,
  'echo-promise-socket': echoPromiseSocket,
  'connect-sock': connectSock,
  'connect-raw': connectRawLoop,
  'hold-raw': holdRaw,
  'udp-raw-count': udpRawCount,
  'udp-sock-listener-count': udpSockListenerCount,
  'udp-sock-client-count': udpSockClientCount,
  'udp-send-raw': udpSendRaw,
  'inproc-echo': inprocEcho,
  'sim-echo': simEcho,
  'http-sock-push': httpSockPush,
  'http-sock-pull': httpSockPull,
  'http-raw': httpRaw,
  'resp-sock': respSock,
  'resp-raw': respRaw,
  'dns-sock': dnsSock,
  'dns-raw': dnsRaw,
  'udp-request-client': udpRequestClient,
  'tls-sock-push-count': tlsSockPushCount,
  'tls-sock-pull-count': tlsSockPullCount,
  'tls-raw-count': tlsRawCount,
  'tls-sock-echo': tlsSockEcho,
  'tls-raw-echo': tlsRawEcho,
  'tls-bulk-send-raw': tlsBulkSendRaw,
  'tls-echo-sock': tlsEchoSock,
  'tls-echo-sock-push': tlsEchoSockPush,
  'tls-echo-raw': tlsEchoRaw,
  'tls-connect-sock': tlsConnectSock,
  'tls-connect-raw': tlsConnectRaw,
  'cluster-server': clusterServer,
};
