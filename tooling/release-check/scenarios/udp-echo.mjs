// Scenario program: a UDP round trip with the installed @sock/udp, and the test kit's loopback
// network in plain Node (no vitest). Must exit 0 on its own.
import assert from 'node:assert/strict';
import { UdpClient, UdpListener } from '@sock/udp';
import { createLoopbackNetwork, echoService } from '@sock/testkit';

const listener = new UdpListener(0, { interface: '127.0.0.1' });
listener.attach({
  async onDatagram(datagram, caller) {
    await caller.reply(datagram.data);
  },
});
await listener.start();
const client = new UdpClient({ localAddress: { host: '127.0.0.1', port: 0 }, readTimeoutInMillis: 10_000 });
await client.ready;
await client.sendTo('ping over udp', { host: '127.0.0.1', port: listener.address.port });
const { data, address } = await client.receiveFrom();
assert.equal(data.toString(), 'ping over udp');
assert.equal(address.port, listener.address.port);
await client.close();
await listener.gracefulStop();

const network = createLoopbackNetwork({ chunkSize: 2 });
const kitListener = network.tcp.createListener(0, { interface: '127.0.0.1' });
kitListener.attach(echoService());
await kitListener.start();
const kitClient = await network.tcp.connect({ host: '127.0.0.1', port: kitListener.address.port });
await kitClient.write('split in two-byte chunks');
assert.equal((await kitClient.read(24)).toString(), 'split in two-byte chunks');
await network.close();
console.log('udp echo and loopback kit ok');
