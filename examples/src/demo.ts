import { framingDemo } from './framing-demo.js';
import { tcpDemo } from './tcp-echo.js';
import { tlsDemo } from './tls-demo.js';
import { traceDemo } from './trace-demo.js';
import { udpDemo } from './udp-send.js';

/** `pnpm start`: the seed module's three examples, then framing, TLS and tracing, live on loopback. */
const log = (line: string): void => console.log(line);

console.log('== TCP: Listener echo service and Client with a callback service ==');
await tcpDemo(log);
console.log('\n== UDP: UdpClient sendTo / receiveFrom ==');
await udpDemo(log);
console.log('\n== Framing: a line protocol with onFrame and framed() ==');
await framingDemo(log);
console.log('\n== TLS: a TLS listener and client, then STARTTLS ==');
await tlsDemo(log);
console.log('\n== Tracing a server through the sock:* diagnostics channels ==');
await traceDemo(log);
console.log('\ndemo finished');
