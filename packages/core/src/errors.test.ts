import { describe, expect, it } from 'vitest';
import {
  fromSystemError,
  GENERIC_ERROR,
  GenericError,
  isSocketError,
  READ_TIMED_OUT,
  ReadTimedOutError,
  SOCKET_ERROR_CODES,
  SocketError,
} from './errors.js';

describe('errors', () => {
  it('carries reason, code, detail and cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new GenericError('CONNECTION_REFUSED', 'connection refused by 127.0.0.1:9', cause);
    expect(error.reason).toBe(GENERIC_ERROR);
    expect(error.code).toBe('CONNECTION_REFUSED');
    expect(error.detail).toEqual({ message: 'connection refused by 127.0.0.1:9', cause });
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(SocketError);
    expect(error).toBeInstanceOf(GenericError);
    expect(error).not.toBeInstanceOf(ReadTimedOutError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('GenericError');
  });

  it('ReadTimedOutError has reason ReadTimedOut and code READ_TIMED_OUT', () => {
    const error = new ReadTimedOutError('read from x timed out');
    expect(error.reason).toBe(READ_TIMED_OUT);
    expect(error.code).toBe('READ_TIMED_OUT');
    expect(error).toBeInstanceOf(SocketError);
    expect(error).not.toBeInstanceOf(GenericError);
    expect(error.detail).toEqual({ message: 'read from x timed out' });
  });

  it('instanceof works across two loaded copies of the module', async () => {
    // A query string makes the module loader evaluate errors.ts a second time: a second copy.
    const specifier = './errors.js?second-copy';
    const copy = (await import(specifier)) as typeof import('./errors.js');
    expect(copy.GenericError).not.toBe(GenericError);
    const foreign = new copy.GenericError('CONNECTION_RESET', 'reset');
    expect(foreign).toBeInstanceOf(GenericError);
    expect(foreign).toBeInstanceOf(SocketError);
    expect(foreign).not.toBeInstanceOf(ReadTimedOutError);
    expect(isSocketError(foreign, 'CONNECTION_RESET')).toBe(true);
    const local = new ReadTimedOutError('t');
    expect(local).toBeInstanceOf(copy.ReadTimedOutError);
    expect(local).toBeInstanceOf(copy.SocketError);
    expect(local).not.toBeInstanceOf(copy.GenericError);
  });

  it('instanceof stays false for look-alikes and primitives', () => {
    expect({ reason: GENERIC_ERROR, code: 'GENERIC' }).not.toBeInstanceOf(SocketError);
    expect(isSocketError(new Error('x'))).toBe(false);
    expect(isSocketError('CONNECTION_RESET')).toBe(false);
    expect(isSocketError(null)).toBe(false);
  });

  it('isSocketError filters by code', () => {
    const error = new GenericError('ADDRESS_IN_USE', 'in use');
    expect(isSocketError(error)).toBe(true);
    expect(isSocketError(error, 'ADDRESS_IN_USE')).toBe(true);
    expect(isSocketError(error, 'CONNECTION_RESET')).toBe(false);
  });

  it('lists sixteen codes', () => {
    expect(new Set(SOCKET_ERROR_CODES).size).toBe(16);
  });

  it.each([
    ['ECONNREFUSED', 'connect', 'CONNECTION_REFUSED'],
    ['ECONNRESET', 'read', 'CONNECTION_RESET'],
    ['EPIPE', 'write', 'CONNECTION_RESET'],
    ['EADDRINUSE', 'listen', 'ADDRESS_IN_USE'],
    ['ENOTFOUND', 'connect', 'HOST_NOT_FOUND'],
    ['ETIMEDOUT', 'connect', 'CONNECT_TIMED_OUT'],
    ['EMSGSIZE', 'send', 'DATAGRAM_TOO_LARGE'],
    ['ERR_SOCKET_BAD_PORT', 'send', 'INVALID_ARGUMENT'],
    ['EWHATEVER', 'read', 'GENERIC'],
  ] as const)('maps %s during %s to %s, naming the endpoint', (sysCode, operation, code) => {
    const cause = Object.assign(new Error(`${sysCode} happened`), { code: sysCode });
    const error = fromSystemError(cause, operation, '127.0.0.1:4343');
    expect(error.code).toBe(code);
    expect(error.message).toContain('127.0.0.1:4343');
    expect(error.cause).toBe(cause);
  });

  it('passes SocketErrors through unchanged', () => {
    const error = new GenericError('TLS_FAILED', 'tls');
    expect(fromSystemError(error, 'connect', 'x')).toBe(error);
  });
});
