// Module hooks that let a child process of a test run the workspace's TypeScript sources directly,
// as vitest does for the tests themselves: no build, no extra dependency (TypeScript is already in
// every package). Plain JavaScript because it has to run before anything can be transpiled.
// Transpiled modules are cached by content in the OS temp directory: loading the compiler costs
// about a second, and tests start several children.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = join(tmpdir(), 'sock-ts-loader-v1');
let compiler;

async function transpile(source, fileName) {
  compiler ??= (await import('typescript')).default;
  const { outputText } = compiler.transpileModule(source, {
    fileName,
    compilerOptions: {
      module: compiler.ModuleKind.ESNext,
      target: compiler.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
      inlineSourceMap: true,
    },
  });
  return outputText;
}

function isRelative(specifier) {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier.startsWith('file:');
}

/** Sources import each other as `./x.js` (NodeNext style); on disk that file is `./x.ts`. */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (isRelative(specifier) && specifier.endsWith('.js')) return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const source = await readFile(fileName, 'utf8');
  const cached = join(CACHE, `${createHash('sha256').update(fileName).update('\0').update(source).digest('hex')}.js`);
  let output = await readFile(cached, 'utf8').catch(() => undefined);
  if (output === undefined) {
    output = await transpile(source, fileName);
    // Written aside and renamed: children starting together never read a half-written file.
    await mkdir(CACHE, { recursive: true });
    const partial = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(partial, output);
    await rename(partial, cached);
  }
  return { format: 'module', source: output, shortCircuit: true };
}
