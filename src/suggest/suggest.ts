/**
 * `ctxsize suggest`: concrete ignore lines with exactly what each removes from the context, never
 * one that takes a path the Dockerfile uses, and the write plan that adds the selected ones to
 * ctxsize's block of the ignore file the builder reads. Planning writes nothing;
 * {@link applySuggestWrite} writes the planned bytes after checking that the file did not change.
 */
import { closeSync, constants, existsSync, fstatSync, ftruncateSync, lstatSync, openSync, readFileSync, realpathSync, statSync, writeSync } from 'node:fs';
import { formatCount } from '../report/numbers.js';
import { sourceLabel } from '../report/source-label.js';
import path from 'node:path';
import { InputError, resolveContext, type ResolvedContext } from '../context/resolve.js';
import { PatternMatcher } from '../dockerignore/matcher.js';
import { IgnoreFileError, parseIgnoreFile, type IgnoreFile } from '../dockerignore/read.js';
import { planEffective, walkEffective, type EffectivePlan, type SourceProblem } from '../effective/effective.js';
import type { ArtifactRule } from '../knowledge/artifacts.js';
import { humanSize } from '../report/human.js';
import type { DockerBuilder } from '../dockerignore/builders.js';
import type { Entry } from '../walk/entry.js';
import { problemKey, proposeAllowList } from './allow-list.js';
import { insertIntoBlock, unifiedDiff, type BlockLine } from './block.js';
import { findBuildReads, type BuildReads } from './build-reads.js';
import { scanTable } from './candidates.js';
import { judgeRemoval, type CandidateKind, type Judge } from './evidence.js';
import { readGitStatus } from './git-status.js';
import { amountOf, ContextTree, DiskRecord, isSubset, RemovalEngine, walkSent, withWrittenFile, type ContextWalker, type Removal } from './engine.js';
import { contextScope, convertGitignorePattern, gitDecisions, readGitignores, trackedFiles, type GitRule } from './gitignore.js';
import { isException, literalPattern, sourcePattern } from './patterns.js';
import { describeReasons, namingSources, Protection, type ProtectionLevel } from './protect.js';
import type {
  Amount,
  BuilderOutcome,
  CombinedOutcome,
  EffectiveOutcome,
  GitignoreSuggestion,
  SourceRef,
  SuggestionCategory,
  SuggestOptions,
  SuggestReport,
  SuggestSelection,
  Suggestion,
  Withheld,
  WritePlan,
} from './types.js';
import { describeReadError, readInputFile } from '../input/read-file.js';

/** Files at least this large, that no Dockerfile source covers, are suggested (1 MB). */
export const DEFAULT_LARGE_FILE_BYTES = 1_000_000;
const SAMPLE = 10;
/** A narrowed or literal suggestion lists at most this many paths. */
const MAX_LITERAL_LINES = 100;
/** At most this many literal exceptions repair a `.gitignore` conversion. */
const MAX_REPAIR_EXCEPTIONS = 10;

/** A candidate before evaluation. */
interface Candidate {
  id: string;
  category: SuggestionCategory;
  reason: string;
  lines: string[];
  /** Top-most context paths the candidate is about (used to narrow it to literal paths). */
  paths: string[];
  level: ProtectionLevel;
  /** What it is, for judging the evidence (evidence.ts). */
  what: CandidateKind;
}

/** A candidate that survived: its final lines and removal. */
interface Kept {
  candidate: Candidate;
  lines: string[];
  removal: Removal;
  narrowed: boolean;
  /** Written by default, or for review (evidence.ts); set once judged. */
  status?: 'write' | 'review';
  evidence?: string;
}

interface Run {
  context: ResolvedContext;
  /** Entries inside directories a table entry takes whole (see scanTable). */
  claimed: Uint8Array;
  tree: ContextTree;
  engine: RemovalEngine;
  protection: Protection;
  withheld: Withheld[];
  warnings: string[];
  reads: BuildReads;
  judge: Judge;
  disk: DiskRecord;
}

/**
 * Plan the suggestions for a context (see the module comment). Reads the tree, the Dockerfile and
 * the `.gitignore` files; writes nothing.
 * @throws InputError, IgnoreFileError, BuildFailure, DockerfileError (bad input: exit code 2)
 */
export function suggestIgnore(options: SuggestOptions = {}): SuggestReport {
  if (options.builder === 'buildah' && options.dockerfile === undefined) {
    // Podman's default is the Containerfile: the sources to protect are its.
    const found = resolveContext({ ...options, builder: 'buildah' }).dockerfile;
    if (found !== null) options = { ...options, dockerfile: found };
  }
  // Under Buildah the lines are planned with BuildKit's walk (see the command's note).
  const builder: DockerBuilder = options.builder === 'buildah' || options.builder === undefined ? 'buildkit' : options.builder;
  const contexts = {
    buildkit: resolveContext({ ...options, builder: 'buildkit' }),
    classic: resolveContext({ ...options, builder: 'classic' }),
  };
  let context = contexts[builder];
  if (options.builder === 'buildah') {
    // Podman reads its own file (a .containerignore hides .dockerignore): the lines go there, and
    // are planned over its rules as Docker reads them (suggested lines mean the same to both).
    const podman = resolveContext({ ...options, builder: 'buildah' });
    const file = podman.ignorePath ?? path.join(podman.root, '.containerignore');
    const bytes = podman.ignorePath === null ? null : readFileSync(podman.ignorePath);
    context = { ...context, ignorePath: podman.ignorePath, ignore: bytes === null ? null : parseIgnoreFile(bytes, podman.ignore?.file ?? file, context.platform) };
  }
  const writePath = context.ignorePath ?? path.join(context.root, options.builder === 'buildah' ? '.containerignore' : '.dockerignore');
  const current = readCurrent(writePath, context.ignorePath !== null);
  const cwd = options.cwd ?? process.cwd();
  const label = displayPath(writePath, cwd);

  options.onProgress?.('walking the directory');
  // Every walk below (the other builder, the file with the new lines, the effective context, the
  // allow-list) replays this one record, which reads a directory from disk only once.
  const disk = new DiskRecord(context.root);
  const { entries, warnings: walkWarnings } = walkSent(context, disk.walk);
  const warnings = walkWarnings.map((w) => `${w.path}: ${w.message}`);
  const tree = new ContextTree(entries);
  const plan = planEffective(contexts.buildkit, { target: options.target, buildArgs: options.buildArgs, platforms: options.platforms });
  for (const w of plan?.warnings ?? []) warnings.push(`${displayPath(w.file, cwd)}:${w.line}: ${w.message}`);
  for (const source of plan?.sources ?? []) {
    // A variable nothing sets is named by the warning above.
    if (source.unresolved && !source.heredoc && source.missing === undefined) {
      warnings.push(`${sourceLabel(source)} uses a variable ctxsize cannot resolve: pass it with --build-arg so that its path is protected`);
    }
  }
  const engine = new RemovalEngine(context, tree, current, label);
  const reads = findBuildReads({ context: contexts.buildkit, writePath, tree, cwd, plan, target: options.target, buildArgs: options.buildArgs });
  for (const b of reads.builds) {
    if (b.unknown !== null) warnings.push(`${b.label} also reads ${label} but could not be read (${b.unknown}): it counts as reading the whole context`);
  }
  const protection = new Protection(context, tree, reads.merged());
  const scan = scanTable(context.root, tree, (p) => !protection.holdsProtected(p, 'named'), disk);
  protection.addKeepers(scan.keepers);
  const judge: Judge = { tree, reads, git: readGitStatus(context.root, tree), root: context.root };
  const run: Run = { context, claimed: scan.claimed, tree, engine, protection, withheld: [], warnings, reads, judge, disk };

  // Knowledge-table entries, then large files.
  const candidates: Candidate[] = scan.table.map((c) => ({
    id: c.rule.id,
    category: c.rule.category,
    reason: c.rule.reason,
    lines: c.lines,
    paths: c.paths,
    level: 'named' as const,
    what: { kind: 'table', rule: c.rule } as CandidateKind,
  }));
  candidates.push(...largeFileCandidates(run, plan, scan.claimed, scan.matched, scan.keepers, options.largeFileBytes ?? DEFAULT_LARGE_FILE_BYTES));
  let tried = 0;
  const evaluated = candidates.flatMap((c) => {
    options.onProgress?.(`trying candidate ${++tried} of ${candidates.length} against ${formatCount(entries.length)} entries: ${c.id}`);
    const k = evaluateCandidate(run, c);
    return k === null ? [] : judged(run, k);
  });
  const kept = dropRedundant(evaluated);

  const selection = options.selection ?? {};
  const suggestions: Suggestion[] = kept
    .sort((a, b) => b.removal.amount.bytes - a.removal.amount.bytes || b.removal.amount.entries - a.removal.amount.entries)
    .map((k) => toSuggestion(run, k, selection));

  // .gitignore entries.
  const gitignoreNotes: string[] = [];
  const union = new Uint8Array(tree.entries.length);
  for (const k of kept) if (k.status === 'write') k.removal.flags.forEach((f, i) => f && (union[i] = 1));
  const gitKept = options.gitignore === false ? [] : gitignoreCandidates(run, gitignoreNotes, union);
  const gitignore = gitignoreSuggestions(run, gitKept, kept, selection);

  // The allow-list.
  const problemsBefore = plan ? walkEffective(contexts.buildkit, plan, () => {}, false, undefined, disk.walk).problems : [];
  const merged = reads.merged();
  const named = namedPaths(run, merged);
  const allowed = allowedArea(merged);
  const exclusions = kept
    .filter((k) => !k.lines.some(isException) && allowed !== null && k.removal.top.some((p) => allowed(p)))
    .flatMap((k) => k.lines);
  const allow = proposeAllowList({
    contexts,
    builder,
    entries,
    plan,
    builds: reads.builds,
    currentLines: userLinesInside((context.ignore?.rules ?? []).map((r) => r.pattern), allowed),
    exclusions,
    namedPaths: named,
    problemsBefore,
    writePath,
    walk: disk.walk,
  });

  // The write plan and the exact combined result.
  const blockLines = writeLines(suggestions, gitignore);
  const { after, added } = insertIntoBlock(current, blockLines);
  const changed = !after.equals(current);
  const diff = changed
    ? unifiedDiff(current.toString('utf8'), after.toString('utf8'), context.ignorePath !== null ? `a/${label}` : '/dev/null', `b/${label}`)
    : '';
  let unreadable: string | null = null;
  try {
    engine.parse(after);
  } catch (error) {
    if (!(error instanceof IgnoreFileError)) throw error;
    unreadable = `Docker could not read the result (${error.message})`;
  }
  const { combined, fresh } = combinedOutcome(contexts, builder, writePath, entries, unreadable === null ? after : current, plan, problemsBefore, blockLines.map((l) => l.pattern), reads, disk.walk);
  const refused = unreadable ?? refusal(run, fresh, after, plan);
  const write: WritePlan = { file: writePath, exists: context.ignorePath !== null, before: current, after, changed, diff, added };
  if (refused) write.refused = refused;

  return {
    schemaVersion: 1,
    root: context.root,
    dockerfile: context.dockerfile,
    builder,
    ignoreFile: writePath,
    context: amountOf(entries),
    suggestions,
    withheld: run.withheld,
    allowList: allow.allowList,
    allowListUnavailable: allow.unavailable,
    gitignore,
    gitignoreNotes,
    combined,
    write,
    warnings,
  };
}

/**
 * Write the planned change. Refuses (InputError) when the plan was refused, or when the file
 * changed since it was planned. Returns whether anything was written.
 */
export function applySuggestWrite(plan: WritePlan, root?: string): boolean {
  if (plan.refused) throw new InputError(`not writing ${plan.file}: ${plan.refused}`);
  if (!plan.changed) return false;
  if (root !== undefined) assertWritableIgnoreFile(plan.file, root);
  const now = readCurrent(plan.file, true);
  if (!now.equals(plan.before)) throw new InputError(`${plan.file} changed while ctxsize was planning; run ctxsize suggest again`);
  writeInPlace(plan.file, plan.after);
  return true;
}

/**
 * Write the ignore file where it is (its permissions, owner and hard links kept, as an editor
 * would), never through a link out of the context (checked above) and never into a FIFO.
 */
function writeInPlace(file: string, data: Buffer): void {
  let fd: number | null = null;
  try {
    const target = existsSync(file) ? realpathSync(file) : file;
    fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0), 0o666);
    if (!fstatSync(fd).isFile()) throw new InputError(`${file}: not a regular file; not written`);
    ftruncateSync(fd, 0);
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset, offset);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${file}: cannot write the ignore file (${describeReadError(error)})`, { cause: error });
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Refuse (InputError, exit 2) to write an ignore file that is not a regular file, or that is a
 * symbolic link resolving outside the context root `root`: the diff names `.dockerignore`, so the
 * write must not land elsewhere.
 */
export function assertWritableIgnoreFile(file: string, root: string): void {
  let st;
  try {
    st = lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new InputError(`${file}: cannot examine the ignore file (${describeReadError(error)})`, { cause: error });
  }
  if (st.isSymbolicLink()) {
    let real: string;
    try {
      real = realpathSync(file);
    } catch (error) {
      throw new InputError(`${file}: a symbolic link that does not resolve (${describeReadError(error)}); not written`, { cause: error });
    }
    const realRoot = realpathSync(root);
    const rel = path.relative(realRoot, real);
    if (rel === '' || rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) {
      throw new InputError(`${file}: a symbolic link to ${real}, outside ${root}; not written`);
    }
    st = statSync(real);
  }
  if (!st.isFile()) throw new InputError(`${file}: not a regular file; not written`);
}

function readCurrent(file: string, exists: boolean): Buffer {
  if (!exists) return Buffer.alloc(0);
  try {
    return readInputFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw new InputError(`${file}: cannot read ignore file (${describeReadError(error)})`, { cause: error });
  }
}

function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file).split(path.sep).join('/');
  return rel === '' || rel.startsWith('..') ? file : rel;
}

// ---------------------------------------------------------------------------------------------
// Candidates
// ---------------------------------------------------------------------------------------------

function largeFileCandidates(
  run: Run,
  plan: EffectivePlan | null,
  claimed: Uint8Array,
  matched: Uint8Array,
  keepers: ReadonlyMap<number, ArtifactRule>,
  threshold: number,
): Candidate[] {
  const { tree, protection } = run;
  const large = tree.entries
    .map((entry, i) => ({ entry, i }))
    .filter(({ entry, i }) => entry.type === 'file' && entry.size >= threshold && !claimed[i] && !matched[i] && !keepers.has(i));
  if (large.length === 0) return [];
  const withheldAll = (why: string): Candidate[] => {
    run.withheld.push({
      id: 'large-file',
      lines: large.slice(0, SAMPLE).flatMap(({ entry }) => literalPattern(entry.path) ?? []),
      category: 'large-file',
      reason: `${large.length} file${large.length === 1 ? '' : 's'} of at least ${humanSize(threshold)}`,
      why,
      sources: [],
      paths: large.slice(0, SAMPLE).map(({ entry }) => entry.path),
    });
    return [];
  };
  if (plan === null && run.reads.none) return withheldAll('there is no Dockerfile to tell whether a build uses them (use -f)');
  const wholeBuild = run.reads.builds.find((b) => b.plan === null || b.whole !== null);
  if (wholeBuild) {
    return withheldAll(
      wholeBuild.plan === null
        ? `${wholeBuild.label} could not be read, so ctxsize cannot tell whether the image needs them`
        : `${wholeBuild.label} copies the whole context (${wholeBuild.whole}), so ctxsize cannot tell whether the image needs them`,
    );
  }
  const out: Candidate[] = [];
  for (const { entry, i } of large) {
    if (protection.isProtected(i, 'covered') || run.reads.area[i] === 1) continue; // a source copies it: it is used
    const line = literalPattern(entry.path);
    if (line === null) continue;
    out.push({
      id: `large-file:${entry.path}`,
      category: 'large-file',
      reason: `A ${humanSize(entry.size)} file that no COPY, ADD or RUN --mount of the Dockerfile uses.`,
      lines: [line],
      paths: [entry.path],
      level: 'covered',
      what: { kind: 'large-file' },
    });
  }
  return out;
}

/**
 * Replace exception lines with wildcards (`!**\/.env.example`) by literal exceptions for the
 * entries that the candidate's other lines would take and the exception keeps. A wildcard
 * exception would make BuildKit enter every excluded directory, and re-include matches inside
 * directories the file already excludes (a `node_modules/x/.env.example`).
 */
function literalExceptions(run: Run, lines: readonly string[]): string[] {
  const exceptions = lines.filter(isException);
  if (exceptions.length === 0) return [...lines];
  const positive = lines.filter((l) => !isException(l));
  const removal = run.engine.evaluate(positive);
  if (removal === null) return [...lines];
  const out: string[] = [];
  for (const line of lines) {
    if (!isException(line)) {
      out.push(line);
      continue;
    }
    const body = line.trimStart().slice(1);
    if (!/[*?[]/.test(body)) {
      out.push(line);
      continue;
    }
    let matcher: PatternMatcher;
    try {
      matcher = new PatternMatcher({ file: 'suggest', rules: [{ pattern: body, line: 0, source: body }] }, run.context.platform);
    } catch {
      out.push(line);
      continue;
    }
    const literals: string[] = [];
    let complete = true;
    run.tree.entries.forEach((entry, i) => {
      // Inside a directory another suggestion takes whole (node_modules/x/.env.example): no need.
      if (removal.flags[i] !== 1 || run.claimed[i] === 1) return;
      let hit = false;
      try {
        hit = matcher.patterns.some((p) => p.matches(entry.path));
      } catch {
        hit = false;
      }
      if (!hit) return;
      const literal = literalPattern(entry.path);
      if (literal === null) complete = false;
      else if (!literals.includes('!' + literal)) literals.push('!' + literal);
    });
    // Too many to list, or one that cannot be written: keep the table's own line.
    if (!complete || literals.length > MAX_REPAIR_EXCEPTIONS) out.push(line);
    else out.push(...literals);
  }
  return out;
}

/** Evaluate a candidate: exact removal, Dockerfile protection (narrowing or withholding). */
function evaluateCandidate(run: Run, candidate: Candidate, alreadyRemoved?: Uint8Array): Kept | null {
  const { engine, protection, context } = run;
  const lines = literalExceptions(run, candidate.lines);
  const removal = engine.evaluate(lines);
  if (removal === null) {
    run.warnings.push(`${candidate.id}: Docker would refuse the line ${JSON.stringify(lines.join(' '))}; not suggested`);
    return null;
  }
  if (removal.amount.entries === 0) return null;
  // Other suggestions take all of it already: it will be listed as redundant and not written.
  if (alreadyRemoved && isSubset(removal.flags, alreadyRemoved)) return { candidate, lines, removal, narrowed: false };
  const conflict = protection.conflicts(removal, candidate.level, context.ignore, engine.parse(engine.contentWith(lines)));
  if (conflict === null) return { candidate, lines, removal, narrowed: false };

  const why = describeReasons(conflict.reasons);
  const blocked = conflict.paths.filter((p) => !conflict.paths.some((q) => p.startsWith(q + '/')));
  const sources: SourceRef[] = conflict.reasons.flatMap((r) => (r.kind === 'source' ? [r.source] : []));
  const withheld: Withheld = {
    id: candidate.id,
    lines,
    category: candidate.category,
    reason: candidate.reason,
    why: `it would exclude ${blocked.slice(0, 3).join(', ')}${blocked.length > 3 ? ` and ${blocked.length - 3} more` : ''}: ${why}`,
    sources,
    paths: blocked.slice(0, SAMPLE),
  };
  const safe = candidate.paths.filter((p) => !protection.holdsProtected(p, candidate.level));
  const literal = safe.map(literalPattern);
  if (safe.length > 0 && safe.length <= MAX_LITERAL_LINES && literal.every((l) => l !== null)) {
    const narrowedLines = literal as string[];
    const narrowed = engine.evaluate(narrowedLines);
    if (
      narrowed !== null &&
      narrowed.amount.entries > 0 &&
      protection.conflicts(narrowed, candidate.level, context.ignore, engine.parse(engine.contentWith(narrowedLines))) === null
    ) {
      withheld.why += `; narrowed to ${narrowedLines.length} literal path${narrowedLines.length === 1 ? '' : 's'} instead`;
      run.withheld.push(withheld);
      return { candidate, lines: narrowedLines, removal: narrowed, narrowed: true };
    }
  }
  run.withheld.push(withheld);
  return null;
}

/**
 * Judge a kept candidate on its evidence (evidence.ts): written by default, for review, or
 * withheld (then listed with the reason).
 */
function judged(run: Run, k: Kept): Kept[] {
  const verdict = judgeRemoval(run.judge, k.candidate.what, k.removal.flags);
  if (verdict.status === 'withheld') {
    run.withheld.push({
      id: k.candidate.id,
      lines: k.lines,
      category: k.candidate.category,
      reason: k.candidate.reason,
      why: verdict.evidence,
      sources: [],
      paths: k.removal.top.slice(0, SAMPLE),
    });
    return [];
  }
  return [{ ...k, status: verdict.status, evidence: verdict.evidence }];
}

/**
 * Drop candidates whose removal another kept candidate already contains (`**\/node_modules/.cache`
 * under `**\/node_modules`), when that other one is written at least as readily (a suggestion
 * for review never hides one that is written by default).
 */
function dropRedundant(evaluated: Kept[]): Kept[] {
  const order = evaluated
    .map((k, i) => ({ k, i }))
    .sort((a, b) => b.k.removal.amount.entries - a.k.removal.amount.entries || a.i - b.i);
  const kept: { k: Kept; i: number }[] = [];
  for (const item of order) {
    if (kept.some((other) => (other.k.status === 'write' || item.k.status === 'review') && isSubset(item.k.removal.flags, other.k.removal.flags))) continue;
    kept.push(item);
  }
  return kept.sort((a, b) => a.i - b.i).map((item) => item.k);
}

function isSelected(id: string, category: SuggestionCategory, bytes: number, selection: SuggestSelection, status: 'write' | 'review' = 'write'): boolean {
  // A suggestion for review is written only when named by its id.
  if (status === 'review') return (selection.only ?? []).includes(id) && (selection.minBytes === undefined || bytes >= selection.minBytes);
  if (selection.only && selection.only.length > 0) {
    const group = category === 'large-file' || category === 'gitignore' ? category : null;
    if (!selection.only.some((o) => o === id || (group !== null && o === group))) return false;
  }
  if (selection.categories && selection.categories.length > 0 && !selection.categories.includes(category)) return false;
  if (selection.minBytes !== undefined && bytes < selection.minBytes) return false;
  return true;
}

function insideSources(run: Run, removal: Removal): SourceRef[] | undefined {
  const refs: SourceRef[] = [];
  for (const p of removal.top) {
    const i = run.tree.index.get(p);
    for (const ref of i === undefined ? [] : (run.protection.insideSource.get(i) ?? [])) {
      if (!refs.includes(ref)) refs.push(ref);
    }
  }
  return refs.length > 0 ? refs : undefined;
}

/** A sample of removed paths: those outside directories other suggestions take whole, when there are any. */
function sampleOf(run: Run, top: readonly string[]): string[] {
  const own = top.filter((p) => run.claimed[run.tree.index.get(p) ?? -1] !== 1);
  return (own.length > 0 ? own : top).slice(0, SAMPLE);
}

function toSuggestion(run: Run, k: Kept, selection: SuggestSelection): Suggestion {
  const { amount, top } = k.removal;
  const inside = insideSources(run, k.removal);
  return {
    id: k.candidate.id,
    lines: k.lines,
    category: k.candidate.category,
    reason: k.candidate.reason,
    ...amount,
    paths: sampleOf(run, top),
    totalPaths: top.length,
    ...(k.narrowed ? { narrowed: true } : {}),
    ...(inside ? { insideSources: inside } : {}),
    status: k.status ?? 'write',
    evidence: k.evidence ?? '',
    selected: isSelected(k.candidate.id, k.candidate.category, amount.bytes, selection, k.status),
  };
}

// ---------------------------------------------------------------------------------------------
// .gitignore
// ---------------------------------------------------------------------------------------------

interface GitKept extends Kept {
  rule: GitRule;
  conversion: 'pattern' | 'paths';
}

/** Whether the removal takes only what git ignores, and everything git ignores through this rule. */
function agreesWithGit(removal: Removal, ignored: Uint8Array, own: Uint8Array): boolean {
  return isSubset(removal.flags, ignored) && isSubset(own, removal.flags);
}

function gitignoreCandidates(run: Run, notes: string[], alreadyRemoved: Uint8Array): GitKept[] {
  const { tree, engine } = run;
  // A .gitignore below a directory the context holds nothing of cannot decide anything here.
  const set = readGitignores(run.context.root, contextScope(run.disk, tree));
  if (set.rules.length === 0) return [];
  if (set.rootIgnored) {
    notes.push('git ignores the context directory itself: no .gitignore entry is converted');
    return [];
  }
  const decisions = gitDecisions(set, tree, trackedFiles(run.context.root));
  const ignoredFlags = Uint8Array.from(decisions, (d) => (d >= 0 ? 1 : 0));
  const out: GitKept[] = [];
  for (const rule of set.rules) {
    if (rule.pattern.negative) continue;
    const own = new Uint8Array(tree.entries.length);
    const top: string[] = [];
    decisions.forEach((d, i) => {
      if (d !== rule.id) return;
      own[i] = 1;
      const parent = tree.parentIndex(i);
      if (parent === -1 || decisions[parent] !== rule.id) top.push(tree.entries[i]!.path);
    });
    if (top.length === 0) continue; // matches nothing the context holds (or another rule decides)
    const where = `${rule.file}:${rule.line} ${JSON.stringify(rule.text.trim())}`;
    let lines: string[] | null = null;
    let conversion: 'pattern' | 'paths' = 'pattern';
    const converted = convertGitignorePattern(rule.pattern, rule.location);
    if (converted.kind === 'line') {
      const first = engine.evaluate([converted.line]);
      if (first !== null && agreesWithGit(first, ignoredFlags, own)) {
        lines = [converted.line];
      } else if (first !== null && isSubset(own, first.flags)) {
        // The line takes a few paths git keeps (a file named like a directory-only entry, a
        // negated path): keep them with literal exceptions.
        const extra = first.top.filter((p) => ignoredFlags[tree.index.get(p)!] !== 1);
        const literal = extra.map(literalPattern);
        if (extra.length <= MAX_REPAIR_EXCEPTIONS && literal.every((l) => l !== null)) {
          const repaired = [converted.line, ...literal.map((l) => '!' + l)];
          const second = engine.evaluate(repaired);
          if (second !== null && agreesWithGit(second, ignoredFlags, own)) lines = repaired;
        }
      }
    }
    if (lines === null) {
      const literal = top.map(literalPattern);
      if (top.length <= MAX_LITERAL_LINES && literal.every((l) => l !== null)) {
        const removal = engine.evaluate(literal as string[]);
        if (removal !== null && agreesWithGit(removal, ignoredFlags, own)) {
          lines = literal as string[];
          conversion = 'paths';
        }
      }
    }
    if (lines === null) {
      notes.push(`${where}: no .dockerignore lines say exactly what git ignores here${converted.kind === 'none' ? ` (${converted.why})` : ''}; not converted`);
      continue;
    }
    const candidate: Candidate = {
      id: `gitignore:${rule.file}:${rule.line}`,
      category: 'gitignore',
      reason: `${rule.file} line ${rule.line} ignores ${JSON.stringify(rule.text.trim())}: git does not track it, so a build from a fresh clone does not have it either.`,
      lines,
      paths: top,
      level: 'covered',
      what: { kind: 'gitignore' },
    };
    const evaluated = evaluateCandidate(run, candidate, alreadyRemoved);
    if (evaluated === null) continue;
    const [kept] = judged(run, evaluated);
    if (kept === undefined) continue;
    if (kept.narrowed) conversion = 'paths';
    out.push({ ...kept, rule, conversion });
  }
  return out;
}

function gitignoreSuggestions(run: Run, gitKept: GitKept[], kept: Kept[], selection: SuggestSelection): GitignoreSuggestion[] {
  const union = new Uint8Array(run.tree.entries.length);
  for (const k of kept) if (k.status === 'write') k.removal.flags.forEach((f, i) => f && (union[i] = 1));
  const order = [...gitKept].sort((a, b) => (a.status === b.status ? 0 : a.status === 'write' ? -1 : 1) || b.removal.amount.entries - a.removal.amount.entries);
  const redundant = new Map<GitKept, string>();
  const accepted: GitKept[] = [];
  for (const g of order) {
    if (isSubset(g.removal.flags, union)) {
      const single =
        kept.find((k) => k.status === 'write' && isSubset(g.removal.flags, k.removal.flags)) ??
        accepted.find((a) => a.status === 'write' && isSubset(g.removal.flags, a.removal.flags));
      redundant.set(g, single ? single.candidate.id : 'the suggestions above together');
      continue;
    }
    accepted.push(g);
    if (g.status === 'write') g.removal.flags.forEach((f, i) => f && (union[i] = 1));
  }
  return gitKept.map((g) => {
    const redundantWith = redundant.get(g);
    const inside = insideSources(run, g.removal);
    return {
      id: g.candidate.id,
      file: g.rule.file,
      line: g.rule.line,
      pattern: g.rule.text.trim(),
      lines: g.lines,
      conversion: g.conversion,
      verified: true as const,
      ...g.removal.amount,
      paths: sampleOf(run, g.removal.top),
      totalPaths: g.removal.top.length,
      ...(redundantWith ? { redundantWith } : {}),
      ...(inside ? { insideSources: inside } : {}),
      status: g.status ?? 'write',
      evidence: g.evidence ?? '',
      selected: redundantWith === undefined && isSelected(g.candidate.id, 'gitignore', g.removal.amount.bytes, selection, g.status),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Allow-list, write plan, combined result
// ---------------------------------------------------------------------------------------------

/**
 * The user's lines that still apply inside the allow-list's paths, in order: exclusions there
 * (`**\/*.test.ts`), and the `!` lines that qualify one of those (intent kept). Never the lines the
 * allow-list replaces: `*` and the `!` lines that re-include top-level paths.
 */
function userLinesInside(lines: readonly string[], allowed: ((path: string) => boolean) | null): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (excludesEverything(line) || !mayApplyInside(line, allowed)) continue;
    if (isException(line) && !out.some((l) => !isException(l))) continue;
    out.push(line);
  }
  return out;
}

/** `*`, `**`, `/*`: a line that excludes everything (the allow-list writes its own). */
function excludesEverything(line: string): boolean {
  return /^\/?(\*\*?)(\/\*\*?)*\/?$/.test(line.trim());
}

function namedPaths(run: Run, plan: EffectivePlan | null): string[] {
  const out: string[] = [];
  const sources = namingSources(plan);
  if (sources.length === 0) return out;
  const paths = sources.flatMap((s) => {
    const general = sourcePattern(s.raw, s.path);
    return general !== null && general !== s.path ? [s, { ...s, path: general }] : [s];
  });
  const matchers = paths.flatMap((s) => {
    try {
      return [new PatternMatcher({ file: 'Dockerfile', rules: [{ pattern: s.path, line: s.line, source: s.raw }] })];
    } catch {
      return [];
    }
  });
  for (const entry of run.tree.entries) {
    if (matchers.some((m) => m.patterns.some((p) => safeMatches(p, entry.path)))) out.push(entry.path);
  }
  return out;
}

function safeMatches(p: { matches(path: string): boolean }, path: string): boolean {
  try {
    return p.matches(path);
  } catch {
    return false;
  }
}

/** A test for "inside a path the Dockerfile uses", or null when it uses none by name. */
function allowedArea(plan: EffectivePlan | null): ((path: string) => boolean) | null {
  if (plan === null || plan.includePaths === null || plan.includePaths.length === 0) return null;
  let matcher: PatternMatcher;
  try {
    matcher = new PatternMatcher({ file: 'Dockerfile', rules: plan.includePaths.map((p) => ({ pattern: p, line: 0, source: p })) });
  } catch {
    return null;
  }
  return (p) => {
    try {
      return matcher.matchesOrParentMatches(p);
    } catch {
      return false;
    }
  };
}

/**
 * Whether a line of the current file can matter inside the paths an allow-list re-includes (it is
 * then kept after them): exclusions with wildcards or under those paths, exceptions under them.
 * An exception elsewhere (`!README.md`, `!**\/.env.example`) would only add what the build does not use.
 */
function mayApplyInside(line: string, allowed: ((path: string) => boolean) | null): boolean {
  if (allowed === null) return !isException(line);
  if (isException(line)) return allowed(line.slice(1));
  return /[*?[]/.test(line) || allowed(line);
}

function comment(id: string, reason: string, line: string, first: boolean): string {
  if (isException(line)) return `${id}: keep ${line.trimStart().slice(1)} (an exception to the line above)`;
  return first ? `${id}: ${reason}` : `${id} (continued)`;
}

/** The block lines of the selected suggestions: those with exceptions first, so later lines win over them. */
function writeLines(suggestions: readonly Suggestion[], gitignore: readonly GitignoreSuggestion[]): BlockLine[] {
  const groups: { id: string; reason: string; lines: string[] }[] = [];
  for (const s of suggestions) if (s.selected) groups.push({ id: s.id, reason: s.reason, lines: s.lines });
  for (const g of gitignore) {
    if (!g.selected) continue;
    groups.push({ id: 'gitignore', reason: `${g.file}:${g.line} ${JSON.stringify(g.pattern)} (git does not track it)`, lines: g.lines });
  }
  const ordered = [...groups.filter((g) => g.lines.some(isException)), ...groups.filter((g) => !g.lines.some(isException))];
  const out: BlockLine[] = [];
  for (const group of ordered) {
    group.lines.forEach((line, i) => out.push({ pattern: line, comment: comment(group.id, group.reason, line, i === 0) }));
  }
  return out;
}

function difference(before: readonly Entry[], after: readonly Entry[]): Amount {
  const now = new Set(after.map((e) => e.path));
  return amountOf(before.filter((e) => !now.has(e.path)));
}

function problemText(p: SourceProblem): string {
  return `${sourceLabel(p.source)}: ${p.problem === 'missing' ? 'matches nothing' : 'excluded'}`;
}

function combinedOutcome(
  contexts: Record<DockerBuilder, ResolvedContext>,
  builder: DockerBuilder,
  writePath: string,
  entries: readonly Entry[],
  after: Buffer,
  plan: EffectivePlan | null,
  problemsBefore: readonly SourceProblem[],
  lines: string[],
  reads: BuildReads,
  walk: ContextWalker,
): { combined: CombinedOutcome; fresh: SourceProblem[] } {
  const afterContexts = {} as Record<DockerBuilder, ResolvedContext>;
  const outcome = (b: DockerBuilder): BuilderOutcome => {
    const context = contexts[b];
    const reads = (context.ignorePath ?? path.join(context.root, '.dockerignore')) === writePath;
    const beforeEntries = b === builder ? entries : walkSent(context, walk).entries;
    afterContexts[b] = reads ? { ...context, ignore: parseIgnoreFile(after, context.ignore?.file ?? writePath, context.platform) } : context;
    // The same rules walk the same way: no second walk when the file keeps its rules.
    const walked = reads && !sameRules(context.ignore, afterContexts[b].ignore) ? walkSent(afterContexts[b], walk).entries : beforeEntries;
    const afterEntries = withWrittenFile(walked, afterContexts[b], writePath, after);
    return {
      before: amountOf(beforeEntries),
      after: amountOf(afterEntries),
      removed: difference(beforeEntries, afterEntries),
      readsWrittenFile: reads,
    };
  };
  const buildkit = outcome('buildkit');
  const classic = outcome('classic');
  let effective: EffectiveOutcome | null = null;
  let fresh: SourceProblem[] = [];
  if (plan !== null) {
    // With the whole context used, what BuildKit transfers is its context, measured above.
    const whole = plan.readsContext && plan.includePaths === null;
    const beforeEntries: Entry[] = [];
    if (!whole) walkEffective(contexts.buildkit, plan, (e) => beforeEntries.push(e), true, undefined, walk);
    const afterEntries: Entry[] = [];
    const { problems } = walkEffective(afterContexts.buildkit, plan, (e) => afterEntries.push(e), !whole, undefined, walk);
    const known = new Set(problemsBefore.map(problemKey));
    fresh = problems.filter((p) => !known.has(problemKey(p)));
    const builds = reads.builds.map((b) => {
      const unresolved = (b.plan?.sources ?? []).filter((s) => s.unresolved && !s.heredoc).map((s) => `${s.instruction} ${s.raw} (line ${s.line})`);
      const check = { label: b.label, whole: b.whole, readsNothing: b.plan !== null && !b.plan.readsContext, unresolved, problemsBefore: null as string[] | null, problemsAfter: null as string[] | null };
      if (b.plan === null) return check;
      if (b.dockerfile === contexts.buildkit.dockerfile && b.plan === plan) {
        return { ...check, problemsBefore: problemsBefore.map(problemText), problemsAfter: problems.map(problemText) };
      }
      const ownBefore = walkEffective(b.context, b.plan, () => {}, false, undefined, walk).problems;
      const ownAfter = b.readsWritten.buildkit
        ? walkEffective({ ...b.context, ignore: parseIgnoreFile(after, b.context.ignore?.file ?? writePath, b.context.platform) }, b.plan, () => {}, false, undefined, walk).problems
        : ownBefore;
      const seen = new Set(ownBefore.map(problemKey));
      fresh.push(...ownAfter.filter((p) => !seen.has(problemKey(p))));
      return { ...check, problemsBefore: ownBefore.map(problemText), problemsAfter: ownAfter.map(problemText) };
    });
    effective = {
      before: whole ? buildkit.before : amountOf(beforeEntries),
      after: whole ? buildkit.after : amountOf(afterEntries),
      problemsAfter: problems.map(problemText),
      problemsBefore: problemsBefore.map(problemText),
      builds,
    };
  }
  return { combined: { lines, buildkit, classic, effective }, fresh };
}

/** Why the write plan must not be applied: it would break the build (never expected; a last check). */
function refusal(run: Run, fresh: readonly SourceProblem[], after: Buffer, plan: EffectivePlan | null): string | undefined {
  if (fresh.length > 0) return `it would make the build fail: ${fresh.map(problemText).join('; ')}`;
  if (plan === null || after.length === 0) return undefined;
  const ignore = run.engine.parse(after);
  const walked = sameRules(run.context.ignore, ignore) ? run.tree.entries : walkSent({ ...run.context, ignore }, run.disk.walk).entries;
  const sent = new Set(walked.map((e) => e.path));
  const lost = namedPaths(run, plan).filter((p) => !sent.has(p));
  if (lost.length > 0) return `it would exclude ${lost.slice(0, 3).join(', ')}, which the Dockerfile uses`;
  return undefined;
}

/**
 * Whether two ignore files hold the same rules (pattern, line and text, in order): a builder's
 * filter, and so its walk, depends on nothing else of them.
 */
function sameRules(a: IgnoreFile | null, b: IgnoreFile | null): boolean {
  if (a === null || b === null) return false;
  if (a.rules.length !== b.rules.length) return false;
  return a.rules.every((r, i) => r.pattern === b.rules[i]!.pattern && r.line === b.rules[i]!.line && r.source === b.rules[i]!.source);
}
