// @ts-check
/**
 * TypeDoc plugin: names each documented module after the import a user writes (`@sock/core`,
 * `@sock/testkit/conformance`) instead of its folder (`core/src`). The name comes from the package's
 * own `exports` map: the subpath whose `@sock/source` condition is the entry file. One program for
 * all packages (rather than `entryPointStrategy: "packages"`) keeps re-exports such as
 * `@sock/tcp`'s `GenericError` as links to the one `@sock/core` page instead of copies.
 *
 * In one program TypeDoc's own `validation.notExported` stays silent about our packages (it only
 * checks the package named by the root package.json), so the plugin repeats that check for every
 * `@sock/*` type: a public signature that mentions a type no entry point exports is a warning.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { Application, Converter, makeRecursiveVisitor, ReflectionKind } from 'typedoc';

const SOURCE_CONDITION = '@sock/source';

/**
 * The import specifier that loads `file`, from the nearest package.json's exports.
 *
 * @param {string} file absolute path of an entry point
 * @returns {string | undefined}
 */
export function importNameOf(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifestPath = join(dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    /** @type {{ name?: string; exports?: Record<string, Record<string, string>> }} */
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const target = `./${relative(dir, file).split(sep).join('/')}`;
    for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
      if (conditions?.[SOURCE_CONDITION] === target) return subpath === '.' ? manifest.name : `${manifest.name}/${subpath.replace(/^\.\//, '')}`;
    }
    return undefined;
  }
  return undefined;
}

/** Fields of a reflection that hold a type users see (not `inheritedFrom`/`implementationOf`). */
const TYPE_FIELDS = ['type', 'default', 'overwrites'];
const TYPE_LIST_FIELDS = ['implementedTypes', 'extendedTypes'];

/**
 * Warns once per type for each `@sock/*` type that documented API references but no entry point
 * exports (so the reference renders as plain text and users cannot name the type).
 *
 * @param {import('typedoc').Application} app
 * @param {import('typedoc').ProjectReflection} project
 */
function warnNotExported(app, project) {
  /** @type {Set<string>} */
  const warned = new Set();
  for (const reflection of Object.values(project.reflections)) {
    const visitor = makeRecursiveVisitor({
      reference(type) {
        if (type.reflection !== undefined || type.externalUrl !== undefined || type.isIntentionallyBroken()) return;
        if (type.symbolId === undefined || !type.package?.startsWith('@sock/')) return;
        const key = type.symbolId.getStableKey();
        if (warned.has(key)) return;
        warned.add(key);
        // A validation warning, so that --treatValidationWarningsAsErrors turns it into a failure.
        app.logger.validationWarning(
          `${type.qualifiedName}, defined in ${type.symbolId.packageName}/${type.symbolId.packagePath}, is referenced by ${reflection.getFriendlyFullName()} but no entry point exports it`,
        );
      },
    });
    const fields = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (reflection));
    for (const field of TYPE_FIELDS) /** @type {import('typedoc').SomeType | undefined} */ (fields[field])?.visit(visitor);
    for (const field of TYPE_LIST_FIELDS) for (const type of /** @type {import('typedoc').SomeType[] | undefined} */ (fields[field]) ?? []) type.visit(visitor);
  }
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    if (app.options.getValue('validation').notExported) warnNotExported(app, project);
  });
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const declaration = context.getSymbolFromReflection(reflection)?.declarations?.[0];
    const name = declaration === undefined ? undefined : importNameOf(declaration.getSourceFile().fileName);
    if (name !== undefined) reflection.name = name;
    else app.logger.warn(`typedoc-plugin: no package export points at module ${reflection.name}; it keeps its folder name`);
  });
}
