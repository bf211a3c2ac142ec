import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeFailure, run } from './run.js';
import type { PublicPackage } from './workspace.js';

/** What `changeset version` did to a copy of the repository. */
export interface ChangesetOutcome {
  readonly problems: string[];
  /** e.g. `0.1.0 → 0.1.1`. */
  readonly note: string;
}

const THROWAWAY = 'zz-release-check-throwaway';

/** The workspace package folders, from the simple globs (`dir` or `dir/*`) pnpm-workspace.yaml uses. */
function workspaceDirs(root: string): string[] {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^packages:\s*\n((?:\s+-\s.*\n?)+)/m.exec(yaml)?.[1] ?? '';
  const dirs: string[] = [];
  for (const match of block.matchAll(/-\s*["']?([^"'\n]+?)["']?\s*$/gm)) {
    const pattern = match[1] ?? '';
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      if (!existsSync(join(root, parent))) continue;
      for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) if (entry.isDirectory()) dirs.push(`${parent}/${entry.name}`);
    } else dirs.push(pattern);
  }
  return dirs.filter((dir) => existsSync(join(root, dir, 'package.json')));
}

/**
 * Copies what `changeset version` reads (root manifest, workspace file, `.changeset/`, every
 * workspace package.json and CHANGELOG.md) to `into`: the real repository is never touched.
 */
function copyRepository(root: string, into: string): string[] {
  const dirs = workspaceDirs(root);
  mkdirSync(into, { recursive: true });
  for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(root, file), join(into, file));
  cpSync(join(root, '.changeset'), join(into, '.changeset'), { recursive: true });
  for (const dir of dirs) {
    for (const file of ['package.json', 'CHANGELOG.md']) {
      if (!existsSync(join(root, dir, file))) continue;
      mkdirSync(dirname(join(into, dir, file)), { recursive: true });
      cpSync(join(root, dir, file), join(into, dir, file));
    }
  }
  return dirs;
}

function versionOf(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '';
}

function semver(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.split(/[.-]/).map(Number);
  return [major, minor, patch];
}

function newer(next: string, previous: string): boolean {
  const a = semver(next);
  const b = semver(previous);
  for (let index = 0; index < 3; index += 1) if ((a[index] ?? 0) !== (b[index] ?? 0)) return (a[index] ?? 0) > (b[index] ?? 0);
  return false;
}

/**
 * Runs `changeset version` on a scratch copy with one throwaway patch changeset for the last public
 * package, either alone (`pending: false`: proves the `fixed` group) or on top of the pending
 * changesets (`pending: true`: what the next real release does), and checks that every public
 * package got the same, higher version and a CHANGELOG entry for it, that private packages kept
 * theirs, and that the changesets were used up.
 *
 * @example
 * ```ts
 * const { problems, note } = await checkChangesetVersion(ROOT, tmp, publicPackages(), changesetBin, { pending: false });
 * ```
 */
export async function checkChangesetVersion(
  root: string,
  tmp: string,
  packages: readonly PublicPackage[],
  changesetBin: string,
  options: { pending: boolean },
): Promise<ChangesetOutcome> {
  const copy = join(tmp, options.pending ? 'changeset-pending' : 'changeset-fixed', 'repo');
  const dirs = copyRepository(root, copy);
  const changesetDir = join(copy, '.changeset');
  if (!options.pending) {
    for (const file of readdirSync(changesetDir)) if (file.endsWith('.md') && file !== 'README.md') rmSync(join(changesetDir, file));
  }
  const last = packages.at(-1);
  if (last === undefined) return { problems: ['no public package to version'], note: '' };
  writeFileSync(join(changesetDir, `${THROWAWAY}.md`), `---\n"${last.name}": patch\n---\n\nRelease check ${THROWAWAY}.\n`);
  const before = new Map(dirs.map((dir) => [dir, versionOf(join(copy, dir))]));

  const result = await run(process.execPath, [changesetBin, 'version'], { cwd: copy, timeoutInMillis: 120_000 });
  if (result.code !== 0) return { problems: [`changeset version: ${describeFailure(result)}`], note: '' };

  const problems: string[] = [];
  const publicDirs = new Map(packages.map((pkg) => [pkg.dir.slice(root.length).replace(/^\/+|\/+$/g, ''), pkg]));
  const versions = new Set<string>();
  for (const dir of dirs) {
    const previous = before.get(dir) ?? '';
    const next = versionOf(join(copy, dir));
    const pkg = publicDirs.get(dir);
    if (pkg === undefined) {
      if (next !== previous) problems.push(`${dir} is private but changeset version moved it ${previous} → ${next}`);
      continue;
    }
    versions.add(next);
    if (!newer(next, previous)) problems.push(`${pkg.name} stayed at ${next}`);
    const changelog = join(copy, dir, 'CHANGELOG.md');
    const text = existsSync(changelog) ? readFileSync(changelog, 'utf8') : '';
    if (!new RegExp(`^## ${next.replace(/\./g, '\\.')}$`, 'm').test(text)) problems.push(`${pkg.name}'s CHANGELOG.md has no "## ${next}" entry`);
    if (pkg.name === last.name && !text.includes(THROWAWAY)) problems.push(`${pkg.name}'s CHANGELOG.md lacks the throwaway changeset's summary`);
  }
  if (versions.size !== 1) problems.push(`the fixed packages got different versions: ${[...versions].join(', ')}`);
  const left = readdirSync(changesetDir).filter((file) => file.endsWith('.md') && file !== 'README.md');
  if (left.length > 0) problems.push(`changesets left unconsumed: ${left.join(', ')}`);
  const from = [...new Set(packages.map((pkg) => pkg.version))].join('/');
  return { problems, note: `${from} → ${[...versions].join('/')}` };
}
