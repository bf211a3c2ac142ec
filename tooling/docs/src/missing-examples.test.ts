import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { findMissingExamples } from './missing-examples.js';

// An in-memory program: bytes in, report out, no file system.
function programOf(files: Record<string, string>): ts.Program {
  const options: ts.CompilerOptions = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noLib: true, types: [] };
  const host = ts.createCompilerHost(options);
  const text = (name: string): string | undefined => files[name];
  host.fileExists = (name) => text(name) !== undefined;
  host.directoryExists = (name) => Object.keys(files).some((file) => file.startsWith(`${name}/`));
  host.readFile = (name) => text(name);
  host.getSourceFile = (name, languageVersion) => {
    const source = text(name);
    return source === undefined ? undefined : ts.createSourceFile(name, source, languageVersion, true);
  };
  return ts.createProgram({ rootNames: Object.keys(files), options, host });
}

const files = {
  '/repo/a/impl.ts': [
    '/**',
    ' * Documented.',
    ' * @example',
    ' * ```ts',
    ' * documented();',
    ' * ```',
    ' */',
    'export function documented(): void {}',
    '/** No example here. */',
    'export function bare(): void {}',
    '/**',
    ' * A constant.',
    ' * @example',
    ' * ```ts',
    ' * LIMIT + 1;',
    ' * ```',
    ' */',
    'export const LIMIT = 1;',
    'export interface Shape { size: number }',
    '/** @example overloaded(1) */',
    'export function overloaded(value: number): number;',
    'export function overloaded(value: string): string;',
    'export function overloaded(value: unknown): unknown { return value; }',
  ].join('\n'),
  '/repo/a/index.ts': "export { documented, bare, LIMIT, overloaded, type Shape } from './impl.js';",
  '/repo/b/index.ts': "export { bare as renamed } from '../a/impl.js';\n/** Local, without example. */\nexport class Local {}",
};

describe('findMissingExamples', () => {
  it('lists exports without @example once, with every entry that exports them', () => {
    const report = findMissingExamples(
      programOf(files),
      [
        ['@x/a', '/repo/a/index.ts'],
        ['@x/b', '/repo/b/index.ts'],
      ],
      '/repo',
    );
    expect(report.total).toBe(6);
    expect(report.missing).toEqual([
      { name: 'bare', kind: 'function', file: 'a/impl.ts', line: 10, entries: ['@x/a', '@x/b'] },
      { name: 'Shape', kind: 'interface', file: 'a/impl.ts', line: 19, entries: ['@x/a'] },
      { name: 'Local', kind: 'class', file: 'b/index.ts', line: 3, entries: ['@x/b'] },
    ]);
  });

  it('refuses an entry that is not in the program', () => {
    expect(() => findMissingExamples(programOf(files), [['@x/c', '/repo/c/index.ts']], '/repo')).toThrow(/not a module/);
  });
});
