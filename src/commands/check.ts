import { BUILD_OPTIONS, CONTEXT_OPTIONS, contextFromFlags, parseCommandArgs } from '../cli/args.js';
import { formatAnnotation, onGitHubActions } from '../report/github.js';
import { EXIT } from '../cli/errors.js';
import type { CliIO } from '../cli/io.js';
import { checkContext } from '../check/check.js';
import { formatCheckReport } from '../check/format.js';

export const help = `Usage: ctxsize check [DIR] [options]

Lint the build context of DIR (default: .): the ignore files (malformed patterns, comments that are
patterns, .gitignore habits, rules that match nothing or change nothing, rules the two builders
read differently), the Dockerfile's COPY/ADD and bind-mount sources (excluded or missing: the
build would fail), and secrets in the context, by name and by content (keys and tokens; only their
kind, file and line are printed, never the secret).

Options:
  -f, --file PATH          the Dockerfile (default DIR/Dockerfile); selects <Dockerfile>.dockerignore
      --target STAGE       the stage to check (default: the last one)
      --build-arg K=V      a build argument used to resolve ARGs in sources (repeatable;
                           --build-arg K takes K from the environment, as docker does)
      --builder NAME       lint this builder's ignore file first and check sources and secrets
                           against its context: buildkit (default) or classic; the other builder's
                           ignore file is linted too when it differs
      --strict             exit 1 on warnings too
      --json               print one JSON document (schemaVersion 1)
  -h, --help               show this help

Exit codes: 0 no error-level finding (with --strict: no warning either), 1 otherwise,
2 bad usage or input.

Examples:
  ctxsize check .
  ctxsize check --strict --json services/api > findings.json
  ctxsize check -f docker/app.Dockerfile --target runtime --build-arg APP=web .
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'check',
    args,
    {
      ...CONTEXT_OPTIONS,
      ...BUILD_OPTIONS,
      strict: { type: 'boolean' },
    },
    1,
  );
  if (values.help) {
    io.stdout.write(help);
    return EXIT.ok;
  }
  const report = checkContext(contextFromFlags(values, positionals, io));
  io.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatCheckReport(report));
  if (onGitHubActions(io.env)) {
    // Error-level findings (with --strict, warnings too) as workflow annotations on their file and line.
    for (const f of report.findings) {
      if (f.severity === 'info' || (f.severity === 'warning' && values.strict !== true)) continue;
      io.stderr.write(
        formatAnnotation({
          level: f.severity === 'error' ? 'error' : 'warning',
          title: `ctxsize check: ${f.rule}`,
          message: `${f.message} Fix: ${f.fix}`,
          file: f.file,
          ...(f.line > 0 ? { line: f.line } : {}),
        }),
      );
    }
  }
  const { errors, warnings } = report.summary;
  return errors > 0 || (values.strict === true && warnings > 0) ? EXIT.failed : EXIT.ok;
}
