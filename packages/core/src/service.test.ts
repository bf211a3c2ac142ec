import { describe, expect, it } from 'vitest';
import { validateUdpService } from './datagram/udp-listener-base.js';
import { isSocketError } from './errors.js';
import { validateService } from './service.js';

function refusal(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
  } catch (error) {
    if (!isSocketError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  return undefined;
}

describe('attaching a TCP service (SPEC "Attaching a service")', () => {
  it.each([
    ['a misspelled resource', { onReadready() {} }, 'onReadready'],
    ['a resource in the wrong case', { onbytes() {} }, 'onbytes'],
    ['a UDP resource', { onDatagram() {} }, 'onDatagram'],
    ['a foreign member beside a good one', { onConnect() {}, onMessage() {} }, 'onMessage'],
  ])('refuses %s, naming the member', (_, service, member) => {
    const error = refusal(() => validateService(service));
    expect(error?.code).toBe('INVALID_ARGUMENT');
    expect(error?.message).toContain(member);
  });

  it('refuses an inherited foreign member (a class with a misspelled method)', () => {
    class Echo {
      onConnect(): void {}
      onReadready(): void {}
    }
    expect(refusal(() => validateService(new Echo()))?.message).toContain('onReadready');
  });

  it('accepts a class instance whose resources are methods, and plain words such as `once`', () => {
    class Echo {
      once = true;
      onConnect(): void {}
      onBytes(): void {}
    }
    expect(refusal(() => validateService(new Echo()))).toBeUndefined();
  });

  it('refuses a service with no resource at all', () => {
    expect(refusal(() => validateService({}))?.code).toBe('INVALID_ARGUMENT');
    expect(refusal(() => validateService({ name: 'echo' }))?.code).toBe('INVALID_ARGUMENT');
  });

  it('refuses two data resources, a resource that is not a function, and non-objects', () => {
    expect(refusal(() => validateService({ onReadReady() {}, onBytes() {} }))?.code).toBe('INVALID_ARGUMENT');
    expect(refusal(() => validateService({ onConnect: 'yes' }))?.message).toContain('onConnect');
    for (const value of [null, undefined, 42, 'service', [], () => {}]) expect(refusal(() => validateService(value))?.code).toBe('INVALID_ARGUMENT');
  });

  it('onFrame needs a framing codec, and a framing codec needs onFrame', () => {
    expect(refusal(() => validateService({ onFrame() {} }))?.message).toContain('framing');
    expect(refusal(() => validateService({ onBytes() {} }, { framing: true }))?.message).toContain('onFrame');
    expect(refusal(() => validateService({ onFrame() {} }, { framing: true }))).toBeUndefined();
  });
});

describe('attaching a UDP service', () => {
  it('needs onDatagram and refuses TCP or misspelled members, naming them', () => {
    expect(refusal(() => validateUdpService({ onDatagram() {}, onError() {} }))).toBeUndefined();
    expect(refusal(() => validateUdpService({}))?.code).toBe('INVALID_ARGUMENT');
    expect(refusal(() => validateUdpService({ onDatagram() {}, onBytes() {} }))?.message).toContain('onBytes');
    expect(refusal(() => validateUdpService({ onDatagram() {}, onerror() {} }))?.message).toContain('onerror');
    expect(refusal(() => validateUdpService({ onDatagram: 1 }))?.code).toBe('INVALID_ARGUMENT');
  });
});
