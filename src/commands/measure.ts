import { CONTEXT_OPTIONS, parseBuilder, parseCommandArgs, parseCount } from '../cli/args.js';
import type { CliIO } from '../cli/io.js';
import { startProgress } from '../cli/progress.js';
import { measureContext } from '../measure.js';
import { formatMeasure } from '../report/human.js';

export const help = `Usage: ctxsize [measure] [DIR] [options]

Measure the build context of DIR (default: .) in one walk: the whole directory, what the builder
sends, what the ignore file keeps out, and the largest paths.

Options:
  -f, --file PATH       the Dockerfile (default DIR/Dockerfile); selects <Dockerfile>.dockerignore
      --builder NAME    buildkit (default) or classic
      --top N           how many largest paths to show (default 10)
      --json            print one JSON document (schemaVersion 1)
  -h, --help            show this help

Examples:
  ctxsize .
  ctxsize --builder classic --top 20 services/api
  ctxsize -f docker/app.Dockerfile --json . > context.json
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('measure', args, { ...CONTEXT_OPTIONS, top: { type: 'string' } }, 1);
  if (values.help) {
    io.stdout.write(help);
    return 0;
  }
  const builder = parseBuilder(values.builder);
  const top = parseCount('--top', values.top, 10);
  const progress = values.json ? null : startProgress(io, 'Measuring build context');
  let report;
  try {
    report = measureContext({
      dir: positionals[0] ?? '.',
      dockerfile: values.file,
      builder,
      top,
      cwd: io.cwd,
      onProgress: progress?.update,
    });
  } finally {
    progress?.stop();
  }
  io.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatMeasure(report, io.cwd));
  return 0;
}
