import { tcpDemo } from './tcp-echo.js';
import { udpDemo } from './udp-send.js';

/** `pnpm start`: the seed module's three examples, live on loopback. */
const log = (line: string): void => console.log(line);

console.log('== TCP: Listener echo service and Client with a callback service ==');
await tcpDemo(log);
console.log('\n== UDP: UdpClient sendTo / receiveFrom ==');
await udpDemo(log);
console.log('\ndemo finished');
