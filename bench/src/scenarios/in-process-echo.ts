/**
 * One timed echo run whose listener and clients share one child process (the test kit, the
 * simulation, or real TCP for comparison), sized by the echo options; its result fields.
 */
import { withChildren } from '../child.js';
import type { Fields } from '../protocol.js';
import { CLIENT, type RunContext } from '../scenario.js';

export async function inProcessEcho(context: RunContext, scenario: string, role: string, params: Fields): Promise<Fields> {
  const { options } = context;
  const budgetMs = (options.testkitSeconds + options.warmupSeconds) * 1000 + 30_000;
  return withChildren(async (spawn) => {
    const child = spawn(
      role,
      { ...params, connections: options.echoConnections, seconds: options.testkitSeconds, warmup: options.warmupSeconds, size: options.messageBytes },
      context.spawnOptions(scenario, true, budgetMs + 10_000, CLIENT),
    );
    return child.expect('result', budgetMs);
  });
}
