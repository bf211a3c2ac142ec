import diagnostics from 'node:diagnostics_channel';
import { Client, Listener, SOCK_CHANNELS, type Caller, type SocketError } from '@sock/tcp';

/**
 * Tracing a server without touching its code: subscribe to the `sock:*` diagnostics channels. Nothing
 * is published while nobody subscribes.
 */
export async function traceDemo(log: (line: string) => void): Promise<void> {
  const peer = (caller: Caller | undefined): string => (caller === undefined ? '?' : `${caller.remoteAddress}:${caller.remotePort}`);
  const onAccept = (message: unknown): void => log(`[trace] accept ${peer((message as { caller: Caller }).caller)}`);
  const onClose = (message: unknown): void => log(`[trace] close  ${peer((message as { caller: Caller }).caller)}`);
  let traced!: () => void;
  const errorTraced = new Promise<void>((resolve) => (traced = resolve));
  const onError = (message: unknown): void => {
    const { caller, error } = message as { caller: Caller | undefined; error: SocketError };
    log(`[trace] error  ${peer(caller)} ${error.code}`);
    traced();
  };
  diagnostics.subscribe(SOCK_CHANNELS.accept, onAccept);
  diagnostics.subscribe(SOCK_CHANNELS.close, onClose);
  diagnostics.subscribe(SOCK_CHANNELS.error, onError);
  try {
    const server = new Listener(0, { interface: '127.0.0.1' });
    server.attach({
      onBytes(_caller, data) {
        if (data.toString() === 'boom') throw new Error('a bug in the service');
      },
      onError: () => {}, // handled here; the trace still sees it
    });
    await server.start();
    const client = await Client.connect({ host: '127.0.0.1', port: server.address!.port });
    await client.write('boom');
    await errorTraced;
    await client.close();
    await server.gracefulStop({ timeoutInMillis: 5000 });
  } finally {
    diagnostics.unsubscribe(SOCK_CHANNELS.accept, onAccept);
    diagnostics.unsubscribe(SOCK_CHANNELS.close, onClose);
    diagnostics.unsubscribe(SOCK_CHANNELS.error, onError);
  }
}
