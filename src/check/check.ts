import { accessSync, lstatSync, constants as fsConstants } from 'node:fs';
import { formatCount } from '../report/numbers.js';
import { displayPath } from '../report/display-path.js';
import path from 'node:path';
import { createFilter } from '../context/filter.js';
import { followLinks } from '../context/follow-links.js';
import { resolveContext, type ContextOptions, type ResolvedContext } from '../context/resolve.js';
import { BuildahMatcher } from '../dockerignore/buildah.js';
import { PatternMatcher } from '../dockerignore/matcher.js';
import { IgnoreFileError, type IgnoreFile } from '../dockerignore/read.js';
import { artifactMatcher } from '../knowledge/artifacts.js';
import { SECRET_SCAN_MAX_BYTES } from '../knowledge/secret-content.js';
import { SecondThread } from './second-thread.js';
import { readForScan, readRangeForScan } from './scan-file.js';
import { BuildFailure, type Builder, type BuilderFilter } from '../dockerignore/builders.js';
import { ContextTree, replayFilter } from '../walk/replay.js';
import type { Entry, WalkWarning } from '../walk/entry.js';
import { fillUnknownSizes, walkContext } from '../walk/walk.js';
import { recordDirectory } from './record.js';
import { classicBuildFiles, compareBuilders, shadowedIgnoreFile } from './builders.js';
import { dockerfileUse, type DockerfileUse } from './dockerfile-sources.js';
import { lintIgnoreRules } from './ignore-rules.js';
import { lateErrorFinding, lintIgnoreSyntax } from './ignore-syntax.js';
import { severityOf } from './rules.js';
import { findSecrets, isForeignDir, scannable } from './secrets.js';
import { checkSources } from './sources.js';
import { lintBuildahSyntax, podmanDifferences } from './podman.js';
import { indexTree, isWithin, type TreeIndex } from './tree.js';
import type { CheckReport, Finding, Severity } from './types.js';
import { readGitView, type GitView } from '../context/git-view.js';
import { findReaders, type DockerfileReader } from '../context/readers.js';
import { RULES } from './rules.js';
import { applySuppressions, inlineSuppressions, type RuleSuppression } from './suppress.js';
import { readFileSync } from 'node:fs';

function builderName(builder: Builder): string {
  return builder === 'buildkit' ? 'BuildKit' : builder === 'buildah' ? 'Podman/Buildah' : 'the classic builder';
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The differences between Podman's and Docker's reading, when both kinds of user build: both
 * `.containerignore` and `.dockerignore` exist, or the options name both builders.
 */
function podmanFindings(options: CheckOptions, root: string, views: BuilderView[], treePaths: string[]): Finding[] {
  const both = exists(path.join(root, '.containerignore')) && exists(path.join(root, '.dockerignore'));
  const named = new Set([options.builder ?? 'buildkit', ...(options.alsoBuilders ?? [])]);
  const podmanToo = both || named.has('buildah');
  const dockerToo = both || named.has('buildkit') || named.has('classic');
  if (!podmanToo || !dockerToo) return [];
  const docker = views.find((v) => v.builder === 'buildkit');
  let podman = views.find((v) => v.builder === 'buildah');
  if (docker === undefined) return [];
  let podmanSent = podman?.sent;
  // What Buildah refuses, when `--builder` did not make Podman the checked builder.
  const refusals: Finding[] = [];
  if (podman === undefined) {
    let context: ResolvedContext;
    try {
      context = resolveContext({ ...options, builder: 'buildah' });
    } catch {
      return []; // Buildah refuses the project: `check --builder buildah` says why
    }
    const lint = context.ignore === null ? null : lintBuildahSyntax(context.ignore);
    refusals.push(...(lint?.findings ?? []));
    const usable = lint?.usable ?? null;
    podman = { builder: 'buildah', context, usable, sent: new Set() };
    podmanSent = walkSent(root, createFilter({ ...context, ignore: usable }));
  }
  return [...refusals, ...podmanDifferences({
    docker: { file: docker.context.ignore, path: docker.context.ignorePath },
    podman: { file: podman.context.ignore, path: podman.context.ignorePath },
    platform: docker.context.platform,
    treePaths,
    dockerSent: docker.sent,
    podmanSent: podmanSent!,
  })];
}

/** Options of {@link checkContext}. */
export interface CheckOptions extends Omit<ContextOptions, 'builder'> {
  /**
   * The builder whose ignore file is linted first and whose context the Dockerfile's sources and
   * the secrets are checked against (default `buildkit`). The other builder's ignore file is
   * linted too when it is a different file.
   */
  builder?: Builder;
  /**
   * Other builders the project is built with (`--builder buildkit,podman`): with both Docker and
   * Podman named, lines the two read differently are reported.
   */
  alsoBuilders?: Builder[];
  /** The build stage to check (default: the last one). */
  target?: string;
  /** `--build-arg` values, used to resolve `ARG`s in sources. */
  buildArgs?: Record<string, string>;
  /** `--platform`: the target platforms (default: the build platform). */
  platforms?: readonly string[];
  /** Scan file contents for keys and tokens (default true). */
  scanContent?: boolean;
  /** Files larger than this are not scanned (default SECRET_SCAN_MAX_BYTES). */
  maxScanBytes?: number;
  /** Ask git which paths are tracked or ignored, the evidence several rules rest on (default true). */
  git?: boolean;
  /**
   * Also check the other Dockerfiles that read the same ignore file (siblings such as
   * `Dockerfile.base`, Compose services of this context); default true.
   */
  otherDockerfiles?: boolean;
  /** Rules to silence (`--ignore`, the configuration's `ignore` list). */
  suppress?: readonly RuleSuppression[];
  /** Told what the check is doing, phase by phase ("reading 12,000 files for secrets"): the CLI's spinner. */
  onProgress?: (doing: string) => void;
}

/** One builder's view: what it reads and what it sends. */
interface BuilderView {
  builder: Builder;
  context: ResolvedContext;
  /** The ignore file with only the rules Docker can evaluate (null: none). */
  usable: IgnoreFile | null;
  sent: Set<string>;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** What a builder sends, by a walk of the disk. */
function walkSent(root: string, filter: BuilderFilter<unknown>): Set<string> {
  const sent = new Set<string>();
  walkContext({
    root,
    filter,
    visitSkipped: false,
    sink: {
      entry(entry, isSent) {
        if (isSent) sent.add(entry.path);
      },
      warning() {},
    },
  });
  return sent;
}

function swapCase(name: string): string {
  return [...name].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

/** Does the file system holding `root` ignore case? Answered by looking a name up with its case swapped. */
function isCaseInsensitive(root: string, tree: TreeIndex): boolean {
  const candidates = [root, ...tree.entries.slice(0, 200).map((e) => path.join(root, e.path))];
  for (const abs of candidates) {
    const base = path.basename(abs);
    const swapped = swapCase(base);
    if (swapped === base) continue;
    const other = path.join(path.dirname(abs), swapped);
    if (tree.byPath.has(path.relative(root, other).split(path.sep).join('/'))) continue;
    try {
      const a = lstatSync(abs);
      const b = lstatSync(other);
      return a.ino === b.ino && a.dev === b.dev;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    }
  }
  return false;
}

function summarise(findings: readonly Finding[]): Omit<CheckReport['summary'], 'suppressed'> {
  return {
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    infos: findings.filter((f) => f.severity === 'info').length,
  };
}

/** Findings in a stable order: by file, then line, then severity. */
export function sortFindings(findings: readonly Finding[], firstFiles: readonly string[] = []): Finding[] {
  const rank = (file: string): number => {
    const i = firstFiles.indexOf(file);
    return i === -1 ? firstFiles.length : i;
  };
  return [...findings].sort(
    (a, b) =>
      rank(a.file) - rank(b.file) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
}

/**
 * The walk's hook that hands the secret scan's files to the prefetching thread: sent regular
 * files the scan reads (by name and size, outside installed dependencies), within what the
 * Dockerfile transfers when it names its sources (`includePaths` without wildcards). Erring
 * either way costs only time: the scan reads any file that was not handed over.
 */
function prefetchFiles(thread: () => SecondThread | null, max: number, includePaths: readonly string[] | null): (entry: Entry, sent: boolean) => void {
  const literal = includePaths !== null && includePaths.every((p) => !/[*?[\\]/.test(p));
  const scope = literal ? includePaths.map((p) => p.replace(/^\/+|\/+$/g, '')) : null;
  const inScope = (p: string): boolean => scope === null || scope.some((s) => s === '' || s === '.' || isWithin(p, s));
  const foreign = new Set<string>();
  const parentOf = (p: string): string => {
    const slash = p.lastIndexOf('/');
    return slash === -1 ? '' : p.slice(0, slash);
  };
  return (entry, sent) => {
    if (entry.type === 'dir') {
      if (isForeignDir(entry.path) || (foreign.size > 0 && foreign.has(parentOf(entry.path)))) foreign.add(entry.path);
      return;
    }
    const prefetch = thread();
    if (prefetch === null || !sent || entry.type !== 'file' || entry.size > max || entry.rawPath !== undefined) return;
    if ((foreign.size > 0 && foreign.has(parentOf(entry.path))) || !scannable(entry) || !inScope(entry.path)) return;
    prefetch.addFile(entry.path, entry.size);
  };
}

/**
 * Lint a build context: its ignore files (each builder's), the Dockerfile's sources against them,
 * the secrets that would travel, and the places where the two builders disagree. Returns every
 * finding; throws InputError for a missing directory or Dockerfile (and DockerfileError for a
 * Dockerfile BuildKit would refuse).
 */
export function checkContext(options: CheckOptions = {}): CheckReport {
  const threads: Threads = { second: null };
  try {
    return checkWith(options, threads);
  } finally {
    threads.second?.stop();
  }
}

/** The threads a check starts, stopped whatever happens. */
interface Threads {
  second: SecondThread | null;
}

function checkWith(options: CheckOptions, threads: Threads): CheckReport {
  const primary: Builder = options.builder ?? 'buildkit';
  const cwd = options.cwd ?? process.cwd();
  const findings: Finding[] = [];
  const resolved = new Map<Builder, ResolvedContext>();
  for (const builder of [primary, primary === 'buildkit' ? 'classic' : 'buildkit'] as Builder[]) {
    try {
      resolved.set(builder, resolveContext({ ...options, builder }));
    } catch (error) {
      if (!(error instanceof IgnoreFileError)) throw error;
      if (!findings.some((f) => f.file === error.file)) {
        findings.push({
          severity: severityOf('ignore-file-unreadable'),
          rule: 'ignore-file-unreadable',
          file: error.file,
          line: error.line,
          message: `${error.message.replace(/^[^:]*:\d+: /, '')} (Docker stops at this line and refuses the build)`,
          fix: 'shorten the line, or split its patterns over several lines',
        });
      }
    }
  }
  const root = resolved.get(primary)?.root ?? resolved.values().next().value?.root ?? path.resolve(cwd, options.dir ?? '.');
  const display = (rel: string): string => {
    const abs = path.join(root, rel);
    return displayPath(cwd, abs);
  };
  const anyContext = resolved.get(primary) ?? resolved.values().next().value;
  // Files that may hold `# ctxsize-ignore` comments, by the name findings give them.
  const commentFiles = new Map<string, string>();
  for (const context of resolved.values()) {
    if (context.ignore !== null && context.ignorePath !== null) commentFiles.set(context.ignore.file, context.ignorePath);
    if (context.dockerfile !== null) commentFiles.set(display(path.relative(root, context.dockerfile)), context.dockerfile);
  }
  let readers: DockerfileReader[] = [];
  const checkedReaders = new Set<DockerfileReader>();
  const report = (all: Finding[]): CheckReport => {
    const ignoreFiles = { buildkit: resolved.get('buildkit')?.ignorePath ?? null, classic: resolved.get('classic')?.ignorePath ?? null };
    const first = [resolved.get(primary)?.ignore?.file, resolved.get(primary)?.dockerfile ? display(path.relative(root, resolved.get(primary)!.dockerfile!)) : undefined].filter(
      (f): f is string => f !== undefined,
    );
    for (const f of all) f.evidence ??= RULES[f.rule].basis;
    const inline = new Map<string, Map<number, string[]> | undefined>();
    const { kept, suppressed } = applySuppressions(all, {
      rules: options.suppress ?? [],
      inline: (file) => {
        if (!inline.has(file)) {
          const abs = commentFiles.get(file);
          let text: string | null = null;
          try {
            text = abs === undefined ? null : readFileSync(abs, 'utf8');
          } catch {
            text = null;
          }
          inline.set(file, text === null || !text.includes('ctxsize-ignore') ? undefined : inlineSuppressions(text));
        }
        return inline.get(file);
      },
      relative: (file) => {
        const rel = path.relative(root, path.resolve(cwd, file)).split(path.sep).join('/');
        return rel.startsWith('../') || rel === '..' || path.isAbsolute(rel) ? null : rel;
      },
    });
    const sorted = sortFindings(kept, first);
    return {
      schemaVersion: 1,
      root,
      dockerfile: anyContext?.dockerfile ?? null,
      dockerfiles: readers.filter((r) => r.found === 'given' || checkedReaders.has(r)).map((r) => ({
        dockerfile: r.dockerfile,
        found: r.found,
        ...(r.service !== undefined ? { service: r.service.name, composeFile: r.service.file } : {}),
      })),
      ignoreFiles,
      findings: sorted,
      suppressed: sortFindings(suppressed, first) as typeof suppressed,
      summary: { ...summarise(sorted), suppressed: suppressed.length },
    };
  };
  if (anyContext === undefined) return report(findings);

  // 1. Each distinct ignore file on its own: syntax, and what Docker can evaluate of it.
  const views: BuilderView[] = [];
  const linted = new Map<string, { usable: IgnoreFile; quiet: Set<number> }>();
  for (const [builder, context] of resolved) {
    let usable: IgnoreFile | null = null;
    if (context.ignore !== null) {
      // Buildah reads the same file by other rules: its lint is its own.
      const key = (builder === 'buildah' ? 'buildah:' : '') + context.ignorePath!;
      let entry = linted.get(key);
      if (entry === undefined && builder === 'buildah') {
        const lint = lintBuildahSyntax(context.ignore);
        findings.push(...lint.findings);
        entry = { usable: lint.usable, quiet: new Set() };
        linted.set(key, entry);
      }
      if (entry === undefined) {
        const lint = lintIgnoreSyntax(context.ignore, context.platform);
        findings.push(...lint.findings);
        if (lint.lateErrors.length > 0) {
          // Which late error does Docker's own walk hit, if any? Walk with the patterns it would compile.
          const withLate: IgnoreFile = { file: context.ignore.file, rules: context.ignore.rules.filter((r) => lint.usable.rules.includes(r) || lint.lateErrors.includes(r)) };
          const filter = createFilter({ ...context, ignore: withLate });
          walkSent(context.root, filter);
          for (const rule of lint.lateErrors) {
            const hit = filter.failure !== null && filter.failure.pattern.line === rule.line ? filter.failure.path : null;
            findings.push(lateErrorFinding(context.ignore.file, rule, hit));
          }
        }
        const quiet = new Set(lint.findings.filter((f) => f.rule === 'misplaced-comment' || f.rule === 'trailing-comment').map((f) => f.line));
        entry = { usable: lint.usable, quiet };
        linted.set(key, entry);
      }
      usable = entry.usable;
    }
    views.push({ builder, context, usable, sent: new Set() });
  }

  // 2. The whole tree once (under the primary builder), then each builder's context.
  options.onProgress?.('walking the directory');
  const primaryView = views[0]!;
  const sanitized = (view: BuilderView): ResolvedContext => ({ ...view.context, ignore: view.usable });
  const primaryFilter = createFilter(sanitized(primaryView));
  // What the Dockerfile reads is known before the walk: the secret scan's files are then read on
  // a second thread as the walk finds them, and that thread also lists the subtrees the builder
  // skips (see second-thread.ts).
  const read = dockerfileUse(anyContext, { target: options.target, buildArgs: options.buildArgs, platforms: options.platforms });
  const max = options.maxScanBytes ?? SECRET_SCAN_MAX_BYTES;
  // Started once the walk has met enough entries to pay for it (a small project is done sooner
  // than a thread boots); what the walk met before is done on this thread, as without one.
  const startThread = (): SecondThread | null => {
    threads.second = SecondThread.start(root, max);
    return threads.second;
  };
  const prefetch = options.scanContent === false ? undefined : prefetchFiles(() => threads.second, max, primaryView.builder === 'buildkit' && read !== null && !('error' in read) ? read.includePaths : null);
  const record = recordDirectory(root, primaryFilter, { startThread, ...(prefetch === undefined ? {} : { onEntry: prefetch }) });
  const second = threads.second;
  const { all, warnings } = record;
  primaryView.sent = record.sent;
  // The first walk recorded the whole directory (unless a pattern stopped it): every other
  // question of what a filter sends is answered from that record, not from the disk again.
  const recorded = primaryFilter.failure === null ? new ContextTree(all, record.spliced ?? undefined) : null;
  const sentBy = (filter: BuilderFilter<unknown>): Set<string> => {
    if (recorded === null) return walkSent(root, filter);
    let flags: Uint8Array;
    try {
      flags = replayFilter(filter, recorded);
    } catch (error) {
      if (error instanceof BuildFailure) return walkSent(root, filter);
      throw error;
    }
    const sent = new Set<string>();
    for (let i = 0; i < flags.length; i++) if (flags[i] === 1) sent.add(recorded.entries[i]!.path);
    return sent;
  };
  for (const view of views.slice(1)) {
    // Without patterns a builder sends everything (the classic builder no sockets): no second walk.
    view.sent =
      view.usable === null || view.usable.rules.length === 0
        ? new Set(all.filter((e) => !(e.socket && view.builder === 'classic')).map((e) => e.path))
        : sentBy(createFilter(sanitized(view)));
  }
  const tree = indexTree(all, recorded ?? undefined);
  // Sizes of the files the first walk only named, where another builder sends them.
  for (const view of views) {
    if (view === primaryView) continue;
    fillUnknownSizes(root, [...view.sent].flatMap((p) => {
      const i = tree.byPath.get(p);
      return i === undefined ? [] : [all[i]!];
    }));
  }
  // The walk reads directories, not files: a file the user cannot read (mode 000) is found here.
  // BuildKit's client reads every file it sends as the user, so the build fails on it too. Root
  // reads everything, so there is nothing to look for then.
  if (process.getuid?.() !== 0) {
    for (const e of all) {
      if (e.type !== 'file' || !primaryView.sent.has(e.path)) continue;
      try {
        accessSync(path.join(root, e.path), fsConstants.R_OK);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
        if (code === 'EACCES' || code === 'EPERM') warnings.push({ path: e.path, code, message: 'cannot read file: permission denied' });
      }
    }
  }
  for (const w of warnings) {
    // Only what the builder itself reads: a directory it enters, an entry of a directory it sends.
    const slash = w.path.lastIndexOf('/');
    const parent = slash === -1 ? '' : w.path.slice(0, slash);
    const reads = tree.byPath.has(w.path) ? primaryView.sent.has(w.path) : parent === '' || primaryView.sent.has(parent);
    if (!reads) continue;
    findings.push({
      severity: severityOf('unreadable-path'),
      rule: 'unreadable-path',
      file: display(w.path),
      line: 0,
      message: `${w.message}: ${builderName(primaryView.builder)} reads it too, and the build fails`,
      fix: w.code === 'EACCES' || w.code === 'EPERM' ? 'fix its permissions, or exclude it in the ignore file' : w.code === 'ENAMETOOLONG' ? 'shorten the path, or exclude it in the ignore file' : 'exclude it in the ignore file, or fix what the message says',
      paths: [w.path],
    });
  }

  // 3. The Dockerfile: its sources, and the effective context BuildKit transfers.
  options.onProgress?.(`reading the Dockerfile (${formatCount(all.length)} entries walked)`);
  const bk = views.find((v) => v.builder === 'buildkit');
  const cl = views.find((v) => v.builder === 'classic');
  const dockerfileRel = anyContext.dockerfile !== null ? path.relative(root, anyContext.dockerfile).split(path.sep).join('/') : null;
  const dockerfileShown = anyContext.dockerfile !== null ? display(dockerfileRel!) : null;
  let use: DockerfileUse | null = null;
  if (read !== null && 'error' in read) {
    findings.push({
      severity: severityOf('dockerfile-error'),
      rule: 'dockerfile-error',
      file: dockerfileShown!,
      line: read.error.line,
      message: `${read.error.detail}: ${primary === 'buildah' ? 'the build' : 'BuildKit'} stops here, so the sources cannot be checked (the whole context is assumed)`,
      fix: read.error.line > 0 ? 'fix the Dockerfile at this line' : 'fix the Dockerfile, or name the right one with -f',
    });
  } else {
    use = read;
    for (const w of use?.warnings ?? []) {
      findings.push({
        severity: severityOf('unresolved-variable'),
        rule: 'unresolved-variable',
        file: dockerfileShown!,
        line: w.line,
        message: w.message,
        fix: 'give it a value with --build-arg (or an ARG default), as the build does',
      });
    }
  }
  const usedPaths = use?.sources.filter((s) => !s.unresolved).map((s) => s.path.replace(/^\/+|\/+$/g, '')) ?? [];
  const usesWholeContext = use === null || use.includePaths === null;
  // A path the build names, or one that holds such a path: excluding it breaks the build. (A path
  // inside a copied directory may go: the COPY still finds its directory.)
  const usedByBuild = (p: string): boolean => !usesWholeContext && usedPaths.some((u) => isWithin(u, p));
  // The other Dockerfiles that read the primary builder's ignore file: their sources count too.
  const git: GitView | null = options.git === false ? null : readGitView(root);
  const others: { shown: string; use: DockerfileUse }[] = [];
  if (options.otherDockerfiles !== false) {
    readers = findReaders(root, { dockerfile: anyContext.dockerfile });
    const shared = primaryView.context.ignorePath;
    for (const reader of readers) {
      if (reader.found === 'given') continue;
      // Readers know Docker's lookup; Podman's other Containerfiles are not followed.
      if (primaryView.builder === 'buildah' || reader.ignoreFiles[primaryView.builder] !== shared) continue;
      const rel = path.relative(root, reader.dockerfile).split(path.sep).join('/');
      const buildArgs = Object.fromEntries(Object.entries(reader.service?.args ?? {}).filter((e): e is [string, string] => e[1] !== null));
      let otherUse: ReturnType<typeof dockerfileUse>;
      try {
        otherUse = dockerfileUse({ ...primaryView.context, dockerfile: reader.dockerfile, dockerfileRelative: rel }, { target: reader.service?.target ?? undefined, buildArgs });
      } catch {
        continue; // a sibling that cannot be read or names no such stage: it is not this build's business
      }
      if (otherUse === null || 'error' in otherUse) continue;
      if (reader.found === 'sibling') {
        // Found by its name alone: when none of its literal sources is here, it is built with
        // another context (`docker build -f web/Dockerfile.e2e .`), and its findings would be false.
        const literal = otherUse.sources.filter((src) => !src.unresolved && !src.wildcard).map((src) => src.path.replace(/^\/+|\/+$/g, ''));
        if (literal.length > 0 && !literal.some((p) => p === '' || p === '.' || tree.byPath.has(p))) continue;
      }
      const shown = display(rel);
      checkedReaders.add(reader);
      commentFiles.set(shown, reader.dockerfile);
      others.push({ shown, use: otherUse });
    }
  }
  const allUses = [...(use !== null && dockerfileShown !== null ? [{ shown: dockerfileShown, use }] : []), ...others];
  const usedPathsAll = allUses.flatMap((u) => (u.use.includePaths === null ? [] : u.use.sources.filter((s) => !s.unresolved).map((s) => s.path.replace(/^\/+|\/+$/g, ''))));
  const usedByAnyBuild = (p: string): boolean => usedByBuild(p) || usedPathsAll.some((u) => u !== '' && u !== '.' && isWithin(u, p));
  const lintSources = allUses.flatMap((u) =>
    u.use.sources.map((src) => ({
      path: src.path.replace(/^\/+|\/+$/g, ''),
      glob: src.raw.replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, '*').replace(/^(\.\/)+|^\/+|\/+$/g, ''),
      dockerfile: u.shown,
      line: src.line,
    })),
  );

  let effective: Set<string> | null = null;
  let effectiveOf = 'this Dockerfile';
  if (bk !== undefined && use !== null && use.includePaths !== null) {
    effective = sentBy(createFilter(sanitized(bk), use.includePaths));
  } else if (bk !== undefined && use === null && others.length > 0 && others.every((o) => o.use.includePaths !== null)) {
    // No Dockerfile of its own, but the Dockerfiles that build this context (Compose services,
    // build scripts) say what travels: what any of them transfers.
    const union = [...new Set(others.flatMap((o) => o.use.includePaths!))];
    effective = sentBy(createFilter(sanitized(bk), union));
    effectiveOf = others.length === 1 ? others[0]!.shown : `${others.length} Dockerfiles (${others.map((o) => o.shown).join(', ')})`;
  }

  // 4. Each ignore file against the tree and its builder's context.
  // The second thread has listed its subtrees and, by now, read the scan's files: take its
  // answers and end it, so that its memory is given back before the rules' matching needs more.
  const scanned = second === null || options.scanContent === false ? null : second.finishScan();
  options.onProgress?.(`matching the ignore rules against ${formatCount(all.length)} entries`);
  const knownName = (name: string): 'any-depth' | 'root' | null => {
    const rules = [...artifactMatcher().matchAll(name, 'dir'), ...artifactMatcher().matchAll(name, 'file')];
    if (rules.length === 0) return null;
    return rules.some((r) => r.depth === 'any-depth') ? 'any-depth' : 'root';
  };
  const lintedRules = new Set<string>();
  for (const view of views) {
    // These rules reason with Docker's matcher: not applied to what only Podman reads.
    if (view.builder === 'buildah') continue;
    if (view.usable === null || lintedRules.has(view.context.ignorePath!)) continue;
    lintedRules.add(view.context.ignorePath!);
    const quietLines = linted.get(view.context.ignorePath!)?.quiet;
    findings.push(
      ...lintIgnoreRules({ ignore: view.usable, platform: view.context.platform, tree, sent: view.sent, usedByBuild: usedByAnyBuild, knownName, quietLines, git, sources: lintSources }),
    );
  }

  // 5. The two builders.
  if (bk !== undefined && cl !== undefined) {
    const comparison = { tree, buildkit: bk.sent, classic: cl.sent };
    if (bk.context.ignorePath !== cl.context.ignorePath && bk.context.ignore !== null) {
      findings.push(...shadowedIgnoreFile({ ...comparison, specific: bk.context.ignore, root: cl.context.ignore, dockerfile: dockerfileRel }));
    } else if (bk.usable !== null) {
      findings.push(...compareBuilders({ ...comparison, matcher: new PatternMatcher(bk.usable, bk.context.platform), dockerfile: dockerfileRel }));
    }
  }
  if (cl !== undefined && cl.usable !== null) {
    findings.push(...classicBuildFiles(new PatternMatcher(cl.usable, cl.context.platform), dockerfileRel, (p) => tree.byPath.has(p)));
  }

  // 6. The Dockerfiles' sources against the primary builder's context.
  const matcher = primaryView.usable === null ? null : primaryView.builder === 'buildah' ? new BuildahMatcher(primaryView.usable) : new PatternMatcher(primaryView.usable, primaryView.context.platform);
  for (const u of allUses) {
    const found = checkSources({
      sources: u.use.sources,
      tree,
      sent: primaryView.sent,
      matcher,
      dockerfile: u.shown,
      escapes: primaryView.context.platform === 'posix',
      builderName: builderName(primaryView.builder),
      linkTargets: (p) => {
        const followed = followLinks(root, [p]) ?? [];
        return followed.length === 1 && followed[0] === p ? [] : followed.filter((f) => f !== p && !isWithin(p, f));
      },
      ...(git !== null ? { ignoredByGit: (paths: string[]) => git.ignored(paths) } : {}),
    });
    findings.push(...(u.use === use ? found : found.map((f) => ({ ...f, dockerfile: u.shown }))));
  }

  // 7. Secrets in what actually travels.
  const secretSent = primaryView.builder === 'buildkit' && effective !== null ? effective : primaryView.sent;
  const contextLabel =
    primaryView.builder === 'buildkit'
      ? effective !== null
        ? `the context BuildKit transfers for ${effectiveOf}`
        : 'the build context'
      : primaryView.builder === 'buildah'
        ? 'what Podman/Buildah copies'
        : "the classic builder's context";
  const absolute = (entry: Entry): string => path.join(root, entry.path);
  // The user's own `!` line is intent: a file re-included by name (`!.env.production`) is sent
  // on purpose. The finding says so; its severity stays what its content decides.
  const keptOnPurpose = (rel: string): string | null => {
    if (matcher === null) return null;
    const decision = matcher.decide(rel);
    const p = decision.pattern;
    if (p === null || !p.exclusion || /[*?[\\]/.test(p.text) || decision.matchedPath !== rel) return null;
    return `"!${p.text}" at ${matcher.file}:${p.line}`;
  };
  if (options.onProgress) {
    let files = 0;
    for (const entry of all) if (entry.type === 'file' && secretSent.has(entry.path)) files++;
    options.onProgress(`reading ${formatCount(files)} file${files === 1 ? '' : 's'} for secrets`);
  }
  const secretFindings = findSecrets({
    tree,
    sent: secretSent,
    read: options.scanContent === false ? () => ({ skipped: 'unreadable' }) : (entry) => readForScan(absolute(entry), entry.size, max),
    ...(options.scanContent === false ? {} : { readRange: (entry: Entry, position: number, length: number) => readRangeForScan(absolute(entry), position, length) }),
    ...(scanned === null ? {} : { scanned: (entry: Entry) => scanned(entry.path) }),
    maxScanBytes: max,
    display,
    ignoreFile: primaryView.context.ignore?.file ?? null,
    usedByBuild: (p) => usedPaths.some((u) => u !== '' && u !== '.' && isWithin(u, p)),
    contextLabel,
  });
  for (const f of secretFindings) {
    const rel = f.rule === 'secret-file' && f.paths?.length === 1 ? f.paths[0]! : null;
    const line = rel !== null ? keptOnPurpose(rel) : null;
    findings.push(
      line === null
        ? f
        : {
            ...f,
            message: `${f.message.replace(/[.\s]*$/, '')}. It is re-included on purpose by ${line}.`,
            // Never advise undoing the user's own line: the build reads the file.
            fix:
              `keep ${line} (the build reads the file) and move any credential out of it (read it at run time, or pass it with RUN --mount=type=secret); ` +
              `if every value in it is public, silence this finding: {"rule": "secret-file", "paths": [${JSON.stringify(rel)}]} in the "ignore" list of .ctxsizerc.json`,
            evidence: `${f.evidence ?? RULES[f.rule].basis}; the ignore file's own exception ${line} names it`,
          },
    );
  }

  // 8. Podman and Docker users both building: where the two read the project differently.
  findings.push(...podmanFindings(options, root, views, tree.entries.map((e) => e.path)));

  // 9. Case: Docker never folds it, whatever the file system does.
  if (views.some((v) => v.usable !== null) && isCaseInsensitive(root, tree)) {
    const file = primaryView.context.ignore?.file ?? views.find((v) => v.usable !== null)!.context.ignore!.file;
    findings.push({
      severity: severityOf('case-insensitive-fs'),
      rule: 'case-insensitive-fs',
      file,
      line: 0,
      message: `${root} is on a case-insensitive file system, but Docker matches ignore patterns case-sensitively: "readme.md" does not exclude README.md`,
      fix: 'write every pattern with the exact case of the paths it targets',
    });
  }

  return report(findings);
}
