/**
 * The fix for a dependency install that a broad COPY busts: copy the tool's manifest and lock
 * files first, install, then copy the rest. Pure: the context's sent files and their text come in
 * through a {@link FixInputs}; the result is a new Dockerfile text, its diff, and whether writing
 * it is safe (else the reasons, and it is only shown).
 *
 * Writing is safe only when nothing between the broad COPY and the install runs or changes the
 * install's environment (a RUN, ENV, ARG, USER, SHELL, WORKDIR or another COPY there could read
 * or write what moves), the install reads only the manifests (no lifecycle scripts, workspaces,
 * local paths), and the broad COPY that now follows the install does not overwrite what it wrote
 * (a `node_modules/` the ignore file lets through).
 */
import { DEPENDENCY_TOOLS, matchInstall, SETUP_COMMANDS, type DependencyTool } from '../knowledge/dependencies.js';
import { goFilepathMatch } from '../dockerignore/go-glob.js';
import { goCleanPath } from '../dockerignore/go-text.js';
import type { CopyInstruction, AddInstruction, Dockerfile, Instruction, RunInstruction } from '../dockerfile/index.js';
import { unifiedDiff } from '../suggest/block.js';
import type { BuildSteps, Step } from './steps.js';

/** What the fix needs to know of the context. */
export interface FixInputs {
  /** Context paths of the files the build is sent (after the ignore file). */
  sentFiles: ReadonlySet<string>;
  /** The text of a sent file, or null. */
  readText(path: string): string | null;
  /** The Dockerfile's text and its name for the diff. */
  text: string;
  name: string;
}

/** A dependency install that a broad COPY busts, and what to do about it. */
export interface Fix {
  tool: string;
  toolName: string;
  /** The install step (index into the build's steps). */
  install: number;
  /** The broad COPY before it (step index). */
  copy: number;
  /** Context paths the new COPY line copies first (empty when an earlier COPY already has them). */
  manifests: string[];
  /** The reordered Dockerfile, or null when no safe reordering can be written (see advice). */
  proposed: string | null;
  diff: string | null;
  /** True when `--write` may apply it. */
  writable: boolean;
  /** Why it is not writable (or what else to know). */
  reasons: string[];
  /** A cache mount for the install, when the tool has a download cache. */
  cacheMount: string | null;
}

const METADATA = new Set(['LABEL', 'EXPOSE', 'CMD', 'ENTRYPOINT', 'STOPSIGNAL', 'HEALTHCHECK', 'MAINTAINER']);

function instructionAt(dockerfile: Dockerfile, step: Step): Instruction | undefined {
  return dockerfile.stages[step.stageIndex]?.instructions.find((i) => i.line === step.line);
}

/** Shell command segments of a RUN (split on `&&`, `||`, `;` and newlines; a leading `set -e` dropped). */
export function commandSegments(run: RunInstruction): string[] {
  const command = run.json ? run.command.join(' ') : run.command.join(' ');
  return command
    .split(/&&|\|\||;|\n/)
    .map((s) => s.trim().replace(/\s+/g, ' '))
    .filter((s) => s !== '' && !/^set -[a-z]+$/.test(s));
}

const join = (dir: string, name: string): string => (dir === '.' ? goCleanPath(name) : goCleanPath(dir + '/' + name));

function hasFilesUnder(sent: ReadonlySet<string>, dir: string): number {
  const prefix = dir === '.' ? '' : dir + '/';
  let n = 0;
  for (const path of sent) if (path.startsWith(prefix)) n++;
  return n;
}

function quoteAll(sources: string[], dest: string, flags: string): string {
  if ([...sources, dest].some((s) => /\s|"/.test(s))) return `COPY${flags} ${JSON.stringify([...sources, dest])}`;
  return `COPY${flags} ${sources.join(' ')} ${dest}`;
}

/** Finds the dependency installs that a broad COPY busts, and proposes the reordering. */
export function proposeFixes(dockerfile: Dockerfile, build: BuildSteps, inputs: FixInputs): Fix[] {
  const fixes: Fix[] = [];
  const lines = inputs.text.split('\n');
  for (const step of build.steps) {
    if (step.kind !== 'RUN') continue;
    const run = instructionAt(dockerfile, step);
    if (!run || run.kind !== 'RUN') continue;
    const segments = commandSegments(run);
    const matches = segments.map((s) => ({ segment: s, install: matchInstall(s), setup: SETUP_COMMANDS.some((p) => p.test(s)) }));
    const installs = matches.filter((m) => m.install !== null);
    if (installs.length === 0) continue;
    const tool: DependencyTool = installs[0]!.install!.tool;
    // The nearest COPY/ADD of a context directory before the install, in the same stage.
    let copy: Step | undefined;
    let copyInstruction: CopyInstruction | AddInstruction | undefined;
    let sourceDir = '.';
    for (let i = step.index - 1; i >= 0; i--) {
      const before = build.steps[i]!;
      if (before.stageIndex !== step.stageIndex) break;
      if (before.kind !== 'COPY' && before.kind !== 'ADD') continue;
      // The manifests are already copied on their own: nothing to fix.
      const manifestNames = new Set([...tool.manifests, ...installs[0]!.install!.named.map((n) => n.split('/').pop()!)]);
      const namesManifest = (last: string): boolean => [...manifestNames].some((m) => {
        try {
          return goFilepathMatch(last, m);
        } catch {
          return false;
        }
      });
      if (before.sources.some((s) => namesManifest(s.path.split('/').pop()!))) break;
      if (before.sources.length !== 1) continue;
      const source = before.sources[0]!;
      if (source.wildcard || source.unresolved) continue;
      const manifestHere = tool.manifests.some((m) => inputs.sentFiles.has(join(source.path, m)));
      const named = installs[0]!.install!.named;
      const namedHere = named.length > 0 && named.every((n) => inputs.sentFiles.has(join(source.path, n)));
      if (!manifestHere && !namedHere) continue;
      const instruction = instructionAt(dockerfile, before);
      if (!instruction || (instruction.kind !== 'COPY' && instruction.kind !== 'ADD')) continue;
      copy = before;
      copyInstruction = instruction;
      sourceDir = source.path;
      break;
    }
    if (!copy || !copyInstruction) continue;
    // A broad COPY reads more than the manifests.
    const reasons: string[] = [];
    const cacheMount = tool.cacheTarget ? `RUN --mount=type=cache,target=${tool.cacheTarget} ${segments.join(' && ')}` : null;
    const other = matches.filter((m) => m.install === null && !m.setup).map((m) => m.segment);
    const needsSource = installs.filter((m) => !m.install!.manifestsOnly);
    const base: Omit<Fix, 'manifests' | 'proposed' | 'diff' | 'writable' | 'reasons'> = {
      tool: tool.id,
      toolName: tool.name,
      install: step.index,
      copy: copy.index,
      cacheMount,
    };
    if (other.length > 0 || needsSource.length > 0) {
      for (const m of needsSource) reasons.push(m.install!.advice!);
      if (other.length > 0) reasons.push(`the RUN also runs \`${other[0]}\`${other.length > 1 ? ` and ${other.length - 1} more` : ''}: make the install a RUN of its own, then move it`);
      fixes.push({ ...base, manifests: [], proposed: null, diff: null, writable: false, reasons });
      continue;
    }
    // The files the install reads: the tool's manifests and locks (pip: the files it names).
    const named = installs.flatMap((m) => m.install!.named);
    const wanted = tool.id === 'pip' ? named : [...tool.manifests, ...tool.locks];
    const files = [...new Set(wanted.map((f) => join(sourceDir, f)))].filter((f) => inputs.sentFiles.has(f));
    if (tool.id === 'pip' && files.length < named.length) {
      reasons.push(`the requirements files ${named.join(', ')} are not all in the context`);
    }
    const dirs = (tool.dirs ?? []).map((d) => join(sourceDir, d)).filter((d) => hasFilesUnder(inputs.sentFiles, d) > 0);
    // What makes the install read more than these files.
    if (tool.lifecycleScripts) {
      const pkg = inputs.readText(join(sourceDir, 'package.json'));
      try {
        const scripts = pkg ? (JSON.parse(pkg) as { scripts?: Record<string, string> }).scripts ?? {} : {};
        const hooks = tool.lifecycleScripts.filter((h) => typeof scripts[h] === 'string');
        if (hooks.length > 0) reasons.push(`package.json runs ${hooks.map((h) => `\`${h}\` (${scripts[h]})`).join(', ')} on install: it may read the source`);
      } catch {
        reasons.push('package.json is not valid JSON');
      }
    }
    for (const more of tool.readsMore ?? []) {
      const targets = more.file === '*' ? files : [join(sourceDir, more.file)];
      for (const file of targets) {
        const text = inputs.readText(file);
        if (text !== null && more.pattern.test(text)) {
          reasons.push(more.reason + ` (${file})`);
          break;
        }
      }
    }
    // What runs between the broad COPY and the install.
    const stage = dockerfile.stages[step.stageIndex]!;
    for (const between of stage.instructions) {
      if (between.line <= copy.line || between.line >= step.line) continue;
      if (between.kind === 'OTHER' && METADATA.has(between.keyword)) continue;
      reasons.push(`${between.keyword} at line ${between.line} runs between \`${copy.instruction}\` and the install: it may read or change what moves`);
    }
    // What the install writes, which the broad COPY (now after it) would overwrite.
    for (const output of tool.outputs) {
      const n = hasFilesUnder(inputs.sentFiles, join(sourceDir, output));
      if (n > 0 || inputs.sentFiles.has(join(sourceDir, output))) {
        reasons.push(`the context sends ${join(sourceDir, output)} (${n} files), which \`${copy.instruction}\` would copy over what the install wrote: add it to .dockerignore`);
      }
    }
    // Files already copied by an earlier step of the stage need no new COPY.
    const earlier = build.steps.filter((s) => s.stageIndex === step.stageIndex && s.index < copy!.index);
    const newFiles = files.filter((f) => !earlier.some((s) => s.sources.some((src) => src.path === f)));
    if (files.length === 0) {
      fixes.push({ ...base, manifests: [], proposed: null, diff: null, writable: false, reasons: [...reasons, `none of ${tool.name}'s manifest files is in the context`] });
      continue;
    }
    // The new text: the manifest COPY lines and the install, before the broad COPY.
    const copyLine = lines[copy.line - 1] ?? '';
    const indent = /^\s*/.exec(copyLine)![0];
    const destRaw = copyInstruction.dest;
    const dest = destRaw === '.' ? './' : destRaw.endsWith('/') ? destRaw : destRaw + '/';
    const flags =
      (copyInstruction.chown !== undefined ? ` --chown=${copyInstruction.chown}` : '') +
      (copyInstruction.chmod !== undefined ? ` --chmod=${copyInstruction.chmod}` : '');
    const inserted: string[] = [];
    if (newFiles.length > 0) {
      // Each file lands where the broad COPY would put it: relative to its source directory.
      const byDir = new Map<string, string[]>();
      for (const file of newFiles) {
        const rel = sourceDir === '.' ? file : file.slice(sourceDir.length + 1);
        const sub = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
        byDir.set(sub, [...(byDir.get(sub) ?? []), file]);
      }
      for (const [sub, group] of byDir) inserted.push(indent + quoteAll(group, dest + sub, flags));
    }
    for (const dir of dirs) {
      const rel = sourceDir === '.' ? dir : dir.slice(sourceDir.length + 1);
      inserted.push(indent + quoteAll([dir], dest + rel + '/', flags));
    }
    const runLines = lines.slice(step.line - 1, run.endLine);
    const proposedLines = [
      ...lines.slice(0, copy.line - 1),
      ...inserted,
      ...runLines,
      ...lines.slice(copy.line - 1, step.line - 1),
      ...lines.slice(run.endLine),
    ];
    const proposed = proposedLines.join('\n');
    fixes.push({
      ...base,
      manifests: newFiles,
      proposed,
      diff: unifiedDiff(inputs.text, proposed, 'a/' + inputs.name, 'b/' + inputs.name),
      writable: reasons.length === 0,
      reasons,
    });
  }
  return fixes;
}

export { DEPENDENCY_TOOLS };
