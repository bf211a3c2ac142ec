import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file is `tooling/release-check/src/workspace.ts`. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A publishable workspace package. */
export interface PublicPackage {
  readonly name: string;
  readonly version: string;
  /** Absolute directory. */
  readonly dir: string;
}

interface PackageJson {
  name?: string;
  version?: string;
  private?: boolean;
  engines?: { node?: string };
}

function readJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
}

/**
 * Every non-private package under `packages/`, in directory order.
 *
 * @example
 * ```ts
 * publicPackages().map((pkg) => pkg.name); // ['@sock/core', '@sock/tcp', ...]
 * ```
 */
export function publicPackages(root = ROOT): PublicPackage[] {
  const found: PublicPackage[] = [];
  for (const entry of readdirSync(join(root, 'packages'), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, 'packages', entry.name);
    let manifest: PackageJson;
    try {
      manifest = readJson(join(dir, 'package.json'));
    } catch {
      continue;
    }
    if (manifest.private === true || manifest.name === undefined || manifest.version === undefined) continue;
    found.push({ name: manifest.name, version: manifest.version, dir });
  }
  return found;
}

/**
 * `engines.node` of the root `package.json`.
 *
 * @example
 * ```ts
 * rootEngines(); // '>=20'
 * ```
 */
export function rootEngines(root = ROOT): string {
  const engines = readJson(join(root, 'package.json')).engines?.node;
  if (engines === undefined) throw new Error('the root package.json has no engines.node');
  return engines;
}

/**
 * The `catalog:` versions of `pnpm-workspace.yaml` (a flat map, which is all the file uses), so the
 * scratch projects install the same third-party versions the repository tests with.
 *
 * @example
 * ```ts
 * catalog().get('vitest'); // '4.1.12'
 * ```
 */
export function catalog(root = ROOT): Map<string, string> {
  const versions = new Map<string, string>();
  let inside = false;
  for (const line of readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').split('\n')) {
    if (/^catalog:\s*$/.test(line)) {
      inside = true;
      continue;
    }
    if (!inside || line.trim() === '' || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) break;
    const match = /^\s+["']?([^"':]+)["']?:\s*["']?([^"'\s#]+)/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) versions.set(match[1], match[2]);
  }
  return versions;
}

/**
 * A catalog version that must be there.
 *
 * @example
 * ```ts
 * `vitest@${catalogVersion(versions, 'vitest')}`;
 * ```
 */
export function catalogVersion(versions: ReadonlyMap<string, string>, name: string): string {
  const version = versions.get(name);
  if (version === undefined) throw new Error(`pnpm-workspace.yaml has no catalog entry for ${name}`);
  return version;
}
