import { fitHelp } from '../cli/help-text.js';
import { BUILD_OPTIONS, closest, CONTEXT_OPTIONS, contextFromFlags, parseCommandArgs } from '../cli/args.js';
import { EXIT, UsageError } from '../cli/errors.js';
import { styleFor, type CliIO } from '../cli/io.js';
import { startProgress } from '../cli/progress.js';
import { LimitSyntaxError, parseSize } from '../gates/gates.js';
import { ARTIFACTS } from '../knowledge/artifacts.js';
import { applySuggestWrite, formatSuggestReport, suggestIgnore, suggestReportJson } from '../suggest/index.js';
import { assertWritableIgnoreFile, DEFAULT_LARGE_FILE_BYTES } from '../suggest/suggest.js';
import { humanSize } from '../report/human.js';
import { configuredPlatforms } from '../config/config.js';

export const help = (): string => fitHelp(`Usage: ctxsize suggest [DIR] [options]

Propose .dockerignore lines for the build context of DIR (default: .), each with the bytes and
files it removes from the context (computed with Docker's own matching, not estimated) and why:
dependency and build folders at any depth, VCS data, caches and test output, logs, editor and OS
files, secrets, large files (>= ${humanSize(DEFAULT_LARGE_FILE_BYTES)}) that no instruction uses,
and the entries of your .gitignore files, converted to .dockerignore syntax and checked against git.

Nothing the Dockerfile uses is ever proposed (COPY/ADD sources and bind mounts of the stages the
target needs, lockfiles), nor a path your own ! lines re-include: such a line is narrowed to the
paths that are safe, or withheld with the reason. Every Dockerfile reading the ignore file counts
(siblings such as Dockerfile.dev, Compose services). Each suggestion says what it rests on; where
a build may read a path (COPY . . then RUN steps), only what is safe whatever the build does is
written by default (caches, editor files, dependency folders the image installs itself, .git
unless a step runs git); the rest, such as files git tracks, is listed under Review with the
reason and written only when --only names it. When the Dockerfiles use only a few paths, the
allow-list form (* then !path lines) is shown too, checked under both builders.

Without --write nothing is written: the change --write would make is shown as a diff. --write adds
the selected lines to a marked block (# >>> ctxsize suggest >>> ... # <<< ctxsize suggest <<<) of
the ignore file the builder reads (<Dockerfile>.dockerignore or .dockerignore; created when
missing), with a comment per line. Every other line is kept byte for byte, CRLF files stay CRLF,
and running it again changes nothing.

Options:
  -f, --file PATH          the Dockerfile (default DIR/Dockerfile); selects <Dockerfile>.dockerignore
      --target STAGE       the stage to build (default: the last one)
      --build-arg K=V      a build argument used to resolve ARGs in sources (repeatable)
      --platform P[,P…]    the target platforms, as docker build --platform (default:
                           "platform" in .ctxsizerc.json, DOCKER_DEFAULT_PLATFORM, else
                           linux on this machine's architecture); several: their union
      --builder NAME       buildkit (default) or classic: whose context and ignore file;
                           buildah (alias podman): the file Podman reads (.containerignore
                           when it exists, or when neither file does), lines planned with
                           BuildKit's walk over it
      --ignorefile PATH    with --builder buildah: the ignore file (Podman's flag)
      --large SIZE         the large-file threshold (default 1MB; e.g. 500kB, 10MiB)
      --no-gitignore       do not convert .gitignore entries
      --write              write the selected suggestions to the ignore file
      --dry-run            show what --write would do, write nothing (the default)
      --only ID,...        select only these suggestions (ids as listed; "large-file" and
                           "gitignore" select all of that kind); names under Review
                           are written only when listed here
      --category CAT,...   select only these categories (${[...new Set(ARTIFACTS.map((a) => a.category))].filter((c) => c !== 'lockfile').join(', ')}, large-file, gitignore)
      --min-bytes SIZE     select only suggestions that remove at least SIZE
      --json               print one JSON document (schemaVersion 1)
  -h, --help               show this help

Exit codes: 0 done, 1 the change was refused (it would break the build), 2 bad usage or input.

Examples:
  ctxsize suggest
  ctxsize suggest --write --category dependencies,vcs,secrets
  ctxsize suggest --only node-modules,git --write services/api
  ctxsize suggest -f docker/api.Dockerfile --target runtime --json .
`);

const OPTIONS = {
  ...CONTEXT_OPTIONS,
  ...BUILD_OPTIONS,
  large: { type: 'string' },
  'no-gitignore': { type: 'boolean' },
  write: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  only: { type: 'string', multiple: true },
  category: { type: 'string', multiple: true },
  'min-bytes': { type: 'string' },
} as const;

function list(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function size(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseSize(value).bytes;
  } catch (error) {
    if (error instanceof LimitSyntaxError) throw new UsageError(`${flag}: ${error.message}`);
    throw error;
  }
}

function check(flag: string, given: readonly string[] | undefined, known: readonly string[], accepts?: (v: string) => boolean): void {
  for (const value of given ?? []) {
    if (known.includes(value) || accepts?.(value)) continue;
    const guess = closest(value, known);
    throw new UsageError(`${flag}: unknown ${flag === '--only' ? 'suggestion id' : 'category'} ${JSON.stringify(value)}${guess ? ` (did you mean ${guess}?)` : ''}`);
  }
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('suggest', args, OPTIONS, 1);
  if (values.help) {
    io.stdout.write(help());
    return EXIT.ok;
  }
  if (values.write && values['dry-run']) throw new UsageError('suggest: --write and --dry-run exclude each other');
  const only = list(values.only);
  const categories = list(values.category);
  check('--only', only, [...ARTIFACTS.map((a) => a.id), 'large-file', 'gitignore'], (v) => v.startsWith('large-file:') || v.startsWith('gitignore:'));
  check('--category', categories, [...new Set<string>(ARTIFACTS.map((a) => a.category)), 'large-file', 'gitignore']);
  const progress = await startProgress(io, 'ctxsize suggest');
  let report: ReturnType<typeof suggestIgnore>;
  try {
    report = suggestIgnore({
      ...contextFromFlags(values, positionals, io, values.platform === undefined ? configuredPlatforms(positionals[0] ?? '.', io.cwd) : undefined),
      largeFileBytes: size('--large', values.large),
      gitignore: !values['no-gitignore'],
      selection: { only, categories, minBytes: size('--min-bytes', values['min-bytes']) },
      ...(progress ? { onProgress: progress.doing } : {}),
    });
  } finally {
    progress?.stop();
  }
  const writing = values.write === true && !report.write.refused;
  // Refuse a link out of DIR or a FIFO before printing a diff that names the ignore file.
  if (writing && report.write.changed) assertWritableIgnoreFile(report.write.file, report.root);
  if (!values.json) io.stdout.write(formatSuggestReport(report, io.cwd, values.write === true, styleFor(io)));
  const written = writing ? applySuggestWrite(report.write, report.root) : false;
  if (values.json) io.stdout.write(JSON.stringify(suggestReportJson(report, written), null, 2) + '\n');
  else if (written) io.stdout.write(`Wrote ${report.write.added.length} line${report.write.added.length === 1 ? '' : 's'} to ${report.write.file}.\n`);
  return report.write.refused && values.write ? EXIT.failed : EXIT.ok;
}
