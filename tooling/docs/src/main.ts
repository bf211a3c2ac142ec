/**
 * `pnpm docs:examples [--strict]`: lists every export of the documented entry points (the
 * `entryPoints` of the root typedoc.json) whose TSDoc has no `@example`. Reports and exits 0;
 * with `--strict` (or `DOCS_EXAMPLES_STRICT=1`) it exits 1 while anything is missing, for CI once
 * the examples are written.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { importNameOf } from '../typedoc-plugin.mjs';
import { findMissingExamples } from './missing-examples.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const strict = process.argv.includes('--strict') || process.env['DOCS_EXAMPLES_STRICT'] === '1';

const typedoc = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8')) as { entryPoints?: string[]; tsconfig?: string };
const entryFiles = (typedoc.entryPoints ?? []).map((entry) => resolve(ROOT, entry));
const configPath = resolve(ROOT, typedoc.tsconfig ?? 'tsconfig.json');
const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
  throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
} });
if (config === undefined) throw new Error(`cannot read ${configPath}`);
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });

const entries = entryFiles.map((file) => [importNameOf(file) ?? file, file] as const);
const { total, missing } = findMissingExamples(program, entries, ROOT);
for (const item of missing) console.log(`  ${item.file}:${item.line}  ${item.kind} ${item.name}  (${item.entries.join(', ')})`);
console.log(`docs:examples: ${total - missing.length} of ${total} exports have an @example; ${missing.length} missing${strict ? '' : ' (report only; --strict fails on any)'}`);
if (strict && missing.length > 0) process.exitCode = 1;
