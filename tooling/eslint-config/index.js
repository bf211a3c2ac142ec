// The one ESLint configuration of the workspace: typescript-eslint's type-checked rules, and the
// layering of DESIGN.md as rules — core loads no node:net/dgram/tls at run time; tcp and udp never
// import the test kit outside their tests; no import cycle anywhere.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const TESTS = ['**/*.test.ts', '**/*.test-support.ts', '**/test/**/*.ts'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '**/*.cjs', '**/vitest.config.ts', 'vitest.shared.ts', 'docs/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // `void promise` is how a deliberate fire-and-forget is marked.
      'no-void': 'off',
      // Reads and connects reject with the caller's `signal.reason`, whatever it is, as Node's APIs do.
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      // `async` is how a method turns its throws into rejections, whether or not it awaits.
      '@typescript-eslint/require-await': 'off',
      // Service resources are taken off the service and called with `.call(service, ...)`.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // The global Buffer is a getter (Node keeps it for ES modules): each use calls it, about 13 ns,
    // on every write. Library code imports it.
    files: ['packages/*/src/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-globals': ['error', { name: 'Buffer', message: "import { Buffer } from 'node:buffer': the global Buffer is a getter, called on every use" }],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:net', message: 'core loads no node:net at run time (a type-only import is fine)', allowTypeImports: true },
            { name: 'net', message: 'core loads no net at run time', allowTypeImports: true },
            { name: 'node:dgram', message: 'core imports no node:dgram', allowTypeImports: true },
            { name: 'dgram', message: 'core imports no dgram', allowTypeImports: true },
            { name: 'node:tls', message: 'core loads no node:tls at run time (transports pass it in)', allowTypeImports: true },
            { name: 'tls', message: 'core loads no tls at run time', allowTypeImports: true },
          ],
          patterns: [{ group: ['@sock/*'], message: 'core imports no other @sock package' }],
        },
      ],
    },
  },
  {
    files: ['packages/tcp/src/**/*.ts', 'packages/udp/src/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@sock/testkit', '@sock/testkit/*'], message: 'transports never import the test kit (their tests may)' }] }],
    },
  },
  {
    files: ['packages/testkit/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@sock/tcp', '@sock/udp'], message: 'the test kit builds on @sock/core only' }] },
      ],
    },
  },
  {
    files: TESTS,
    rules: {
      // Tests hand vitest async callbacks and poke at values on purpose.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
);
