/**
 * testkit-echo: the tcp-echo loop with listener and clients in ONE process (as a test suite runs
 * them), over the test kit's loopback network or over real loopback TCP with @sock/tcp.
 */
import { tcp } from '@sock/tcp';
import type { TcpTransport } from '@sock/core';
import { HOST, num, str, type Fields } from '../protocol.js';
import { createLoopbackNetwork } from '@sock/testkit';
import type { Context } from './context.js';
import { EchoWindow, runSockEchoClients } from './echo-window.js';

export async function inprocEcho(context: Context): Promise<Fields> {
  const { params } = context;
  const variant = str(params, 'variant');
  let transport: TcpTransport = tcp;
  let closeNetwork = async (): Promise<void> => {};
  if (variant === 'testkit') {
    const network = createLoopbackNetwork();
    transport = network.tcp;
    closeNetwork = () => network.close();
  }
  const listener = transport.createListener(0, { interface: HOST });
  listener.attach({
    onBytes(caller, data) {
      void caller.write(data);
    },
  });
  await listener.start();
  const port = listener.address!.port;
  const clients = await Promise.all(Array.from({ length: num(params, 'connections') }, () => transport.connect({ host: HOST, port })));
  const window = new EchoWindow(params);
  await runSockEchoClients(clients, params, window);
  await listener.immediateStop();
  await closeNetwork();
  return window.result(params);
}
