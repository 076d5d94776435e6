import { fitHelp } from '../cli/help-text.js';
import { startProgress } from '../cli/progress.js';
import { BUILD_OPTIONS, CONTEXT_OPTIONS, parseBuildArgs, parseBuilder, parseCommandArgs, parseIgnoreFileFlag, platformsFrom } from '../cli/args.js';
import { configuredPlatforms } from '../config/config.js';
import { displayPath } from '../report/display-path.js';
import { UsageError } from '../cli/errors.js';
import { forEachEffectiveEntry } from '../effective/effective.js';
import type { CliIO } from '../cli/io.js';
import { forEachContextEntry } from '../context/list.js';
import type { Entry } from '../walk/entry.js';
import { escapeControl } from '../input/escape.js';

export const help = (): string => fitHelp(`Usage: ctxsize ls [DIR] [options]

List the entries of the build context of DIR (default: .), one path per line, relative to DIR,
directories included, exactly as the builder puts them in the context.

Options:
  -f, --file PATH       the Dockerfile (default DIR/Dockerfile); selects <Dockerfile>.dockerignore
      --builder NAME    buildkit (default), classic, or buildah (alias podman: its
                        Containerfile, .containerignore and pattern rules)
      --ignorefile PATH with --builder buildah: the ignore file, as Podman's flag
      --effective       only what BuildKit transfers for this Dockerfile: the context paths its
                        COPY/ADD sources and bind mounts use (a missing source is reported on stderr)
      --target STAGE    with --effective: the stage to build (default the last)
      --build-arg K=V   with --effective: a build argument (repeatable)
      --platform P[,P…] with --effective: the target platforms, as docker build
                        --platform (default: "platform" in .ctxsizerc.json,
                        DOCKER_DEFAULT_PLATFORM, else linux on this machine's
                        architecture); several: the union of what each build sends
  -0, --null            end each path with NUL instead of a newline (for xargs -0)
      --json            one JSON object per line: {"path","type","size"}
  -h, --help            show this help

Examples:
  ctxsize ls . | grep node_modules
  ctxsize ls --builder classic --json . > entries.ndjson
  ctxsize ls --builder podman .
  ctxsize ls -0 . | xargs -0 du -b
  ctxsize ls --effective --target prod --json .
`);

/** Output is buffered in chunks: one write per entry is the slowest part of a large listing. */
class ChunkedWriter {
  private parts: (string | Buffer)[] = [];
  private size = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  write(part: string | Buffer): void {
    this.parts.push(part);
    this.size += part.length;
    if (this.size >= 1 << 16) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    this.stream.write(Buffer.concat(this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));
    this.parts = [];
    this.size = 0;
  }
}

function ndjson(entry: Entry): string {
  return `{"path":${JSON.stringify(entry.path)},"type":"${entry.type}","size":${entry.size}}\n`;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'ls',
    args,
    { ...CONTEXT_OPTIONS, ...BUILD_OPTIONS, null: { type: 'boolean', short: '0' }, effective: { type: 'boolean' } },
    1,
  );
  if (values.help) {
    io.stdout.write(help());
    return 0;
  }
  const builder = parseBuilder(values.builder);
  if (!values.effective && (values.target !== undefined || values['build-arg'] !== undefined || values.platform !== undefined)) {
    throw new UsageError('ls: --target, --build-arg and --platform only apply with --effective');
  }
  if (values.effective && builder === 'classic') {
    throw new UsageError('ls: --effective is what BuildKit transfers; the classic builder always sends the whole context');
  }
  if (values.effective && builder === 'buildah') {
    throw new UsageError('ls: --effective is what BuildKit transfers; a local Buildah reads COPY sources from the directory itself, a remote Podman uploads the whole context');
  }
  const ignoreFile = parseIgnoreFileFlag(values.ignorefile, builder);
  const out = new ChunkedWriter(io.stdout);
  const terminator = values.null ? '\0' : '\n';
  const write = values.json
    ? (entry: Entry) => out.write(ndjson(entry))
    : (entry: Entry) => {
        // -0 is for programs: names as they are. One per line is for people: escaped.
        const shown = values.null ? entry.path : escapeControl(entry.path);
        out.write(shown === entry.path ? (entry.rawPath ?? entry.path) : shown);
        out.write(terminator);
      };
  const options = { dir: positionals[0] ?? '.', dockerfile: values.file, builder, cwd: io.cwd, ignoreFile };
  if (values.effective) {
    const configured = values.platform === undefined ? configuredPlatforms(options.dir, io.cwd) : undefined;
    const platforms = platformsFrom(values.platform, configured, io.env);
    // A spinner only when the listing goes elsewhere (a file, a pipe): on the same terminal the two would mix.
    const progress = io.stdout.isTTY ? null : await startProgress(io, 'ctxsize ls --effective');
    progress?.doing('reading the Dockerfile, then walking what it uses');
    let seen = 0;
    let result: ReturnType<typeof forEachEffectiveEntry>;
    try {
      result = forEachEffectiveEntry(
        { ...options, target: values.target, buildArgs: parseBuildArgs(values['build-arg'], io.env), ...(platforms ? { platforms } : {}) },
        progress === null
          ? write
          : (entry) => {
              write(entry);
              if (++seen % 512 === 0) progress.update(seen);
            },
      );
    } finally {
      progress?.stop();
    }
    const { problems, warnings, plan } = result;
    out.flush();
    for (const w of plan.warnings) io.stderr.write(`ctxsize: warning: ${displayPath(io.cwd, w.file)}:${w.line}: ${escapeControl(w.message)}\n`);
    for (const w of warnings) io.stderr.write(`ctxsize: warning: ${escapeControl(w.path)}: ${escapeControl(w.message)}\n`);
    for (const p of problems) {
      const why = p.problem === 'missing' ? 'matches nothing in the context' : `is excluded${p.excludedBy ? ` by ${JSON.stringify(p.excludedBy.pattern)} (${p.excludedBy.file}:${p.excludedBy.line})` : ''}`;
      // A bind mount without source= mounts the context root: its raw source is empty.
      const source = p.source.raw !== '' ? JSON.stringify(p.source.raw) : '(the context root: a bind mount without source=)';
      io.stderr.write(`ctxsize: warning: Dockerfile line ${p.source.line}: ${p.source.instruction} source ${source} ${why}; the build would fail\n`);
    }
    return 0;
  }
  const { warnings } = forEachContextEntry(options, write);
  out.flush();
  for (const w of warnings) io.stderr.write(`ctxsize: warning: ${escapeControl(w.path)}: ${escapeControl(w.message)}\n`);
  return 0;
}
