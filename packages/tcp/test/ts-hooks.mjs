// Lets plain `node` run this workspace's TypeScript sources, for test programs that must run in a
// process of their own (inside a test host's network namespace, see netns.ts), where vitest's
// transform is not there. Use: node --conditions=@sock/source --import ./ts-hooks.mjs program.ts
//
// The same file is the `--import` entry (main thread: registers itself) and the hooks module
// (hooks thread). TypeScript is a dev dependency of @sock/tcp; no other tool is needed.
import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

/** Sources import each other as `./x.js` (NodeNext style); the file on disk is `./x.ts`. */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (!relative || !specifier.endsWith('.js') || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
  }
}

let typescript;

/** Strips the types of a `.ts` module; everything else loads as usual. */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  typescript ??= (await import('typescript')).default;
  const source = await readFile(new URL(url), 'utf8');
  const { outputText } = typescript.transpileModule(source, {
    fileName: new URL(url).pathname,
    compilerOptions: {
      module: typescript.ModuleKind.ESNext,
      target: typescript.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      sourceMap: false,
    },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
