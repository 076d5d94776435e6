import { fitHelp } from '../cli/help-text.js';
import path from 'node:path';
import { BUILD_OPTIONS, parseBuildArgs, parseCommandArgs, parseCount, platformsFrom } from '../cli/args.js';
import { configuredPlatforms } from '../config/config.js';
import { EXIT, UsageError } from '../cli/errors.js';
import type { CliIO } from '../cli/io.js';
import { analyzeCache } from '../cache/index.js';
import { formatCacheMarkdown, formatCacheText } from '../cache/format.js';
import { writeOutputFile } from '../output/write-file.js';

export const help = (): string => fitHelp(`Usage: ctxsize cache [DIR] [options]

Which files bust which build cache layers. Lists the steps of the target's
stages with the context files each one reads, what the working tree's
changes rebuild (against HEAD, or --since REF), how often each step
rebuilt over the history, and the reordering that keeps a dependency
install cached (copy the manifests first), with its measured benefit.

Options:
  -f, --file PATH          the Dockerfile (default DIR/Dockerfile)
      --target STAGE       the stage to build (default the last)
      --build-arg K=V      a build argument (repeatable)
      --platform OS/ARCH   the target platform (one; default: "platform" in
                           .ctxsizerc.json, DOCKER_DEFAULT_PLATFORM, this
                           machine's)
      --since REF          compare the working tree with REF (default HEAD)
      --history [N]        replay the last N first-parent commits (100)
      --max-rebuild-steps N  exit 1 when more than N steps rebuild
      --write              apply the reordering when it is safe
      --json               print one JSON document (schemaVersion 1)
      --format FORMAT      text (default), json or markdown
  -h, --help               show this help

Cache keys use file content and mode, not modification times.

Examples:
  ctxsize cache                         what my uncommitted changes rebuild
  ctxsize cache --since origin/main     what this branch rebuilds in CI
  ctxsize cache --history 200 .         which files bust which steps
  ctxsize cache --max-rebuild-steps 3   a gate for CI
`);

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  ...BUILD_OPTIONS,
  since: { type: 'string' },
  history: { type: 'string' },
  'max-rebuild-steps': { type: 'string' },
  write: { type: 'boolean' },
  json: { type: 'boolean' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `--history` without a number means the default: give parseArgs one. */
function withHistoryDefault(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    out.push(args[i]!);
    if (args[i] === '--history' && (i + 1 >= args.length || !/^\d+$/.test(args[i + 1]!))) out.push('100');
  }
  return out;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('cache', withHistoryDefault(args), OPTIONS, 1);
  if (values.help) {
    io.stdout.write(help());
    return EXIT.ok;
  }
  const format = values.json ? 'json' : (values.format ?? 'text');
  if (format !== 'text' && format !== 'json' && format !== 'markdown') {
    throw new UsageError(`--format must be text, json or markdown, not ${JSON.stringify(format)}`);
  }
  const history = parseCount('--history', values.history, 0);
  const gate = values['max-rebuild-steps'] === undefined ? null : parseCount('--max-rebuild-steps', values['max-rebuild-steps'], 0);
  const buildArgs = parseBuildArgs(values['build-arg'], io.env);
  const dir = positionals[0] ?? '.';
  // As the other commands: --platform, else the configuration's, else DOCKER_DEFAULT_PLATFORM.
  const platforms = platformsFrom(values.platform, values.platform === undefined ? configuredPlatforms(dir, io.cwd) : undefined, io.env);
  const report = analyzeCache({
    dir,
    dockerfile: values.file,
    cwd: io.cwd,
    target: values.target,
    buildArgs,
    ...(platforms !== undefined ? { platforms } : {}),
    since: values.since ?? 'HEAD',
    history,
  });
  if (gate !== null && report.since === undefined) {
    throw new UsageError('--max-rebuild-steps needs a git work tree to compare with');
  }
  let written: string | null = null;
  if (values.write) {
    const fix = report.fixes.find((f) => f.writable && f.proposed !== null);
    if (fix) {
      const file = path.join(report.root, report.dockerfile);
      writeOutputFile(file, fix.proposed!, report.root, 'Dockerfile');
      written = report.dockerfile;
    }
  }
  if (format === 'json') io.stdout.write(JSON.stringify({ ...report, written }, null, 2) + '\n');
  else if (format === 'markdown') io.stdout.write(formatCacheMarkdown(report));
  else io.stdout.write(formatCacheText(report));
  if (values.write && format !== 'json') {
    io.stderr.write(written ? `ctxsize: wrote the reordering to ${written}\n` : 'ctxsize: nothing written (no reordering is safe to apply)\n');
  }
  if (gate !== null && report.since!.rebuilds > gate) {
    io.stderr.write(`ctxsize: ${report.since!.rebuilds} steps rebuild, more than --max-rebuild-steps ${gate}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
