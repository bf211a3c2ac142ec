// Scenario type check (tsc --noEmit, module nodenext, strict, skipLibCheck off): the public types
// of @sock/core and @sock/tcp as a user's TypeScript sees them from the tarballs.
import { SOCKET_ERROR_CODES, type Address, type SocketErrorCode as CoreCode } from '@sock/core';
import {
  Client,
  GenericError,
  Listener,
  ReadTimedOutError,
  SocketError,
  isSocketError,
  tcp,
  type Caller,
  type ClientConfig,
  type ListenerConfig,
  type Service,
  type SocketErrorCode,
  type TcpTransport,
} from '@sock/tcp';

const echo: Service = {
  onConnect(caller: Caller): void {
    const where: string = `${caller.remoteAddress}:${caller.remotePort}`;
    void where;
  },
  async onReadReady(caller) {
    const data: Buffer = await caller.read(undefined, { timeoutInMillis: 1000 });
    const written: number = await caller.write(data);
    void written;
  },
  onError(_caller, error) {
    const code: SocketErrorCode = error.code;
    void code;
  },
};

export async function roundTrip(transport: TcpTransport = tcp): Promise<string> {
  const listenerConfig: ListenerConfig = { interface: '127.0.0.1', readTimeoutInMillis: 5000 };
  const listener = transport.createListener(0, listenerConfig);
  listener.attach(echo);
  await listener.start();
  const address: Address | undefined = listener.address;
  const config: ClientConfig = { host: '127.0.0.1', port: address?.port ?? 0 };
  const client = await Client.connect(config);
  await client.write('hi');
  const reply = await client.read(2);
  await client.close();
  await listener.immediateStop();
  return reply.toString();
}

export function classify(error: unknown): CoreCode | 'other' {
  if (error instanceof ReadTimedOutError) return error.code;
  if (error instanceof GenericError && isSocketError(error, 'CONNECTION_REFUSED')) return error.detail.message.length > 0 ? error.code : 'GENERIC';
  return error instanceof SocketError ? error.code : 'other';
}

export const codes: readonly SocketErrorCode[] = SOCKET_ERROR_CODES;
export const listener: Listener = new Listener(0);

// The types are real, not `any`: each line below must be a type error.
// @ts-expect-error not an error code
export const notACode: SocketErrorCode = 'NOT_A_CODE';
// @ts-expect-error a port is a number
export const badConfig: ClientConfig = { host: 'localhost', port: '80' };
// @ts-expect-error read() gives a Buffer, not a string
export const badRead: Promise<string> = new Client({ host: 'localhost', port: 1 }).read();
