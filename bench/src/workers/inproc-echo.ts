/**
 * testkit-echo: the tcp-echo loop with listener and clients in ONE process (as a test suite runs
 * them), over the test kit's loopback network or over real loopback TCP with @sock/tcp.
 */
import { tcp } from '@sock/tcp';
import type { TcpTransport } from '@sock/core';
import { HOST, num, str, type Fields } from '../protocol.js';
import { loadTestkit } from '../optional-packages.js';
import { nowMicros, type Context } from './context.js';
import { EchoWindow, MAX_ITERATIONS, request } from './echo-window.js';

export async function inprocEcho(context: Context): Promise<Fields> {
  const { params } = context;
  const variant = str(params, 'variant');
  let transport: TcpTransport = tcp;
  let closeNetwork = async (): Promise<void> => {};
  if (variant === 'testkit') {
    const testkit = await loadTestkit();
    if (typeof testkit === 'string') throw new Error(testkit);
    const network = testkit.createLoopbackNetwork();
    transport = network.tcp;
    closeNetwork = () => network.close();
  }
  const size = num(params, 'size');
  const listener = transport.createListener(0, { interface: HOST });
  listener.attach({
    onBytes(caller, data) {
      void caller.write(data);
    },
  });
  await listener.start();
  const port = listener.address!.port;
  const clients = await Promise.all(Array.from({ length: num(params, 'connections') }, () => transport.connect({ host: HOST, port })));
  const req = request(params);
  const window = new EchoWindow(params);
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < MAX_ITERATIONS; i++) {
        const t0 = nowMicros();
        if (!window.running(t0)) break;
        await client.write(req);
        const reply = await client.read(size);
        if (reply.length !== size) {
          window.errors++;
          break;
        }
        window.complete(t0, nowMicros());
      }
      await client.close();
    }),
  );
  await listener.immediateStop();
  await closeNetwork();
  return window.result(params);
}
