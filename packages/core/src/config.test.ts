import { describe, expect, it } from 'vitest';
import { resolveClientConfig, resolveListenerConfig, resolveUdpClientConfig } from './config.js';
import { validateService } from './service.js';
import { toBuffer } from './validate.js';
import { isSocketError } from './errors.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isSocketError(error) ? error.code : 'not a SocketError';
  }
  return undefined;
}

describe('config validation', () => {
  it('fills in client defaults', () => {
    const config = resolveClientConfig({ host: 'localhost', port: 61598 });
    expect(config).toMatchObject({ host: 'localhost', port: 61598, readTimeoutInMillis: 300_000, maxBufferedBytes: 64 * 1024 * 1024, noDelay: true });
  });

  it.each([
    ['not an object', 'localhost:80'],
    ['null', null],
    ['no host', { port: 80 }],
    ['empty host', { host: '', port: 80 }],
    ['host with a space', { host: 'local host', port: 80 }],
    ['host not a string', { host: 127001, port: 80 }],
    ['port 0', { host: 'localhost', port: 0 }],
    ['port 65536', { host: 'localhost', port: 65536 }],
    ['port -1', { host: 'localhost', port: -1 }],
    ['port fractional', { host: 'localhost', port: 80.5 }],
    ['port as string', { host: 'localhost', port: '80' }],
    ['port NaN', { host: 'localhost', port: Number.NaN }],
    ['negative timeout', { host: 'localhost', port: 80, readTimeoutInMillis: -1 }],
    ['fractional timeout', { host: 'localhost', port: 80, readTimeoutInMillis: 1.5 }],
    ['timeout as string', { host: 'localhost', port: 80, readTimeoutInMillis: '100' }],
    ['huge timeout', { host: 'localhost', port: 80, readTimeoutInMillis: 2 ** 40 }],
    ['service not an object', { host: 'localhost', port: 80, callbackService: 5 }],
    ['resource not a function', { host: 'localhost', port: 80, callbackService: { onConnect: 'x' } }],
    ['maxBufferedBytes 0', { host: 'localhost', port: 80, maxBufferedBytes: 0 }],
    ['noDelay not boolean', { host: 'localhost', port: 80, noDelay: 1 }],
  ])('refuses a client config with %s as INVALID_ARGUMENT', (_, config) => {
    expect(codeOf(() => resolveClientConfig(config))).toBe('INVALID_ARGUMENT');
  });

  it('refuses bad listener configs and accepts an absent one', () => {
    expect(resolveListenerConfig(undefined).interface).toBeUndefined();
    expect(codeOf(() => resolveListenerConfig({ interface: '' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolveListenerConfig({ readTimeoutInMillis: -3 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolveListenerConfig('x'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolveListenerConfig({ maxConnections: 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('checks a UDP client config: local port 0 is fine, 70000 is not', () => {
    expect(resolveUdpClientConfig({ localAddress: { host: '127.0.0.1', port: 0 } }).localAddress).toEqual({ host: '127.0.0.1', port: 0 });
    expect(codeOf(() => resolveUdpClientConfig({ localAddress: { host: '127.0.0.1', port: 70000 } }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => resolveUdpClientConfig({ localAddress: 'x' }))).toBe('INVALID_ARGUMENT');
  });

  it('refuses a service with both onReadReady and onBytes', () => {
    expect(codeOf(() => validateService({ onReadReady() {}, onBytes() {} }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => validateService({ onBytes() {} }))).toBeUndefined();
  });

  it('turns write input into bytes and refuses anything else', () => {
    expect(toBuffer('héllo').toString()).toBe('héllo');
    const view = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    expect([...toBuffer(view)]).toEqual([2, 3]);
    expect(codeOf(() => toBuffer(42))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => toBuffer({ length: 3 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => toBuffer(undefined))).toBe('INVALID_ARGUMENT');
  });
});
