import { framed, lines } from '@sock/core';
import { Client, Listener } from '@sock/tcp';

/**
 * Framing: a line protocol. The listener's service receives whole lines with `onFrame`, however the
 * bytes were split on the way; the client reads and writes lines with `framed()`.
 */
export async function framingDemo(log: (line: string) => void): Promise<void> {
  const codec = lines({ maxFrameBytes: 1024 });
  const server = new Listener(0, { interface: '127.0.0.1', framing: codec });
  server.attach({
    async onFrame(caller, line) {
      log(`[line listener] line from ${caller.remoteAddress}:${caller.remotePort}: ${JSON.stringify(line.toString())}`);
      await caller.write(`${line.toString().toUpperCase()}\n`);
    },
    onError: (caller, error) => log(`[line listener] ${caller.remoteAddress}:${caller.remotePort}: ${error.code}`),
  });
  await server.start();
  const port = server.address!.port;

  const client = await Client.connect({ host: '127.0.0.1', port });
  const chat = framed(client, codec);
  // Two lines in one write, then one line in three writes: the service still sees three lines.
  await client.write('hello\nframes\n');
  await client.write('sp');
  await client.write('lit ');
  await client.write('line\n');
  for (let i = 0; i < 3; i++) log(`[line client] got ${JSON.stringify((await chat.readFrame())?.toString())}`);
  // A line over maxFrameBytes is refused before it is buffered whole; only this connection closes.
  await client.write(`${'x'.repeat(2000)}\n`);
  log(`[line client] after an oversized line the server closed: read -> ${(await client.read()).length} bytes`);
  await client.close();
  await server.gracefulStop({ timeoutInMillis: 5000 });
}
