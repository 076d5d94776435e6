import { fitHelp } from '../cli/help-text.js';
import { BUILD_OPTIONS, CONTEXT_OPTIONS, contextFromFlags, parseBuilder, parseCommandArgs } from '../cli/args.js';
import { formatAnnotation, onGitHubActions } from '../report/github.js';
import { EXIT } from '../cli/errors.js';
import { styleFor, type CliIO } from '../cli/io.js';
import { startProgress } from '../cli/progress.js';
import { checkContext } from '../check/check.js';
import { isRuleId, type RuleSuppression } from '../check/suppress.js';
import { RULES } from '../check/rules.js';
import { loadConfig } from '../config/config.js';
import { closest } from '../cli/args.js';
import { UsageError } from '../cli/errors.js';
import { InputError } from '../context/resolve.js';
import { formatCheckReport } from '../check/format.js';

export const help = (): string => fitHelp(`Usage: ctxsize check [DIR] [options]

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
      --platform P[,P…]    the target platforms, as docker build --platform (default:
                           "platform" in .ctxsizerc.json, DOCKER_DEFAULT_PLATFORM, else
                           linux on this machine's architecture); several: their union
      --builder NAME       lint this builder's ignore file first and check sources
                           and secrets against its context: buildkit (default),
                           classic or buildah (alias podman); the other builder's
                           ignore file is linted too when it differs. A list
                           (buildkit,podman) says Docker and Podman users both
                           build: lines the two read differently are reported
                           (as when .dockerignore and .containerignore both exist)
      --ignorefile PATH    with --builder buildah: the ignore file (Podman's flag)
      --ignore RULE        silence a rule (repeatable); suppressed findings are
                           counted in the summary. Also: an "ignore" list in
                           .ctxsizerc.json, and "# ctxsize-ignore RULE" on the
                           line above a pattern or a Dockerfile instruction
      --config FILE        read the configuration from FILE
      --no-config          ignore configuration files
      --strict             exit 1 on warnings too
      --json               print one JSON document (schemaVersion 1)
  -h, --help               show this help

Exit codes: 0 no error-level finding (with --strict: no warning either), 1 otherwise,
2 bad usage or input.

Examples:
  ctxsize check .
  ctxsize check --strict --json services/api > findings.json
  ctxsize check -f docker/app.Dockerfile --target runtime --build-arg APP=web .
`);

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'check',
    args,
    {
      ...CONTEXT_OPTIONS,
      ...BUILD_OPTIONS,
      strict: { type: 'boolean' },
      ignore: { type: 'string', multiple: true },
      config: { type: 'string' },
      'no-config': { type: 'boolean' },
    },
    1,
  );
  if (values.help) {
    io.stdout.write(help());
    return EXIT.ok;
  }
  const known = Object.keys(RULES);
  const suppress: RuleSuppression[] = [];
  for (const rule of values.ignore ?? []) {
    if (!isRuleId(rule)) {
      const guess = closest(rule, known);
      throw new UsageError(`--ignore ${rule}: no such rule${guess ? ` (did you mean ${guess}?)` : ''}; see ctxsize check's rules in docs/check-rules.md`);
    }
    suppress.push({ rule, source: `--ignore ${rule}` });
  }
  const loaded = values['no-config'] ? null : loadConfig(positionals[0] ?? '.', { cwd: io.cwd, explicit: values.config });
  for (const item of loaded?.config.ignore ?? []) {
    if (!isRuleId(item.rule)) {
      const guess = closest(item.rule, known);
      throw new InputError(`${loaded!.label}: ignore: no rule ${JSON.stringify(item.rule)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}`);
    }
    suppress.push({ rule: item.rule, ...(item.paths ? { paths: item.paths } : {}), source: `ignore in ${loaded!.label}` });
  }
  // `--builder buildkit,podman`: the first is checked; naming Docker and Podman asks where they differ.
  const builders = (values.builder ?? loaded?.config.builder ?? 'buildkit').split(',');
  const alsoBuilders = builders.slice(1).map((b) => parseBuilder(b));
  const progress = await startProgress(io, 'ctxsize check');
  let report: ReturnType<typeof checkContext>;
  try {
    report = checkContext({ ...contextFromFlags({ ...values, builder: builders[0] }, positionals, io, loaded?.config.platform), alsoBuilders, suppress, ...(progress ? { onProgress: progress.doing } : {}) });
  } finally {
    progress?.stop();
  }
  io.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatCheckReport(report, styleFor(io)));
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
