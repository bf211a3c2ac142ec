// A vitest setup file (`test.setupFiles` in `vitest.shared.ts`) that fails the test during which an
// unhandled rejection or an uncaught exception surfaces, with the error in the failure.
//
// Why: vitest 4.1 on its own reports such an error as an "Unhandled Rejection" after the run and
// exits 1, but shows the test that caused it as passed, naming it only as "the latest test that
// might've caused the error". Here that test fails, so the error sits where it was made. An error
// outside any test (in `beforeAll`, or after a file's tests) goes on to vitest's own report.
//
// A test that listens for `unhandledRejection`/`uncaughtException` itself takes charge of what it
// catches, as vitest assumes too: while it listens, this file stays out of the way.
import { afterAll, afterEach, beforeEach } from 'vitest';

type ProcessEvent = 'unhandledRejection' | 'uncaughtException';
type Listener = (error: unknown, detail: unknown) => void;

interface Caught {
  event: ProcessEvent;
  error: unknown;
}

const EVENTS: readonly ProcessEvent[] = ['unhandledRejection', 'uncaughtException'];
// Setup files run again for every test file; with `isolate: false` that would be in the same
// process, so the listeners of the previous run are found here and removed.
const INSTALLED = Symbol.for('@sock/vitest-setup:listeners');

const caught: Caught[] = [];
let runningTest: string | undefined;
// Taken before any test can install fake timers (vi.useFakeTimers, the simulation's clock).
const realSetImmediate = globalThis.setImmediate;

function install(): Map<ProcessEvent, Listener> {
  const global = globalThis as { [INSTALLED]?: Map<ProcessEvent, Listener> };
  for (const [event, listener] of global[INSTALLED] ?? []) process.off(event, listener);
  const installed = new Map<ProcessEvent, Listener>();
  for (const event of EVENTS) {
    // Listeners already there (vitest's own); one more means a test listens for itself.
    const others = process.listenerCount(event);
    const listener: Listener = (error, detail) => {
      if (process.listenerCount(event) - 1 > others) return;
      if (runningTest !== undefined) {
        caught.push({ event, error });
        return;
      }
      // Outside a test: hand it to vitest, whose listener steps aside while another one exists.
      process.off(event, listener);
      try {
        const emit = process.emit as (name: string, ...args: unknown[]) => boolean;
        emit.call(process, event, error, detail);
      } finally {
        process.on(event, listener);
      }
    };
    process.on(event, listener);
    installed.set(event, listener);
  }
  global[INSTALLED] = installed;
  return installed;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

const installed = install();

beforeEach((context) => {
  runningTest = context.task.name;
});

afterEach(async () => {
  // Node reports a rejection nobody handled once the microtask queue has drained after a
  // macrotask: one turn of the event loop lets the test's last rejections surface here.
  await new Promise((resolve) => realSetImmediate(resolve));
  runningTest = undefined;
  const errors = caught.splice(0);
  if (errors.length === 0) return;
  const list = errors.map(({ event, error }) => `${event}: ${describeError(error)}`).join('\n\n');
  throw new Error(
    `${errors.length} ${errors.length === 1 ? 'error' : 'errors'} went unhandled while this test ran ` +
      `(made by this test, or late by an earlier one in this file):\n\n${list}`,
    { cause: errors[0]?.error },
  );
});

afterAll(() => {
  // After the file's last hook, whatever still surfaces is vitest's to report.
  for (const [event, listener] of installed) process.off(event, listener);
});
