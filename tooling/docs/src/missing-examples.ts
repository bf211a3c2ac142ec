import { relative } from 'node:path';
import ts from 'typescript';

/** One exported declaration whose TSDoc has no `@example`. */
export interface MissingExample {
  /** The exported name. */
  readonly name: string;
  /** `function`, `class`, `interface`, `type`, `const`, ... */
  readonly kind: string;
  /** Where it is declared, relative to the root given, with its 1-based line. */
  readonly file: string;
  readonly line: number;
  /** Every entry point (as given) that exports it, in entry order. */
  readonly entries: readonly string[];
}

/** Result of {@link findMissingExamples}. */
export interface ExampleReport {
  /** Exported declarations counted once, however many entries re-export them. */
  readonly total: number;
  readonly missing: readonly MissingExample[];
}

function kindOf(declaration: ts.Declaration): string {
  if (ts.isFunctionDeclaration(declaration)) return 'function';
  if (ts.isClassDeclaration(declaration)) return 'class';
  if (ts.isInterfaceDeclaration(declaration)) return 'interface';
  if (ts.isTypeAliasDeclaration(declaration)) return 'type';
  if (ts.isEnumDeclaration(declaration)) return 'enum';
  if (ts.isVariableDeclaration(declaration)) return ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const ? 'const' : 'let';
  if (ts.isModuleDeclaration(declaration)) return 'namespace';
  return ts.SyntaxKind[declaration.kind];
}

function hasExample(declaration: ts.Declaration): boolean {
  // getJSDocTags also finds the comment of a `const` on its variable statement.
  return ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === 'example');
}

/**
 * Every declaration exported by the given entry files (followed through re-exports) whose TSDoc has
 * no `@example` — the house rule is one `@example` on every export. A declaration merged from
 * several parts (overloads, a function and a namespace) counts as documented if any part has one.
 *
 * @example
 * ```ts
 * const { total, missing } = findMissingExamples(program, [['@sock/core', '/repo/packages/core/src/index.ts']], '/repo');
 * for (const item of missing) console.log(`${item.file}:${item.line} ${item.name}`);
 * ```
 */
export function findMissingExamples(program: ts.Program, entries: ReadonlyArray<readonly [label: string, file: string]>, root: string): ExampleReport {
  const checker = program.getTypeChecker();
  const byDeclaration = new Map<ts.Symbol, { name: string; entries: string[] }>();
  for (const [label, file] of entries) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) throw new Error(`${file} is not a module of the program`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const known = byDeclaration.get(target);
      if (known === undefined) byDeclaration.set(target, { name: exported.name, entries: [label] });
      else if (!known.entries.includes(label)) known.entries.push(label);
    }
  }
  const missing: MissingExample[] = [];
  for (const [symbol, { name, entries: exportedBy }] of byDeclaration) {
    const declarations = symbol.declarations ?? [];
    const first = declarations[0];
    if (first === undefined || declarations.some(hasExample)) continue;
    const sourceFile = first.getSourceFile();
    missing.push({
      name,
      kind: kindOf(first),
      file: relative(root, sourceFile.fileName),
      line: sourceFile.getLineAndCharacterOfPosition(first.getStart()).line + 1,
      entries: exportedBy,
    });
  }
  missing.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { total: byDeclaration.size, missing };
}
