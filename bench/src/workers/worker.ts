/**
 * Entry point of every bench child process: `worker.ts <role> <params-json> <deadline-ms>`.
 * Runs the role, sends its result as a `result` message, and exits. It exits by itself at the
 * deadline, and when the parent goes away.
 */
import { roles } from './roles.js';
import { Context, describe } from './context.js';
import type { Fields } from '../protocol.js';

const [role = '', json = '{}', deadline = '60000'] = process.argv.slice(2);

function exitSoon(code: number): void {
  // Let a pending IPC message flush, but never linger.
  setTimeout(() => process.exit(code), 50).unref();
  if (process.connected) process.disconnect();
}

setTimeout(() => {
  process.stderr.write(`[bench child ${role}] deadline of ${deadline} ms reached; exiting\n`);
  process.exit(3);
}, Number(deadline)).unref();
process.on('disconnect', () => setTimeout(() => process.exit(0), 50).unref());
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`[bench child ${role}] unhandled rejection: ${describe(reason)}\n`);
});

const run = roles[role];
const context = new Context(JSON.parse(json) as Fields);
// Keep the process alive while the role waits for commands.
const keepAlive = setInterval(() => {}, 1 << 30);

if (run === undefined) {
  context.send('error', { message: `unknown role ${role}` });
  exitSoon(2);
} else {
  run(context).then(
    (result) => {
      clearInterval(keepAlive);
      process.send?.({ type: 'result', data: result }, () => exitSoon(0));
    },
    (error: unknown) => {
      process.stderr.write(`[bench child ${role}] ${describe(error)}\n`);
      context.send('error', { message: describe(error) });
      exitSoon(1);
    },
  );
}
