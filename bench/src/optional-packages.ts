/**
 * @sock/udp and @sock/testkit are written concurrently with the bench; their scenarios load them
 * at run time, check that the SPEC API is there, and are skipped with a clear reason if it is not.
 */
import type { TcpTransport, UdpClient, UdpClientConfig, UdpListener, UdpListenerConfig } from '@sock/core';

export interface UdpModule {
  UdpClient: new (config?: UdpClientConfig) => UdpClient & { readonly ready: Promise<void> };
  UdpListener: new (port: number, config?: UdpListenerConfig) => UdpListener;
}

export interface LoopbackNetworkLike {
  readonly tcp: TcpTransport;
  close(): Promise<void>;
}

export interface TestkitModule {
  createLoopbackNetwork: () => LoopbackNetworkLike;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** The module, or the reason it cannot be used. */
export async function loadUdp(): Promise<UdpModule | string> {
  let module: Record<string, unknown>;
  try {
    module = (await import('@sock/udp')) as unknown as Record<string, unknown>;
  } catch (error) {
    return `@sock/udp not available (import failed: ${describe(error)})`;
  }
  if (typeof module.UdpClient !== 'function' || typeof module.UdpListener !== 'function') {
    return '@sock/udp not available (UdpClient/UdpListener not exported yet)';
  }
  return module as unknown as UdpModule;
}

export async function loadTestkit(): Promise<TestkitModule | string> {
  let module: Record<string, unknown>;
  try {
    module = (await import('@sock/testkit')) as unknown as Record<string, unknown>;
  } catch (error) {
    return `@sock/testkit not available (import failed: ${describe(error)})`;
  }
  if (typeof module.createLoopbackNetwork !== 'function') return '@sock/testkit not available (createLoopbackNetwork not exported yet)';
  return module as unknown as TestkitModule;
}
