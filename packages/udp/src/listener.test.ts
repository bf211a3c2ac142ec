import { describe, expect, it, vi } from 'vitest';
import { rejectsWith, throwsWith, track } from '../test/helpers.js';
import { UdpClient, UdpListener, type Address, type SocketError, type UdpCaller, type UdpService } from './index.js';

const QUICK = { timeoutInMillis: 5000 };

async function client(host = '127.0.0.1'): Promise<UdpClient & { address: Address }> {
  const c = track(new UdpClient({ localAddress: { host, port: 0 } }));
  await c.ready;
  return Object.assign(c, { address: c.localAddress! });
}

async function started(service: UdpService, host = '127.0.0.1'): Promise<UdpListener & { bound: Address }> {
  const listener = track(new UdpListener(0, { interface: host }));
  listener.attach(service);
  await listener.start();
  const bound = listener.address;
  if (bound === undefined) throw new Error('no address after start');
  return Object.assign(listener, { bound });
}

const bot: UdpService = {
  async onDatagram(datagram, caller) {
    if (datagram.data.toString() === 'hi') await caller.reply('hi there!');
  },
};

describe('UdpListener', () => {
  it('a bot listener answers "hi" with "hi there!"', async () => {
    const listener = await started(bot);
    expect(listener.bound.host).toBe('127.0.0.1');
    expect(listener.bound.port).toBeGreaterThan(0);
    const c = await client();
    await c.sendTo('hi', listener.bound);
    const answer = await c.receiveFrom(undefined, QUICK);
    expect(answer.data.toString()).toBe('hi there!');
    expect(answer.address).toEqual(listener.bound);
  });

  it('a dual-stack listener answers IPv4 and IPv6 senders in turn, each at its own address', async () => {
    // Replies reuse the last sender's socket address form (::ffff: on a dual-stack socket): it must
    // follow the sender when the family changes back and forth.
    const listener = track(new UdpListener(0));
    listener.attach({
      onDatagram: async (datagram, caller) => {
        await caller.reply(datagram.data);
      },
    });
    await listener.start();
    const port = listener.address!.port;
    const v4 = await client('127.0.0.1');
    const v6 = await client('::1');
    for (let round = 0; round < 3; round++) {
      for (const [sender, host] of [[v4, '127.0.0.1'], [v6, '::1']] as const) {
        await sender.sendTo(`${host} ${round}`, { host, port });
        const answer = await sender.receiveFrom(undefined, QUICK);
        expect(answer.data.toString()).toBe(`${host} ${round}`);
        expect(answer.address).toEqual({ host, port });
      }
    }
  });

  it('hands the datagram and the sender to onDatagram; caller.sendTo reaches anyone', async () => {
    const seen: { text: string; from: Address; caller: Address }[] = [];
    const third = await client();
    const listener = await started({
      async onDatagram(datagram, caller) {
        seen.push({ text: datagram.data.toString(), from: datagram.address, caller: caller.address });
        const sent = await caller.sendTo(`forwarded: ${datagram.data.toString()}`, third.address);
        await caller.reply(`sent ${sent}`);
      },
    });
    const c = await client();
    await c.sendTo('note', listener.bound);
    expect((await third.receiveFrom(undefined, QUICK)).data.toString()).toBe('forwarded: note');
    expect((await c.receiveFrom(undefined, QUICK)).data.toString()).toBe('sent 15');
    expect(seen).toEqual([{ text: 'note', from: c.address, caller: c.address }]);
  });

  it('a resource that throws goes to onError with HANDLER_FAILED and the listener keeps serving', async () => {
    const errors: { caller: UdpCaller | undefined; error: SocketError }[] = [];
    const boom = new Error('boom');
    const listener = await started({
      onDatagram(datagram, caller) {
        const text = datagram.data.toString();
        if (text === 'throw') throw boom;
        if (text === 'reject') return Promise.reject(boom);
        return caller.reply(`ok ${text}`).then(() => undefined);
      },
      onError(caller, error) {
        errors.push({ caller, error });
      },
    });
    const c = await client();
    await c.sendTo('throw', listener.bound);
    await c.sendTo('reject', listener.bound);
    await c.sendTo('still there?', listener.bound);
    expect((await c.receiveFrom(undefined, QUICK)).data.toString()).toBe('ok still there?');
    await vi.waitFor(() => expect(errors).toHaveLength(2), { timeout: 5000 });
    for (const { caller, error } of errors) {
      expect(error.code).toBe('HANDLER_FAILED');
      expect(error.detail.cause).toBe(boom);
      expect(caller?.address).toEqual(c.address);
    }
  });

  it('without onError, a failing resource is reported once with process.emitWarning and serving goes on', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const listener = await started({
        onDatagram(datagram, caller) {
          if (datagram.data.toString() === 'throw') throw new Error('boom');
          void caller.reply('alive');
        },
      });
      const c = await client();
      await c.sendTo('throw', listener.bound);
      await c.sendTo('throw', listener.bound);
      await c.sendTo('ping', listener.bound);
      expect((await c.receiveFrom(undefined, QUICK)).data.toString()).toBe('alive');
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('start() binds port 0 to a real port; address is undefined before', async () => {
    const listener = track(new UdpListener(0, { interface: '127.0.0.1' }));
    expect(listener.address).toBeUndefined();
    listener.attach(bot);
    const starting = listener.start();
    expect(listener.start()).toBe(starting);
    await starting;
    expect(listener.address?.port).toBeGreaterThan(0);
  });

  it('start() rejects ADDRESS_IN_USE for a taken port', async () => {
    const first = await started(bot);
    const second = track(new UdpListener(first.bound.port, { interface: '127.0.0.1' }));
    second.attach(bot);
    await rejectsWith(second.start(), 'ADDRESS_IN_USE');
  });

  it('refuses a bad port or config, a bad service, and a start without a service', async () => {
    for (const port of [-1, 65536, 1.5, Number.NaN, '80']) throwsWith(() => new UdpListener(port as number), 'INVALID_ARGUMENT');
    throwsWith(() => new UdpListener(0, { interface: '' }), 'INVALID_ARGUMENT');
    throwsWith(() => new UdpListener(0, 'x' as never), 'INVALID_ARGUMENT');
    const listener = track(new UdpListener(0, { interface: '127.0.0.1' }));
    throwsWith(() => listener.attach({} as UdpService), 'INVALID_ARGUMENT');
    await rejectsWith(listener.start(), 'INVALID_ARGUMENT');
    listener.attach(bot);
    throwsWith(() => listener.attach({ onDatagram: () => undefined }), 'INVALID_ARGUMENT');
    listener.detach(bot);
    throwsWith(() => listener.detach(bot), 'INVALID_ARGUMENT');
  });

  it('caller.reply refuses oversize datagrams and bad addresses', async () => {
    const outcomes: Promise<unknown>[] = [];
    const listener = await started({
      onDatagram(_datagram, caller) {
        outcomes.push(rejectsWith(caller.reply(Buffer.alloc(65_508)), 'DATAGRAM_TOO_LARGE'));
        outcomes.push(rejectsWith(caller.sendTo('x', { host: '127.0.0.1', port: 0 }), 'INVALID_ARGUMENT'));
        return caller.reply('checked').then(() => undefined);
      },
    });
    const c = await client();
    await c.sendTo('go', listener.bound);
    expect((await c.receiveFrom(undefined, QUICK)).data.toString()).toBe('checked');
    expect(outcomes).toHaveLength(2);
    await Promise.all(outcomes);
  });

  it('gracefulStop waits for running handlers; replies after the stop reject CONNECTION_CLOSED', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let late: Promise<number> | undefined;
    const listener = await started({
      async onDatagram(_datagram, caller) {
        entered();
        await gate;
        late = caller.reply('too late');
      },
    });
    const c = await client();
    await c.sendTo('slow', listener.bound);
    await inside;
    let stopped = false;
    const stopping = listener.gracefulStop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(late).toBeDefined();
    await rejectsWith(late!, 'CONNECTION_CLOSED');
    await rejectsWith(listener.start(), 'CONNECTION_CLOSED');
  });

  it('immediateStop releases the port at once and is idempotent', async () => {
    const listener = await started(bot);
    const port = listener.bound.port;
    await listener.immediateStop();
    await listener.immediateStop();
    // The port is free again: another socket can bind it.
    const again = track(new UdpClient({ localAddress: { host: '127.0.0.1', port } }));
    await again.ready;
    expect(again.localAddress?.port).toBe(port);
  });

  it('serves IPv6 senders on ::1', async () => {
    const listener = await started(bot, '::1');
    expect(listener.bound.host).toBe('::1');
    const c = await client('::1');
    await c.sendTo('hi', listener.bound);
    const answer = await c.receiveFrom(undefined, QUICK);
    expect(answer.data.toString()).toBe('hi there!');
    expect(answer.address).toEqual(listener.bound);
  });

  it('a listener on all interfaces (the default) answers IPv4 and IPv6 senders with plain addresses', async () => {
    const senders: Address[] = [];
    const listener = track(new UdpListener(0));
    listener.attach({
      async onDatagram(datagram, caller) {
        senders.push(datagram.address);
        await caller.reply('hi there!');
      },
    });
    await listener.start();
    const port = listener.address!.port;
    const v4 = await client('127.0.0.1');
    const v6 = await client('::1');
    await v4.sendTo('hi', { host: '127.0.0.1', port });
    await v6.sendTo('hi', { host: '::1', port });
    expect((await v4.receiveFrom(undefined, QUICK)).data.toString()).toBe('hi there!');
    expect((await v6.receiveFrom(undefined, QUICK)).data.toString()).toBe('hi there!');
    expect(senders).toEqual(expect.arrayContaining([v4.address, v6.address]));
  });

  it('delivers an empty datagram to onDatagram', async () => {
    const listener = await started({
      async onDatagram(datagram, caller) {
        await caller.reply(`got ${datagram.data.length} bytes`);
      },
    });
    const c = await client();
    await c.sendTo('', listener.bound);
    expect((await c.receiveFrom(undefined, QUICK)).data.toString()).toBe('got 0 bytes');
  });
});
