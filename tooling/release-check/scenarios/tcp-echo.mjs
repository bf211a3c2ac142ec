// Scenario program: what a user of the installed @sock/core + @sock/tcp writes first. It must exit
// 0 on its own (nothing left open) — the runner kills it at a deadline otherwise.
import assert from 'node:assert/strict';
import * as core from '@sock/core';
import { Client, GenericError, Listener, isSocketError } from '@sock/tcp';

// @sock/tcp re-exports @sock/core's errors: one class, not a copy.
assert.equal(GenericError, core.GenericError);
assert.throws(() => new Listener(-1), (error) => isSocketError(error, 'INVALID_ARGUMENT') && error instanceof core.GenericError);

const listener = new Listener(0, { interface: '127.0.0.1' });
listener.attach({
  async onReadReady(caller) {
    const data = await caller.read();
    if (data.length > 0) await caller.write(data);
  },
});
await listener.start();
const port = listener.address?.port;
assert.ok(typeof port === 'number' && port > 0, 'the listener reports its ephemeral port');

const message = 'hello from the tarball';
const client = await Client.connect({ host: '127.0.0.1', port, readTimeoutInMillis: 10_000 });
assert.equal(await client.write(message), Buffer.byteLength(message));
assert.equal((await client.read(Buffer.byteLength(message))).toString(), message);
await client.close();
await listener.gracefulStop({ timeoutInMillis: 5_000 });
console.log('tcp echo ok');
