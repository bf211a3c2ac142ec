import { describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { resolveClientConfig, type SocketWire, type Wire } from '@sock/core/internal';
import { netDialer } from '../src/net-dialer.js';
import { echoService, listen } from './helpers.js';

// What Node applied to the connected handle, from Node's own record of it (the socket's
// `kSetNoDelay` / `kSetKeepAlive` fields): TCP_NODELAY cannot be read back from JavaScript, and
// the dialler sets these on the socket before it connects, for Node to apply as it connects.
function nodeRecord(socket: Socket, name: 'kSetNoDelay' | 'kSetKeepAlive' | 'kSetKeepAliveInitialDelay'): unknown {
  const symbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === name);
  expect(symbol, `Node's ${name} field on the socket`).toBeDefined();
  return (socket as unknown as Record<symbol, unknown>)[symbol!];
}

async function dial(port: number, options: Record<string, unknown> = {}): Promise<Socket> {
  const wire: Wire = await netDialer.dial(resolveClientConfig({ host: '127.0.0.1', port, ...options }), {});
  const socket = (wire as SocketWire).socket;
  socket.destroy();
  return socket;
}

describe('netDialer socket options', () => {
  it('a default client socket is half-open capable, with Nagle off and keep-alive off', async () => {
    const listener = await listen(echoService);
    const socket = await dial(listener.port);
    expect(socket.allowHalfOpen).toBe(true);
    expect(nodeRecord(socket, 'kSetNoDelay')).toBe(true);
    expect(nodeRecord(socket, 'kSetKeepAlive')).toBe(false);
  });

  it('noDelay: false keeps Nagle on; keepAlive: true with its delay turns keep-alive on (delay in whole seconds, rounded up)', async () => {
    const listener = await listen(echoService);
    const socket = await dial(listener.port, { noDelay: false, keepAlive: true, keepAliveInitialDelayInMillis: 1500 });
    expect(socket.allowHalfOpen).toBe(true);
    expect(nodeRecord(socket, 'kSetNoDelay')).toBe(false);
    expect(nodeRecord(socket, 'kSetKeepAlive')).toBe(true);
    expect(nodeRecord(socket, 'kSetKeepAliveInitialDelay')).toBe(2);
  });
});
