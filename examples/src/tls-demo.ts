import { Client, Listener } from '@sock/tcp';
import { testCertificates } from '@sock/testkit';

/**
 * TLS: a TLS listener (its service runs after the handshake) and a client that verifies it, then
 * STARTTLS: a plain connection upgraded in place. The certificates are the test kit's throwaway
 * ones; use your own in production.
 */
export async function tlsDemo(log: (line: string) => void): Promise<void> {
  const { ca, server: serverPair } = testCertificates;
  const secure = new Listener(0, { interface: '127.0.0.1', secureSocket: { ...serverPair, alpnProtocols: ['echo/1'] } });
  secure.attach({
    onConnect: (caller) => log(`[tls listener] ${caller.remoteAddress}:${caller.remotePort} speaks ${caller.tls?.protocol} (${caller.tls?.cipher})`),
    onBytes: (caller, data) => void caller.write(data),
  });
  await secure.start();
  const client = await Client.connect({ host: 'localhost', port: secure.address!.port, secureSocket: { ca, alpnProtocols: ['echo/1'] } });
  log(`[tls client] verified=${client.tls?.authorized} protocol=${client.tls?.protocol} alpn=${String(client.tls?.alpnProtocol)}`);
  await client.write('encrypted hello');
  log(`[tls client] echo: ${JSON.stringify((await client.read(15)).toString())}`);
  await client.close();

  const plain = await Client.connect({ host: 'localhost', port: secure.address!.port, secureSocket: { ca: testCertificates.otherCa } }).catch(
    (error: { code: string; message: string }) => error,
  );
  log(`[tls client] trusting another CA -> ${'code' in plain ? `${plain.code}: ${plain.message}` : 'connected?!'}`);
  await secure.gracefulStop({ timeoutInMillis: 5000 });

  const smtpish = new Listener(0, { interface: '127.0.0.1' });
  smtpish.attach({
    async onConnect(caller) {
      if ((await caller.read(10)).toString() !== 'STARTTLS\r\n') return;
      await caller.write('220 go ahead\r\n');
      await caller.startTls(serverPair);
      log(`[starttls listener] upgraded to ${caller.tls?.protocol}; reading ${JSON.stringify((await caller.read(6)).toString())}`);
    },
  });
  await smtpish.start();
  const upgrading = await Client.connect({ host: 'localhost', port: smtpish.address!.port });
  await upgrading.write('STARTTLS\r\n');
  log(`[starttls client] server said ${JSON.stringify((await upgrading.read(14)).toString())}`);
  await upgrading.startTls({ ca });
  await upgrading.write('secret');
  log(`[starttls client] upgraded to ${upgrading.tls?.protocol}`);
  await upgrading.close();
  await smtpish.gracefulStop({ timeoutInMillis: 5000 });
}
