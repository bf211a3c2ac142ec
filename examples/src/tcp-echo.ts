import { Client, Listener, type Service } from '@sock/tcp';

/**
 * The seed's Listener example: `service echoServer on server` with onConnect and onReadReady,
 * then the seed's TCP Client with a callback service, both on loopback.
 */
export async function tcpDemo(log: (line: string) => void): Promise<void> {
  const echoServer: Service = {
    onConnect(caller) {
      log(`[listener] connection from ${caller.remoteAddress}:${caller.remotePort}`);
    },
    async onReadReady(caller) {
      const data = await caller.read();
      if (data.length === 0) {
        log(`[listener] ${caller.remoteAddress}:${caller.remotePort} ended its stream`);
        return;
      }
      log(`[listener] ${data.length} bytes from ${caller.remoteAddress}:${caller.remotePort}: ${JSON.stringify(data.toString())}; echoing`);
      await caller.write(data);
    },
    onClose(caller) {
      log(`[listener] ${caller.remoteAddress}:${caller.remotePort} closed`);
    },
  };
  const server = new Listener(0, { interface: '127.0.0.1' });
  server.attach(echoServer);
  await server.start();
  const port = server.address!.port;
  log(`[listener] listening on 127.0.0.1:${port}`);

  let echoed!: () => void;
  const gotEcho = new Promise<void>((resolve) => (echoed = resolve));
  const ClientService: Service = {
    onConnect(caller) {
      log(`[client] connected to ${caller.remoteAddress}:${caller.remotePort} from port ${caller.localPort}`);
    },
    async onReadReady(caller) {
      const data = await caller.read();
      if (data.length > 0) {
        log(`[client] echo: ${JSON.stringify(data.toString())}`);
        echoed();
      }
    },
  };
  const socketClient = new Client({ host: 'localhost', port, callbackService: ClientService });
  const msg = 'Hello Ballerina\n';
  const writeResult = await socketClient.write(Buffer.from(msg));
  log(`[client] wrote ${writeResult} bytes`);
  await gotEcho;

  // The same client without a callback: promise-based reads with exact lengths and a time-out.
  const plain = await Client.connect({ host: '127.0.0.1', port, readTimeoutInMillis: 2000 });
  await plain.write('partial reads');
  log(`[client] read(7) -> ${JSON.stringify((await plain.read(7)).toString())}`);
  log(`[client] read(6) -> ${JSON.stringify((await plain.read(6)).toString())}`);
  await plain.read(1, { timeoutInMillis: 100 }).catch((error: { code: string; message: string }) => {
    log(`[client] read(1) with nothing sent -> ${error.code}: ${error.message}`);
  });

  await plain.close();
  await socketClient.close();
  await server.gracefulStop({ timeoutInMillis: 5000 });
  log('[listener] stopped');
}
