import { fitHelp } from '../cli/help-text.js';
import path from 'node:path';
import { parseCommandArgs } from '../cli/args.js';
import { UsageError } from '../cli/errors.js';
import type { CliIO } from '../cli/io.js';
import { startProgress } from '../cli/progress.js';
import { applyClean, cleanFailed } from '../clean/apply.js';
import { readPlanFile } from '../clean/plan-file.js';
import { planClean } from '../clean/plan.js';
import { formatPlan, formatResult } from '../clean/report.js';
import type { CleanResult, Plan } from '../clean/types.js';
import { InputError } from '../context/resolve.js';
import { cleanableCategories } from '../knowledge/artifacts.js';
import { humanSize } from '../report/human.js';
import { writeOutputFile } from '../output/write-file.js';

export const help = (): string => fitHelp(`Usage: ctxsize clean [DIR] [options]        (alias: ctxsize purge)

Find regenerable caches in DIR (default: .) and delete them safely. Without --yes this is a dry
run: it lists every item it would delete, with its size, grouped by category, and deletes nothing.

Cleaned by default (categories): ${cleanableCategories().join(', ')}
  __pycache__, *.pyc, .pytest_cache, .mypy_cache, .ruff_cache, node_modules/.cache, .parcel-cache,
  .eslintcache, .next/cache, .turbo, .nyc_output, *.tsbuildinfo, .gradle, … (see docs/clean-safety.md)
Never deleted: virtual environments, node_modules itself, build outputs, lockfiles, .git, secrets,
  files tracked by git, symbolic links (never followed), anything outside DIR, and DIR itself.
Refused as DIR: /, your home directory, and any directory that contains it.

Options:
  -y, --yes              delete the listed items (each is re-checked just before deletion)
      --only CAT,...     only these categories of the default set
      --include PATTERN  also delete what PATTERN names (repeatable): NAME or a/b at any depth,
                         /PATH from DIR only, a trailing / for directories only; * ? [...] wildcards
      --exclude PATTERN  never delete or enter what PATTERN names (repeatable); same syntax
      --json             print the plan (dry run) or the result as JSON (schemaVersion 1)
      --plan FILE        also write the plan as JSON to FILE, to review or apply later
      --apply FILE       apply a plan written by --plan, re-checking every item (and that it was
                         made for DIR); without --yes it only shows what would happen
  -h, --help             show this help

On a terminal, without --yes, clean asks "Delete N items (SIZE)? [y/N]". Elsewhere it never asks
and deletes nothing without --yes.

Exit codes: 0 done (or a dry run), 1 some item could not be deleted or was refused after its
re-check, 2 bad usage or input (including a refused DIR or an unusable plan file).

Examples:
  ctxsize clean                                 list what would be deleted, delete nothing
  ctxsize clean --yes                           delete it
  ctxsize clean --only python-cache --yes services/api
  ctxsize clean --include '.cache/' --exclude 'fixtures/' .
  ctxsize clean --plan plan.json . && ctxsize clean --apply plan.json --yes .
`);

const OPTIONS = {
  yes: { type: 'boolean', short: 'y' },
  only: { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  plan: { type: 'string' },
  apply: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Input = NodeJS.ReadableStream & { isTTY?: boolean };

/** The terminal to ask on, or null when clean must not ask (not a terminal, --json). */
function promptInput(io: CliIO): Input | null {
  const stdin = (io as CliIO & { stdin?: Input }).stdin ?? (process.stdin as Input);
  return stdin.isTTY && io.stderr.isTTY ? stdin : null;
}

/** Ask a yes/no question on stderr; anything but y/yes (including end of input) is no. */
function confirm(io: CliIO, input: Input, question: string): Promise<boolean> {
  return new Promise((resolve) => {
    io.stderr.write(question);
    let buffer = '';
    const finish = (answer: boolean): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
      resolve(answer);
    };
    const onData = (chunk: Buffer | string): void => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) finish(/^\s*y(es)?\s*$/i.test(buffer.slice(0, newline)));
    };
    const onEnd = (): void => finish(false);
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}

function writePlan(file: string, plan: Plan, io: CliIO): void {
  writeOutputFile(file, JSON.stringify(plan, null, 2) + '\n', io.cwd, 'plan');
}

function printResult(result: CleanResult, json: boolean, io: CliIO): number {
  io.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : formatResult(result, io.cwd));
  return cleanFailed(result) ? 1 : 0;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('clean', args, OPTIONS, 1);
  if (values.help) {
    io.stdout.write(help());
    return 0;
  }
  const dir = positionals[0] ?? '.';
  const json = values.json ?? false;
  const yes = values.yes ?? false;

  if (values.apply !== undefined) {
    for (const flag of ['only', 'include', 'exclude', 'plan'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`clean: --${flag} cannot be combined with --apply (the plan already fixes what to delete)`);
    }
    const plan = readPlanFile(values.apply, io.cwd);
    if (yes) return printResult(applyClean(plan, { dir, cwd: io.cwd }), json, io);
    const preview = applyClean(plan, { dir, cwd: io.cwd, dryRun: true });
    const input = json ? null : promptInput(io);
    printResult(preview, json, io);
    if (input === null || preview.counts.ready === 0) {
      if (!json && preview.counts.ready > 0) io.stderr.write(`Nothing was deleted. Run again with --yes to delete these items.\n`);
      return cleanFailed(preview) ? 1 : 0;
    }
    const bytes = preview.items.filter((i) => i.status === 'ready').reduce((sum, i) => sum + i.bytes, 0);
    if (!(await confirm(io, input, `Delete ${preview.counts.ready} item${preview.counts.ready === 1 ? '' : 's'} (${humanSize(bytes)})? [y/N] `))) {
      io.stderr.write('Nothing was deleted.\n');
      return 0;
    }
    return printResult(applyClean(plan, { dir, cwd: io.cwd }), json, io);
  }

  const progress = json ? null : await startProgress(io, 'Looking for caches');
  let plan: Plan;
  try {
    plan = planClean(dir, {
      cwd: io.cwd,
      only: values.only?.split(','),
      include: values.include,
      exclude: values.exclude,
      onProgress: progress?.update,
    });
  } finally {
    progress?.stop();
  }
  if (values.plan !== undefined) writePlan(values.plan, plan, io);

  if (yes) return printResult(applyClean(plan), json, io);

  const input = json ? null : promptInput(io);
  if (json) {
    io.stdout.write(JSON.stringify(plan, null, 2) + '\n');
    return 0;
  }
  const hint = input === null ? `Nothing was deleted. Run again with --yes to delete ${plan.items.length === 1 ? 'it' : 'them'}.` : null;
  io.stdout.write(formatPlan(plan, io.cwd, hint));
  if (input === null || plan.items.length === 0) return 0;
  const n = plan.totals.items;
  if (!(await confirm(io, input, `Delete ${n} item${n === 1 ? '' : 's'} (${humanSize(plan.totals.bytes)})? [y/N] `))) {
    io.stderr.write('Nothing was deleted.\n');
    return 0;
  }
  return printResult(applyClean(plan), json, io);
}
