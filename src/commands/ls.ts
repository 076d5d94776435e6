import { CONTEXT_OPTIONS, parseBuilder, parseCommandArgs } from '../cli/args.js';
import type { CliIO } from '../cli/io.js';
import { forEachContextEntry } from '../list.js';
import type { Entry } from '../walk/entry.js';

export const help = `Usage: ctxsize ls [DIR] [options]

List the entries of the build context of DIR (default: .), one path per line, relative to DIR,
directories included, exactly as the builder puts them in the context.

Options:
  -f, --file PATH       the Dockerfile (default DIR/Dockerfile); selects <Dockerfile>.dockerignore
      --builder NAME    buildkit (default) or classic
  -0, --null            end each path with NUL instead of a newline (for xargs -0)
      --json            one JSON object per line: {"path","type","size"}
  -h, --help            show this help

Examples:
  ctxsize ls . | grep node_modules
  ctxsize ls --builder classic --json . > entries.ndjson
  ctxsize ls -0 . | xargs -0 du -b
`;

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
    { ...CONTEXT_OPTIONS, null: { type: 'boolean', short: '0' } },
    1,
  );
  if (values.help) {
    io.stdout.write(help);
    return 0;
  }
  const builder = parseBuilder(values.builder);
  const out = new ChunkedWriter(io.stdout);
  const terminator = values.null ? '\0' : '\n';
  const { warnings } = forEachContextEntry(
    { dir: positionals[0] ?? '.', dockerfile: values.file, builder, cwd: io.cwd },
    values.json
      ? (entry) => out.write(ndjson(entry))
      : (entry) => {
          out.write(entry.rawPath ?? entry.path);
          out.write(terminator);
        },
  );
  out.flush();
  for (const w of warnings) io.stderr.write(`ctxsize: warning: ${w.path}: ${w.message}\n`);
  return 0;
}
