/**
 * Evidence before advice: whether a candidate goes into what `--write` writes by default, goes
 * under "review", or is withheld, and what that rests on. Judged on the recorded tree (one walk),
 * with git's view and what the builds read (build-reads.ts):
 *
 * - outside every build's read area, a path cannot be read by any build: safe whatever it is;
 * - inside one (the build copies the whole context, or the directory holding it), the knowledge
 *   table's `whenRead` decides (caches, editor and OS files always; dependency folders when git
 *   does not track them and the image installs its own; VCS data unless a step runs git;
 *   secrets, logs, reports when git does not track them), and anything else, including tracked
 *   files that merely look like artifacts and `.gitignore` conversions, is for review.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { npmrcHoldsCredential, whenReadOf, type ArtifactRule } from '../knowledge/artifacts.js';
import type { BuildRead, BuildReads, StepRef } from './build-reads.js';
import type { ContextTree } from './engine.js';
import type { GitStatus } from './git-status.js';
import { readInputText } from '../input/read-file.js';

/** The outcome of judging a candidate. */
export type Verdict =
  | { status: 'write'; evidence: string }
  | { status: 'review'; evidence: string }
  | { status: 'withheld'; evidence: string };

/** What a candidate is, for judging. */
export type CandidateKind = { kind: 'table'; rule: ArtifactRule } | { kind: 'gitignore' } | { kind: 'large-file' };

export interface Judge {
  tree: ContextTree;
  reads: BuildReads;
  git: GitStatus;
  root: string;
}

function stepText(ref: StepRef): string {
  return `RUN ${ref.program} (line ${ref.step.line} of ${ref.build.label})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Where the builds read the flagged entries, in one phrase. */
function whereRead(builds: readonly BuildRead[]): string {
  if (builds.length === 0) return 'there is no Dockerfile, so what a build reads is unknown';
  const parts = builds.map((b) => {
    if (b.plan === null) return `${b.label} could not be read (${b.unknown ?? 'unknown'}), so what it reads is unknown`;
    if (b.whole) return `${b.label} copies the whole context (${b.whole})`;
    return `${b.label} copies the directory holding it`;
  });
  return parts.slice(0, 2).join('; ') + (parts.length > 2 ? `; and ${parts.length - 2} more` : '');
}

/** Files git tracks among the flagged entries (paths, in tree order). */
function trackedFiles(judge: Judge, flags: Uint8Array): string[] {
  const out: string[] = [];
  judge.tree.entries.forEach((entry, i) => {
    if (flags[i] === 1 && judge.git.tracked[i] === 1 && entry.type !== 'dir') out.push(entry.path);
  });
  return out;
}

function files(judge: Judge, flags: Uint8Array): string[] {
  const out: string[] = [];
  judge.tree.entries.forEach((entry, i) => flags[i] === 1 && entry.type === 'file' && out.push(entry.path));
  return out;
}

/** A package of the context root that takes its version from git when pip builds it. */
function buildsVersionFromGit(root: string): string | null {
  for (const name of ['pyproject.toml', 'setup.cfg', 'setup.py']) {
    let text: string;
    try {
      text = readInputText(path.join(root, name));
    } catch {
      continue;
    }
    const m = /setuptools[_-]scm|setuptools[_-]git|hatch[_-]vcs|uv[_-]dynamic[_-]versioning|versioningit|dunamai|poetry-dynamic-versioning|use_scm_version|\bpbr\b|source\s*=\s*["']scm["']/.exec(text);
    if (m) return `${name} uses ${m[0]}`;
  }
  return null;
}

/**
 * A root package.json script that calls git and that the build runs: an install lifecycle script,
 * or one a RUN step names (`npm run build`, `yarn build`), with its pre/post scripts.
 */
function packageScriptRunsGit(root: string, stepTexts: readonly string[]): string | null {
  const lifecycle = new Set(['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'postpack']);
  try {
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> }).scripts ?? {};
    for (const [name, command] of Object.entries(scripts)) {
      const base = name.replace(/^(pre|post)(?!install$)/, '');
      const named = stepTexts.some((t) => new RegExp(`(^|[\\s:])${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[\\s;&|])`).test(t));
      if (!lifecycle.has(name) && !named) continue;
      if (typeof command === 'string' && /(^|[\s;&|(`])git\s/.test(command)) return name;
    }
  } catch {
    // no package.json, or not JSON
  }
  return null;
}

/** A Cargo build script or manifest that takes facts from git (vergen, built's git2, `git` run from build.rs). */
function cargoBuildUsesGit(judge: Judge): string | null {
  let looked = 0;
  for (const entry of judge.tree.entries) {
    if (entry.type !== 'file' || looked > 200) continue;
    const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
    if (name !== 'build.rs' && name !== 'Cargo.toml') continue;
    looked++;
    let text: string;
    try {
      text = readFileSync(path.join(judge.root, entry.path), 'utf8');
    } catch {
      continue;
    }
    const m = name === 'build.rs' ? /vergen|Command::new\("git"\)|git2::/.exec(text) : /\bvergen|built\s*=.*git2/.exec(text);
    if (m) return `${entry.path} uses ${m[0]}`;
  }
  return null;
}

/** Whether a Makefile at the root calls git. */
function makefileRunsGit(root: string): boolean {
  for (const name of ['Makefile', 'makefile', 'GNUmakefile', 'Makefile.common']) {
    try {
      if (/(^|[\s(`;])git\s/m.test(readInputText(path.join(root, name)))) return true;
    } catch {
      // none
    }
  }
  return false;
}

/**
 * Judge a candidate's removal (one flag per tree entry). The verdict says what it rests on in a
 * sentence the report prints.
 */
export function judgeRemoval(judge: Judge, what: CandidateKind, flags: Uint8Array): Verdict {
  const { reads, git } = judge;
  const inRead = flags.map((f, i) => (f === 1 && reads.area[i] === 1 ? 1 : 0));
  const readers = reads.none ? [] : reads.readers(inRead);
  const rule = what.kind === 'table' ? what.rule : null;

  // Content first: an .npmrc without a credential is configuration, never a secret.
  if (rule?.readBy) {
    const all = files(judge, flags);
    const withCredential = all.filter((p) => {
      try {
        return npmrcHoldsCredential(readInputText(path.join(judge.root, p)));
      } catch {
        return true;
      }
    });
    if (all.length > 0 && withCredential.length === 0) {
      return { status: 'withheld', evidence: `${all.slice(0, 3).join(', ')} ${all.length === 1 ? 'holds' : 'hold'} no credential (no token or password written out): configuration, not a secret` };
    }
    if (inRead.some((f) => f === 1)) {
      const reader = reads.runs(readers, rule.readBy, 'context');
      if (reader || readers.length === 0) {
        return {
          status: 'review',
          evidence: `it holds a credential, but ${reader ? stepText(reader) : 'a build'} may read it: pass it as a secret (RUN --mount=type=secret,id=npmrc,target=/root/.npmrc) and then exclude it`,
        };
      }
    }
  }

  if (!inRead.some((f) => f === 1)) {
    const names = reads.builds.map((b) => b.label);
    return { status: 'write', evidence: `no build reads it: it lies outside every path ${names.length === 1 ? names[0] : names.join(', ')} copies or mounts` };
  }

  const where = whereRead(readers.length > 0 ? readers : reads.builds);
  if (what.kind === 'gitignore') {
    return { status: 'review', evidence: `git ignores it (a local artifact), but ${where}: a step before docker build may create it on purpose` };
  }
  if (what.kind === 'large-file') {
    return { status: 'review', evidence: `${where}: ctxsize cannot tell whether the image needs it` };
  }
  const mode = whenReadOf(rule!);
  const tracked = trackedFiles(judge, inRead);
  const trackedNote = (): string =>
    `git tracks ${plural(tracked.length, 'file')} of it (${tracked.slice(0, 2).join(', ')}${tracked.length > 2 ? ', …' : ''}): source until shown otherwise, and ${where}`;
  switch (mode) {
    case 'exclude':
      return { status: 'write', evidence: `${rule!.category === 'editor' || rule!.category === 'os' ? 'editor or OS metadata' : 'a cache its tool recreates'}: no build step needs it` };
    case 'unless-git': {
      const step = reads.runs(readers, ['git'], 'root');
      if (step) return { status: 'withheld', evidence: `${stepText(step)} runs git in a step that sees the context: it needs .git` };
      const make = reads.runs(readers, ['make'], 'root');
      if (make && makefileRunsGit(judge.root)) {
        return { status: 'review', evidence: `${stepText(make)} runs make, and the Makefile calls git: it may need .git for a version` };
      }
      const pip = reads.runs(readers, ['pip', 'pip3', 'uv', 'poetry', 'pdm', 'hatch', 'python', 'python3'], 'root');
      const scm = pip ? buildsVersionFromGit(judge.root) : null;
      if (pip && scm) return { status: 'review', evidence: `${stepText(pip)} builds the package and ${scm}, which reads the version from .git` };
      const node = reads.runs(readers, ['npm', 'pnpm', 'yarn', 'bun'], 'root');
      const script = node ? packageScriptRunsGit(judge.root, readers.flatMap((b) => b.steps.filter((st) => st.seesRoot).map((st) => st.text))) : null;
      if (node && script) return { status: 'review', evidence: `${stepText(node)} runs package scripts, and the script "${script}" in package.json calls git` };
      const cargo = reads.runs(readers, ['cargo'], 'root');
      const vcs = cargo ? cargoBuildUsesGit(judge) : null;
      if (cargo && vcs) return { status: 'review', evidence: `${stepText(cargo)} builds the crates, and ${vcs}, which reads git` };
      if (readers.length === 0) return { status: 'write', evidence: 'VCS data; no Dockerfile was found to run git (keep .git if a build step will)' };
      return { status: 'write', evidence: 'VCS data: no RUN step that sees it calls git, nor make, a package script or a build (setuptools-scm, vergen) that reads it' };
    }
    case 'untracked':
      if (!git.repo) return { status: 'review', evidence: `not in a git repository, so ctxsize cannot tell source from artifact, and ${where}` };
      if (tracked.length > 0) return { status: 'review', evidence: trackedNote() };
      return { status: 'write', evidence: 'git does not track it: a fresh clone has none, so no build that works from a clone needs it' };
    case 'recreated': {
      if (tracked.length > 0) return { status: 'review', evidence: trackedNote() };
      const step = reads.runs(readers, rule!.recreatedBy ?? []);
      if (step) return { status: 'write', evidence: `${git.repo ? 'git does not track it, and ' : ''}the image makes its own: ${stepText(step)}` };
      return {
        status: 'review',
        evidence: `${where}, and no RUN step recreates it${rule!.recreatedBy ? ` (none calls ${rule!.recreatedBy.join(', ')})` : ''}: the image may use the copy from the host`,
      };
    }
    default:
      return { status: 'review', evidence: `${where}: ctxsize cannot tell whether a build step reads it` };
  }
}
