import { describe, expect, it } from 'vitest';
import { adviseTarball, checkTarball, type PackedPackage } from './tarball-checks.js';

const expected = { engines: '>=20', versions: new Map([['@x/core', '1.2.0'], ['@x/tcp', '1.2.0']]) };

function manifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '@x/tcp',
    version: '1.2.0',
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    engines: { node: '>=20' },
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist', 'src', '!**/*.test.*', 'README.md'],
    publishConfig: { access: 'public' },
    dependencies: { '@x/core': '^1.2.0' },
    devDependencies: { vitest: '4.1.12' },
    ...overrides,
  };
}

// A package as pnpm pack makes it: dist with maps into the shipped src, no tests.
function packed(overrides: Record<string, unknown> = {}, files: Record<string, string | undefined> = {}): PackedPackage {
  const contents: Record<string, string | undefined> = {
    'package.json': JSON.stringify(manifest(overrides)),
    'README.md': '# x',
    'src/index.ts': "export { a } from './a.js';",
    'src/a.ts': "import { b } from '@x/core';\nexport const a = b;",
    'dist/index.js': "export { a } from './a.js';\n//# sourceMappingURL=index.js.map",
    'dist/index.js.map': JSON.stringify({ version: 3, file: 'index.js', sources: ['../src/index.ts'], mappings: '' }),
    'dist/index.d.ts': "export { a } from './a.js';\n//# sourceMappingURL=index.d.ts.map",
    'dist/index.d.ts.map': JSON.stringify({ version: 3, file: 'index.d.ts', sources: ['../src/index.ts'], mappings: '' }),
    'dist/a.js': "// from './nowhere.js' in a comment is no import\nimport { b } from '@x/core';\nimport 'node:net';\nexport const a = b;",
    'dist/a.d.ts': 'export declare const a: number;',
    ...files,
  };
  const entries = Object.entries(contents).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { name: '@x/tcp', version: '1.2.0', files: new Map(entries.map(([path, text]) => [path, Buffer.from(text)])) };
}

function problems(pkg: PackedPackage): string[] {
  return checkTarball(pkg, expected);
}

describe('checkTarball', () => {
  it('accepts a package as pnpm pack makes it', () => {
    expect(problems(packed())).toEqual([]);
  });

  it('finds a missing package.json and a manifest that is not JSON', () => {
    expect(problems(packed({}, { 'package.json': undefined }))).toEqual(['@x/tcp: the tarball has no package.json']);
    expect(problems(packed({}, { 'package.json': '{' }))[0]).toMatch(/not JSON/);
  });

  it.each([
    ['engines', { engines: { node: '>=18' } }, /engines\.node/],
    ['no engines', { engines: undefined }, /engines\.node/],
    ['sideEffects', { sideEffects: true }, /sideEffects/],
    ['type', { type: 'commonjs' }, /"type" must be "module"/],
    ['version', { version: '9.9.9' }, /version is "9\.9\.9"/],
    ['license', { license: undefined }, /license/],
    ['no files list', { files: undefined }, /no "files" list/],
    ['unmatched files entry', { files: ['dist', 'lib', 'README.md'] }, /"files" lists lib/],
    ['workspace range', { dependencies: { '@x/core': 'workspace:^' } }, /workspace-only range/],
    ['catalog range', { devDependencies: { vitest: 'catalog:' } }, /workspace-only range/],
    ['stale internal range', { dependencies: { '@x/core': '^1.1.0' } }, /expected "\^1\.2\.0"/],
    ['publishConfig.exports left', { publishConfig: { exports: {} } }, /publishConfig\.exports survived/],
    ['source condition', { exports: { '.': { '@sock/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } } }, /@sock\/source/],
    ['types not first', { exports: { '.': { default: './dist/index.js', types: './dist/index.d.ts' } } }, /"types" first/],
    ['missing target', { exports: { '.': { types: './dist/index.d.ts', default: './dist/main.js' } } }, /\.\/dist\/main\.js, which is not in the tarball/],
    ['target in src', { exports: { '.': { types: './dist/index.d.ts', default: './src/index.ts' } } }, /points at the sources/],
    ['types target not .d.ts', { exports: { '.': { types: './dist/index.js', default: './dist/index.js' } } }, /not a \.d\.ts file/],
    ['main disagrees', { main: './dist/a.js' }, /"main" \(\.\/dist\/a\.js\) and exports\["\."\]\.default/],
    ['no types field', { types: undefined }, /no "types"/],
    ['undeclared dependency', { dependencies: {} }, /imports @x\/core, which is not a dependency/],
  ])('finds a bad manifest: %s', (_name, overrides, message) => {
    const found = problems(packed(overrides));
    expect(found.some((problem) => message.test(problem)), found.join('\n')).toBe(true);
  });

  it('finds test files, build config and files outside dist/src', () => {
    const found = problems(packed({}, { 'src/a.test.ts': '', 'dist/a.test.d.ts': '', 'test/helpers.ts': '', 'tsconfig.json': '{}', 'notes.txt': '' }));
    expect(found.filter((problem) => /test or build-config file/.test(problem)).map((problem) => problem.split(': ').at(-1))).toEqual([
      'src/a.test.ts',
      'dist/a.test.d.ts',
      'test/helpers.ts',
      'tsconfig.json',
    ]);
    expect(found).toContain('@x/tcp: unexpected file in the tarball: notes.txt');
  });

  it('finds source maps whose sources are not packed, unless the sources are inlined', () => {
    const withoutSrc = packed({ files: ['dist', 'README.md'] }, { 'src/index.ts': undefined, 'src/a.ts': undefined });
    expect(problems(withoutSrc)).toEqual([
      '@x/tcp: dist/index.js.map references ../src/index.ts (src/index.ts), which is not in the tarball',
      '@x/tcp: dist/index.d.ts.map references ../src/index.ts (src/index.ts), which is not in the tarball',
    ]);
    const inlined = JSON.stringify({ version: 3, sources: ['../src/index.ts'], sourcesContent: ['export {}'], mappings: '' });
    const declarationMapDropped = "export { a } from './a.js';";
    expect(
      problems(
        packed({ files: ['dist', 'README.md'] }, { 'src/index.ts': undefined, 'src/a.ts': undefined, 'dist/index.js.map': inlined, 'dist/index.d.ts': declarationMapDropped, 'dist/index.d.ts.map': undefined }),
      ),
    ).toEqual([]);
    expect(problems(packed({}, { 'dist/index.js.map': JSON.stringify({ version: 3, sources: ['../../outside.ts'], mappings: '' }) }))).toEqual([
      '@x/tcp: dist/index.js.map references ../../outside.ts, outside the package',
    ]);
    expect(problems(packed({}, { 'dist/index.d.ts.map': undefined }))).toEqual(['@x/tcp: dist/index.d.ts names the source map index.d.ts.map, which is not in the tarball']);
  });

  it('finds stale build output and relative imports of files that were not packed', () => {
    expect(problems(packed({}, { 'dist/old.js': '' }))).toEqual(['@x/tcp: dist/old.js has no source in src/: stale build output (build from a clean dist)']);
    expect(problems(packed({}, { 'dist/a.js': "import './gone.js';" }))).toEqual(['@x/tcp: dist/a.js imports ./gone.js, which is not in the tarball']);
  });

  it('allows an optional peer on a subpath but not on the main entry', () => {
    const withPeer = {
      peerDependencies: { vitest: '>=3' },
      exports: {
        '.': { types: './dist/index.d.ts', default: './dist/index.js' },
        './suite': { types: './dist/suite.d.ts', default: './dist/suite.js' },
      },
    };
    const suite = { 'src/suite.ts': '', 'dist/suite.js': "import { it } from 'vitest';", 'dist/suite.d.ts': 'export {};' };
    expect(problems(packed(withPeer, suite))).toEqual([]);
    expect(problems(packed(withPeer, { ...suite, 'dist/a.js': "import 'vitest'; import '@x/core';" }))).toEqual([
      "@x/tcp: the main entry reaches dist/a.js, which imports the peer vitest: users without it cannot import @x/tcp",
    ]);
  });
});

describe('adviseTarball', () => {
  it('advises on a missing LICENSE file, repository field and relative README links', () => {
    expect(adviseTarball(packed({}, { 'README.md': 'See [core](../core/README.md) and [the site](https://x.dev).' }))).toEqual([
      '@x/tcp: license is MIT but no LICENSE file is packed (the MIT and most licenses ask for their text to ship)',
      '@x/tcp: package.json has no "repository": npm cannot link the source, resolve relative README links or attach provenance',
      '@x/tcp: README.md links ../core/README.md, which do not exist on npmjs.com',
    ]);
  });

  it('has nothing to say about a package with its license text and repository', () => {
    expect(adviseTarball(packed({ repository: 'github:x/x' }, { LICENSE: 'MIT License' }))).toEqual([]);
  });
});
