import { UdpClient, UdpListener } from '@sock/udp';

/**
 * The seed's UdpClient example (`socketClient->sendTo(message, { host, port })`), sending to a
 * small UDP listener service that answers, on loopback.
 */
export async function udpDemo(log: (line: string) => void): Promise<void> {
  const bot = new UdpListener(0, { interface: '127.0.0.1' });
  bot.attach({
    async onDatagram(datagram, caller) {
      log(`[udp listener] got ${JSON.stringify(datagram.data.toString())} from ${datagram.address.host}:${datagram.address.port}`);
      await caller.reply('hi there!');
    },
    onError: (_caller, error) => log(`[udp listener] error ${error.code}: ${error.message}`),
  });
  await bot.start();
  const port = bot.address!.port;
  log(`[udp listener] bound to 127.0.0.1:${port}`);

  const socketClient = new UdpClient();
  const msg = 'Hello from UDP client';
  const message = Buffer.from(msg);
  const sendResult = await socketClient.sendTo(message, { host: 'localhost', port });
  log(`[udp client] sendTo -> ${sendResult} bytes`);
  const { data, address } = await socketClient.receiveFrom(undefined, { timeoutInMillis: 5000 });
  log(`[udp client] receiveFrom -> ${JSON.stringify(data.toString())} from ${address.host}:${address.port}`);

  const oversize = await socketClient.sendTo(Buffer.alloc(70_000), { host: 'localhost', port }).catch((error: { code: string }) => error.code);
  log(`[udp client] sendTo of 70000 bytes -> ${String(oversize)}`);

  await socketClient.close();
  await bot.gracefulStop({ timeoutInMillis: 5000 });
  log('[udp listener] stopped');
}
