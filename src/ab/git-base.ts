/**
 * `strain ab --base-ref REF`: the base taken from a temporary git worktree at
 * REF (the extractor file there, and what it imports relatively), with
 * packages resolved from the current checkout's node_modules. The worktree
 * is removed afterwards, whatever happened.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StrainError } from '../errors.js';

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new StrainError('STRAIN_USAGE', `git ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`, { where: cwd });
  }
}

export interface GitBase {
  /** The base extractor (path#export) inside the worktree. */
  spec: string;
  baseCommit: string;
  /** The current checkout's commit (HEAD), with "+dirty" when the candidate's file has uncommitted changes. */
  candidateCommit: string;
  /** Removes the worktree; safe to call twice. */
  remove: () => void;
}

/**
 * A worktree of `ref` holding `extractor` (a path, optionally #export, of a
 * file inside the current repository). Throws a coded error when there is no
 * repository, the ref is unknown or the file is not in the ref.
 */
export function baseFromRef(ref: string, extractor: string, cwd: string): GitBase {
  const hash = extractor.lastIndexOf('#');
  const file = path.resolve(cwd, hash > 0 ? extractor.slice(0, hash) : extractor);
  const exportPart = hash > 0 ? extractor.slice(hash) : '';
  const dir = path.dirname(file);
  const root = git(dir, ['rev-parse', '--show-toplevel']);
  const rel = path.relative(root, file);
  if (rel.startsWith('..')) throw new StrainError('STRAIN_USAGE', `the extractor ${file} is outside the git repository at ${root}`);
  const baseCommit = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  const candidateCommit = git(root, ['rev-parse', 'HEAD']);
  const dirty = git(root, ['status', '--porcelain', '--', rel]) !== '';
  try {
    git(root, ['cat-file', '-e', `${baseCommit}:${rel.split(path.sep).join('/')}`]);
  } catch {
    throw new StrainError('STRAIN_FILE_MISSING', `${rel} does not exist at ${ref} (${baseCommit.slice(0, 12)})`, { where: root });
  }
  const parent = mkdtempSync(path.join(tmpdir(), 'strain-base-'));
  const tree = path.join(parent, 'tree');
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    try {
      git(root, ['worktree', 'remove', '--force', tree]);
    } catch {
      // Already gone, or never added: prune whatever git still records.
      try {
        git(root, ['worktree', 'prune']);
      } catch {
        /* nothing left to do */
      }
    }
    rmSync(parent, { recursive: true, force: true });
  };
  try {
    git(root, ['worktree', 'add', '--detach', tree, baseCommit]);
    // Packages come from the current checkout: a worktree has no node_modules of its own.
    const modules = path.join(root, 'node_modules');
    if (existsSync(modules) && !existsSync(path.join(tree, 'node_modules'))) symlinkSync(modules, path.join(tree, 'node_modules'), 'dir');
  } catch (e) {
    remove();
    throw e;
  }
  return { spec: `${path.join(tree, rel)}${exportPart}`, baseCommit, candidateCommit: dirty ? `${candidateCommit}+dirty` : candidateCommit, remove };
}
