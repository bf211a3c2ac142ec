// A @sock Client as a program of its own, for tests that must run it inside a test host's network
// namespace (per-namespace sysctls such as the TCP keep-alive probe timings only apply to sockets
// made there). Run with `node --conditions=@sock/source --import ./ts-hooks.mjs waiting-client.ts
// HOST PORT CONFIG_JSON`: it connects, checks one echoed "ping", then waits on a read until the
// connection ends or fails, then tries one write, reporting each step as a JSON line on stdout.
import { Client, isSocketError, type ClientConfig } from '../src/index.js';

/** One line of the program's report. */
export interface WaitingClientReport {
  step: 'connected' | 'echoed' | 'read' | 'write' | 'closed';
  outcome: 'ok' | 'failed';
  code?: string;
  /** The Node error's code behind a SocketError, e.g. ETIMEDOUT. */
  causeCode?: string;
  detail?: string;
}

function report(line: WaitingClientReport): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function failure(step: WaitingClientReport['step'], error: unknown): WaitingClientReport {
  if (!isSocketError(error)) return { step, outcome: 'failed', detail: String(error) };
  const cause = error.cause as { code?: unknown } | undefined;
  return { step, outcome: 'failed', code: error.code, ...(typeof cause?.code === 'string' ? { causeCode: cause.code } : {}) };
}

async function main(): Promise<void> {
  const [host, port, json] = process.argv.slice(2);
  const config: ClientConfig = { ...(JSON.parse(json ?? '{}') as Partial<ClientConfig>), host: host ?? '', port: Number(port) };
  let client: Client;
  try {
    client = await Client.connect(config);
  } catch (error) {
    report(failure('connected', error));
    return;
  }
  report({ step: 'connected', outcome: 'ok' });
  await client.write('ping');
  const echo = (await client.read(4)).toString();
  report({ step: 'echoed', outcome: echo === 'ping' ? 'ok' : 'failed', detail: echo });
  try {
    const data = await client.read();
    report({ step: 'read', outcome: 'ok', detail: data.length === 0 ? 'end of stream' : data.toString() });
  } catch (error) {
    report(failure('read', error));
  }
  try {
    await client.write('after');
    report({ step: 'write', outcome: 'ok' });
  } catch (error) {
    report(failure('write', error));
  }
  await client.close();
  report({ step: 'closed', outcome: 'ok' });
}

await main();
