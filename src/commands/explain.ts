import { parseCommandArgs } from '../cli/args.js';
import { UsageError } from '../cli/errors.js';
import type { CliIO } from '../cli/io.js';
import { explainPath } from '../explain.js';
import { escapeControl } from '../input/escape.js';

export const help = `Usage: ctxsize explain PATH [--dir DIR] [options]

Tell whether PATH is in the build context of DIR (default: .) under each builder, and which
pattern of the ignore file (file and line) decided it.

Options:
      --dir DIR         the context directory (default .)
  -f, --file PATH       the Dockerfile (default DIR/Dockerfile); selects <Dockerfile>.dockerignore
      --builder NAME    explain only buildkit or classic (default both)
      --json            print one JSON document
  -h, --help            show this help

Examples:
  ctxsize explain node_modules/left-pad/index.js
  ctxsize explain --dir services/api .env --json
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'explain',
    args,
    {
      dir: { type: 'string' },
      file: { type: 'string', short: 'f' },
      builder: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    1,
  );
  if (values.help) {
    io.stdout.write(help);
    return 0;
  }
  const target = positionals[0];
  if (target === undefined) throw new UsageError("explain: which path? see 'ctxsize explain --help'");
  if (values.builder !== undefined && values.builder !== 'buildkit' && values.builder !== 'classic') {
    throw new UsageError(`--builder must be buildkit or classic, not ${JSON.stringify(values.builder)}`);
  }
  const explanation = explainPath(target, {
    dir: values.dir ?? '.',
    dockerfile: values.file,
    cwd: io.cwd,
    builders: values.builder ? [values.builder as 'buildkit' | 'classic'] : undefined,
  });
  if (values.json) {
    io.stdout.write(JSON.stringify(explanation, null, 2) + '\n');
    return 0;
  }
  const lines = [`${escapeControl(explanation.path)}${explanation.type === 'dir' ? '/' : ''}${explanation.exists ? '' : ' (does not exist)'}`];
  for (const b of explanation.builders) {
    const name = b.builder === 'buildkit' ? 'BuildKit' : 'classic ';
    lines.push(`  ${name}  ${b.inContext ? 'SENT    ' : 'EXCLUDED'}  ${b.reason}`);
  }
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}
