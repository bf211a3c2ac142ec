import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import ts from 'typescript';

/** One packed package: what the workspace says it is, and the files its tarball holds. */
export interface PackedPackage {
  /** Name in the workspace `package.json`. */
  readonly name: string;
  /** Version in the workspace `package.json`. */
  readonly version: string;
  /** Tarball contents, keyed by path inside the package (`package.json`, `dist/index.js`, ...). */
  readonly files: ReadonlyMap<string, Buffer>;
}

/** What every tarball must agree with. */
export interface TarballExpectations {
  /** `engines.node` of the workspace root, which every package must declare as well. */
  readonly engines: string;
  /** Name → version of every public package, so internal ranges can be checked. */
  readonly versions: ReadonlyMap<string, string>;
}

/** The fields of a packed manifest the checks read; everything else is ignored. */
interface Manifest {
  name?: unknown;
  version?: unknown;
  type?: unknown;
  engines?: { node?: unknown };
  sideEffects?: unknown;
  license?: unknown;
  files?: unknown;
  main?: unknown;
  types?: unknown;
  exports?: unknown;
  publishConfig?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'] as const;
const TOP_LEVEL = /^(package\.json|README\.md|CHANGELOG\.md|LICEN[CS]E(\.md|\.txt)?|dist\/.+|src\/.+)$/;
const TEST_FILE = /(^|\/)(__tests__|tests?)\/|\.(test|spec)(-d)?(\.d)?\.[cm]?[jt]sx?(\.map)?$|(^|\/)(vitest|vite|jest)\.config\.|(^|\/)tsconfig[^/]*\.json$|\.tsbuildinfo$|(^|\/)\.turbo\//;
const SOURCE_CONDITION = '@sock/source';

/**
 * Every problem a downstream user would hit with this tarball, one sentence each naming the file or
 * field; empty when it is fine. Checks the manifest (name, version, `type`, `engines`,
 * `sideEffects`, `files`, `exports`, `main`, `types`, dependency ranges), that no test or build
 * config file is packed, that every source map points only at files in the tarball, that no stale
 * build output is left without its source, and that every import resolves: relative ones to a
 * packed file, bare ones to a declared dependency (a peer only off the main entry).
 *
 * @example
 * ```ts
 * const problems = checkTarball({ name: '@sock/core', version: '0.1.0', files: readTarball(bytes) },
 *   { engines: '>=20', versions: new Map([['@sock/core', '0.1.0']]) });
 * ```
 */
export function checkTarball(pkg: PackedPackage, expected: TarballExpectations): string[] {
  const manifestBytes = pkg.files.get('package.json');
  if (manifestBytes === undefined) return [`${pkg.name}: the tarball has no package.json`];
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  } catch (error) {
    return [`${pkg.name}: package.json is not JSON (${String(error)})`];
  }
  const problems = [
    ...checkManifest(pkg, manifest, expected),
    ...checkDependencies(manifest, expected),
    ...checkFileList(pkg, manifest),
    ...checkExports(pkg, manifest),
    ...checkSourceMaps(pkg),
    ...checkStaleOutput(pkg),
    ...checkImports(pkg, manifest),
  ];
  return problems.map((problem) => `${pkg.name}: ${problem}`);
}

function checkManifest(pkg: PackedPackage, manifest: Manifest, expected: TarballExpectations): string[] {
  const problems: string[] = [];
  if (manifest.name !== pkg.name) problems.push(`package.json name is ${JSON.stringify(manifest.name)}, expected ${pkg.name}`);
  if (manifest.version !== pkg.version) problems.push(`package.json version is ${JSON.stringify(manifest.version)}, expected ${pkg.version}`);
  if (manifest.type !== 'module') problems.push('package.json "type" must be "module" (the packages are ESM only)');
  if (manifest.engines?.node !== expected.engines) {
    problems.push(`engines.node is ${JSON.stringify(manifest.engines?.node)}, expected ${JSON.stringify(expected.engines)} like the workspace root`);
  }
  if (manifest.sideEffects !== false) problems.push('"sideEffects" must be false so bundlers can drop unused exports');
  if (typeof manifest.license !== 'string' || manifest.license === '') problems.push('package.json has no "license"');
  if (manifest.publishConfig !== undefined && 'exports' in manifest.publishConfig) {
    problems.push('publishConfig.exports survived packing: the tarball was not made by pnpm pack');
  }
  if (manifestBytes(pkg).includes(SOURCE_CONDITION)) problems.push(`package.json still mentions the ${SOURCE_CONDITION} condition`);
  return problems;
}

function manifestBytes(pkg: PackedPackage): string {
  return pkg.files.get('package.json')?.toString('utf8') ?? '';
}

function checkDependencies(manifest: Manifest, expected: TarballExpectations): string[] {
  const problems: string[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|catalog|link|file|portal):/.test(range)) {
        problems.push(`${field}.${name} is "${range}", a workspace-only range npm cannot install`);
        continue;
      }
      const internal = expected.versions.get(name);
      if (internal !== undefined && field !== 'devDependencies' && range !== `^${internal}`) {
        problems.push(`${field}.${name} is "${range}", expected "^${internal}" (the version released together with it)`);
      }
    }
  }
  return problems;
}

function checkFileList(pkg: PackedPackage, manifest: Manifest): string[] {
  const problems: string[] = [];
  const paths = [...pkg.files.keys()];
  if (!Array.isArray(manifest.files) || !manifest.files.every((entry) => typeof entry === 'string')) {
    problems.push('package.json has no "files" list: everything not ignored would be published');
  } else {
    for (const pattern of manifest.files as string[]) {
      if (pattern.startsWith('!')) continue;
      const prefix = pattern.replace(/\/?\*.*$/, '');
      if (!paths.some((path) => path === prefix || path.startsWith(`${prefix}/`))) problems.push(`"files" lists ${pattern}, but nothing in the tarball matches it`);
    }
  }
  if (!pkg.files.has('README.md')) problems.push('the tarball has no README.md');
  for (const path of paths) {
    if (!TOP_LEVEL.test(path)) problems.push(`unexpected file in the tarball: ${path}`);
    if (TEST_FILE.test(path)) problems.push(`test or build-config file in the tarball: ${path}`);
  }
  return problems;
}

/** Every (condition path, target) of an `exports` value, in declaration order. */
function exportTargets(value: unknown, path: string[] = []): Array<{ path: string[]; target: string }> {
  if (typeof value === 'string') return [{ path, target: value }];
  if (Array.isArray(value)) return value.flatMap((item) => exportTargets(item, path));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => exportTargets(item, [...path, key]));
}

function checkExports(pkg: PackedPackage, manifest: Manifest): string[] {
  const problems: string[] = [];
  const exports = manifest.exports;
  if (exports === null || typeof exports !== 'object' || Array.isArray(exports)) return ['package.json has no "exports" map'];
  for (const [subpath, conditions] of Object.entries(exports)) {
    if (!subpath.startsWith('.')) {
      problems.push(`"exports" must map subpaths ("."), got the key ${subpath}`);
      continue;
    }
    if (conditions === null || typeof conditions !== 'object') {
      problems.push(`exports["${subpath}"] must be a conditions object with "types" and "default"`);
      continue;
    }
    const keys = Object.keys(conditions);
    if (keys[0] !== 'types') problems.push(`exports["${subpath}"] must list "types" first (TypeScript takes the first match), got ${keys.join(', ')}`);
    if (keys.at(-1) !== 'default') problems.push(`exports["${subpath}"] must end with "default", got ${keys.join(', ')}`);
    for (const { path, target } of exportTargets(conditions)) {
      const where = `exports["${subpath}"]${path.map((key) => `["${key}"]`).join('')}`;
      if (path.includes(SOURCE_CONDITION)) problems.push(`${where} is the workspace-only ${SOURCE_CONDITION} condition`);
      if (!target.startsWith('./')) {
        problems.push(`${where} is ${target}, which does not start with ./`);
        continue;
      }
      const file = posix.normalize(target.slice(2));
      if (file.startsWith('src/')) problems.push(`${where} points at the sources (${target}), not at dist`);
      if (!pkg.files.has(file)) problems.push(`${where} points at ${target}, which is not in the tarball`);
      const last = path.at(-1);
      if (last === 'types' && !file.endsWith('.d.ts')) problems.push(`${where} is ${target}, not a .d.ts file`);
      if ((last === 'default' || last === 'import') && !file.endsWith('.js')) problems.push(`${where} is ${target}, not a .js file`);
    }
  }
  const root = (exports as Record<string, unknown>)['.'] as Record<string, unknown> | undefined;
  for (const [field, condition] of [['main', 'default'], ['types', 'types']] as const) {
    const value = manifest[field];
    if (typeof value !== 'string') {
      problems.push(`package.json has no "${field}" (tools that predate "exports" read it)`);
      continue;
    }
    if (!pkg.files.has(posix.normalize(value))) problems.push(`"${field}" points at ${value}, which is not in the tarball`);
    if (root !== undefined && typeof root === 'object' && root[condition] !== undefined && posix.normalize(String(root[condition])) !== posix.normalize(value)) {
      problems.push(`"${field}" (${value}) and exports["."].${condition} (${String(root[condition])}) disagree`);
    }
  }
  return problems;
}

interface SourceMap {
  version?: unknown;
  file?: unknown;
  sourceRoot?: unknown;
  sources?: unknown;
  sourcesContent?: unknown;
}

function checkSourceMaps(pkg: PackedPackage): string[] {
  const problems: string[] = [];
  for (const [path, bytes] of pkg.files) {
    if (/\.(js|d\.ts)$/.test(path)) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(bytes.toString('utf8'))?.[1];
      if (url !== undefined && !url.startsWith('data:') && !pkg.files.has(posix.join(posix.dirname(path), url))) {
        problems.push(`${path} names the source map ${url}, which is not in the tarball`);
      }
    }
    if (!path.endsWith('.map')) continue;
    let map: SourceMap;
    try {
      map = JSON.parse(bytes.toString('utf8')) as SourceMap;
    } catch {
      problems.push(`${path} is not JSON`);
      continue;
    }
    if (map.version !== 3 || !Array.isArray(map.sources)) {
      problems.push(`${path} is not a version 3 source map with "sources"`);
      continue;
    }
    const root = typeof map.sourceRoot === 'string' ? map.sourceRoot : '';
    const contents = Array.isArray(map.sourcesContent) ? (map.sourcesContent as unknown[]) : [];
    map.sources.forEach((source: unknown, index) => {
      if (typeof contents[index] === 'string') return; // inlined: nothing to find on disk
      const resolved = posix.normalize(posix.join(posix.dirname(path), root, String(source)));
      if (resolved.startsWith('../') || posix.isAbsolute(resolved)) problems.push(`${path} references ${String(source)}, outside the package`);
      else if (!pkg.files.has(resolved)) problems.push(`${path} references ${String(source)} (${resolved}), which is not in the tarball`);
    });
  }
  return problems;
}

// tsc never deletes: a dist file whose source is gone would be published as a zombie module.
function checkStaleOutput(pkg: PackedPackage): string[] {
  const paths = [...pkg.files.keys()];
  if (!paths.some((path) => path.startsWith('src/'))) return [];
  return paths
    .filter((path) => /^dist\/.+\.(js|d\.ts)$/.test(path))
    .filter((path) => !pkg.files.has(path.replace(/^dist\//, 'src/').replace(/(\.d)?\.ts$|\.js$/, '.ts')))
    .map((path) => `${path} has no source in src/: stale build output (build from a clean dist)`);
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier);
}

/** The relative and bare imports of one module, comments and strings ignored. */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

function checkImports(pkg: PackedPackage, manifest: Manifest): string[] {
  const problems = new Set<string>();
  const dependencies = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]);
  const peers = new Set(Object.keys(manifest.peerDependencies ?? {}));
  const name = String(manifest.name);
  const exports = manifest.exports !== null && typeof manifest.exports === 'object' ? (manifest.exports as Record<string, unknown>) : {};
  for (const [subpath, conditions] of Object.entries(exports)) {
    const seen = new Set<string>();
    const queue = exportTargets(conditions)
      .map(({ target }) => posix.normalize(target.replace(/^\.\//, '')))
      .filter((file) => pkg.files.has(file));
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of importsOf(pkg.files.get(file)?.toString('utf8') ?? '')) {
        if (specifier.startsWith('.')) {
          const target = posix.normalize(posix.join(posix.dirname(file), specifier));
          const typesTarget = target.replace(/\.js$/, '.d.ts');
          const next = file.endsWith('.d.ts') && pkg.files.has(typesTarget) ? typesTarget : target;
          if (pkg.files.has(next)) queue.push(next);
          else problems.add(`${file} imports ${specifier}, which is not in the tarball`);
          continue;
        }
        if (isBuiltin(specifier) || packageOf(specifier) === name) continue;
        const dependency = packageOf(specifier);
        if (dependencies.has(dependency)) continue;
        if (!peers.has(dependency)) problems.add(`${file} imports ${specifier}, which is not a dependency`);
        else if (subpath === '.') problems.add(`the main entry reaches ${file}, which imports the peer ${specifier}: users without it cannot import ${name}`);
      }
    }
  }
  return [...problems];
}

/**
 * What a release manager should know but that does not break an install, one sentence each: a
 * `license` without the license text, no `repository` (npm then cannot resolve the README's
 * relative links, and provenance needs it), README links relative to the repository.
 *
 * @example
 * ```ts
 * for (const advice of adviseTarball(pkg)) console.warn(advice);
 * ```
 */
export function adviseTarball(pkg: PackedPackage): string[] {
  const advice: string[] = [];
  let manifest: { license?: unknown; repository?: unknown } = {};
  try {
    manifest = JSON.parse(pkg.files.get('package.json')?.toString('utf8') ?? '{}') as typeof manifest;
  } catch {
    return advice; // checkTarball reports it
  }
  const paths = [...pkg.files.keys()];
  if (typeof manifest.license === 'string' && !paths.some((path) => /^LICEN[CS]E(\.md|\.txt)?$/i.test(path))) {
    advice.push(`license is ${manifest.license} but no LICENSE file is packed (the MIT and most licenses ask for their text to ship)`);
  }
  if (manifest.repository === undefined) advice.push('package.json has no "repository": npm cannot link the source, resolve relative README links or attach provenance');
  const relative = [...(pkg.files.get('README.md')?.toString('utf8') ?? '').matchAll(/\]\((\.{1,2}\/[^)#\s]*)/g)].map((match) => match[1]);
  if (relative.length > 0) advice.push(`README.md links ${[...new Set(relative)].join(', ')}, which do not exist on npmjs.com${manifest.repository === undefined ? '' : ' unless resolved against "repository"'}`);
  return advice.map((line) => `${pkg.name}: ${line}`);
}
