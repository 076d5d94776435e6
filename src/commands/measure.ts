import { fitHelp } from '../cli/help-text.js';
import { statSync } from 'node:fs';
import path from 'node:path';
import { compareWithBaseline, readBaselineFile, validateMeasurement, writeBaselineFile, writeFileAtomic, type LoadedBaseline } from '../gates/baseline.js';
import { BUILD_OPTIONS, CONTEXT_OPTIONS, parseBuildArgs, parseBuilder, parseCommandArgs, parseCount, parseIgnoreFileFlag, parsePositiveCount, platformsFrom } from '../cli/args.js';
import { isKnownError, UsageError } from '../cli/errors.js';
import { styleFor, type CliIO } from '../cli/io.js';
import { packageVersion } from '../runtime/package-files.js';
import { PLAIN } from '../report/style.js';
import { startProgress } from '../cli/progress.js';
import type { ComposeService } from '../compose/compose.js';
import { loadConfig, OUTPUT_FORMATS, type BudgetConfig, type LoadedConfig, type OutputFormat } from '../config/config.js';
import { InputError } from '../context/resolve.js';
import {
  composePassed,
  evaluateGates,
  gatesPassed,
  LimitSyntaxError,
  parseFileCount,
  parseGrowth,
  parseSize,
  type Budgets,
  type ComposeOutcome,
  type MeasureOutcome,
  type ServiceOutcome,
} from '../gates/gates.js';
import { measureContext, type MeasureOptions, type MeasureReport } from '../measure/measure.js';
import { formatComposeText, formatGatesText, formatGrowthText } from '../report/gates-text.js';
import { appendStepSummary, composeAnnotations, formatAnnotation, measureAnnotations, onGitHubActions, type Annotation } from '../report/github.js';
import { formatMeasure } from '../report/human.js';
import type { Builder } from '../dockerignore/builders.js';

export const help = (): string => fitHelp(`Usage: ctxsize [measure] [DIR] [options]

Measure the build context of DIR (default: .) in one walk: the whole directory, what the builder
sends, what the ignore file keeps out, and the largest paths. Check it against budgets and a
baseline, and report it as text, JSON, Markdown or Prometheus metrics.

Options:
  -f, --file PATH         the Dockerfile (default DIR/Dockerfile); selects <Dockerfile>.dockerignore
      --builder NAME      buildkit (default), classic, or buildah (alias podman)
      --ignorefile PATH   with --builder buildah: the ignore file (Podman's flag)
      --target STAGE      the stage the effective context follows (default the last)
      --build-arg K=V     a build argument for the effective context (repeatable)
      --platform P[,P…]   the target platforms, as docker build --platform (default:
                          DOCKER_DEFAULT_PLATFORM, else linux on this machine's
                          architecture); several: the effective context is their union
      --top N             how many largest paths to show, as a tree (default 10)
      --depth N           show the tree N path levels deep (default: all)
      --format FORMAT     text (default), json, markdown, prometheus or html (a page
                          with a zoomable treemap, no network needed; use -o)
      --check             with --format html: add the findings of ctxsize check
                          (exit 1 on an error-level finding)
      --json              the same as --format json (one JSON document, schemaVersion 1)
  -o, --output FILE       write the report to FILE (atomically) instead of stdout
  -h, --help              show this help

Gates (exit 1 when one fails; exactly at the limit passes):
      --max-size SIZE     fail when the context is larger than SIZE: bytes (300000) or a number
                          with a unit: kB MB GB TB (powers of 1000), KiB MiB GiB TiB (powers of
                          1024); case-insensitive, k/M/G alone are decimal, e.g. 500MB, 1.5GiB
      --max-files N       fail when the context has more than N files
      --max-growth PCT    fail when the context grew by more than PCT percent since --baseline
                          (10, 10%, 2.5), and name the paths that grew the most
  The size and file gates also apply to the effective context when one is measured.

Baselines:
      --save-baseline FILE   save this measurement as a baseline (the JSON document)
      --baseline FILE        compare with a saved baseline; a missing or invalid one is an error (exit 2)

Compose:
      --compose [FILE]    measure the build context of every service of a Compose file (default:
                          compose.yaml, compose.yml, docker-compose.yml or docker-compose.yaml in
                          DIR, with its override file), one row each, gates applied to each
      --profile NAME      enable a Compose profile (repeatable; * for all; default: COMPOSE_PROFILES):
                          services with profiles are measured only when one is enabled
  Without FILE or DIR, COMPOSE_FILE names the Compose files when it is set (as in Compose).

Configuration:
      --config FILE       read the configuration from FILE (a .ctxsizerc.json, or a package.json
                          with a "ctxsize" key) instead of DIR/.ctxsizerc.json or DIR/package.json
      --no-config         ignore configuration files
  Keys: maxSize, maxFiles, maxGrowth, baseline, builder, file, format, top, compose, services,
  platform;
  command-line flags win.

On GitHub Actions (GITHUB_ACTIONS=true) failed gates are also printed as error annotations on
stderr; when GITHUB_STEP_SUMMARY is set, the Markdown summary is appended to that file.

Examples:
  ctxsize .
  ctxsize --builder classic --top 20 services/api
  ctxsize -f docker/app.Dockerfile --json . > context.json
  ctxsize --max-size 200MB --max-files 20000 .
  ctxsize --baseline ctxsize-baseline.json --max-growth 10 --format markdown . > summary.md
  ctxsize --format prometheus -o /var/lib/node_exporter/textfile/ctxsize.prom .
  ctxsize --format html --check -o context.html .
  ctxsize --compose --max-size 500MB .
`);

const OPTIONS = {
  ...CONTEXT_OPTIONS,
  ...BUILD_OPTIONS,
  top: { type: 'string' },
  depth: { type: 'string' },
  check: { type: 'boolean' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'max-size': { type: 'string' },
  'max-files': { type: 'string' },
  'max-growth': { type: 'string' },
  baseline: { type: 'string' },
  'save-baseline': { type: 'string' },
  compose: { type: 'boolean' },
  profile: { type: 'string', multiple: true },
  config: { type: 'string' },
  'no-config': { type: 'boolean' },
} as const;

/**
 * `--compose` takes an optional FILE, which util.parseArgs cannot express: take it out first.
 * The next argument is the Compose file when it is not an option and names a YAML file or an
 * existing file (a directory is DIR). `--compose=FILE` is always a file.
 */
function takeCompose(args: string[], cwd: string): { args: string[]; compose: true | string | undefined } {
  const rest: string[] = [];
  let compose: true | string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (arg.startsWith('--compose=')) {
      const file = arg.slice('--compose='.length);
      if (file === '') throw new UsageError('--compose= needs a file name (or use --compose alone for the default file)');
      compose = file;
      continue;
    }
    if (arg !== '--compose') {
      rest.push(arg);
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('-') && (/\.ya?ml$/i.test(next) || isFile(path.resolve(cwd, next)))) {
      compose = next;
      i++;
    } else {
      compose = true;
    }
  }
  return { args: rest, compose };
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Everything a run needs, from the flags and the configuration file (flags win). */
interface Settings {
  dir: string;
  format: OutputFormat;
  builder: Builder;
  /** `--ignorefile` (Buildah only). */
  ignoreFile: string | undefined;
  /** The Dockerfile: as given on the command line (relative to cwd) or absolute from the config. */
  file: string | undefined;
  top: number;
  /** `--depth`: levels of the tree in the text report. */
  depth: number | undefined;
  /** `--check`: the HTML report also shows the findings of `ctxsize check`. */
  check: boolean;
  budgets: Budgets;
  /** Budgets per compose service from the configuration. */
  serviceBudgets: Record<string, Budgets>;
  baseline: string | undefined;
  saveBaseline: string | undefined;
  compose: true | string | undefined;
  /** Compose profiles enabled: `--profile`, else COMPOSE_PROFILES. */
  profiles: string[];
  /** DIR was named on the command line (else it is the current directory). */
  dirGiven?: boolean;
  output: string | undefined;
  /** `--target` and `--build-arg`: which build of the Dockerfile the effective context follows. */
  target: string | undefined;
  buildArgs: Record<string, string>;
  /** `--platform`, else the configuration's, else DOCKER_DEFAULT_PLATFORM; undefined: the build platform. */
  platforms: string[] | undefined;
}

function limitFromFlag<T>(flag: string, value: string | undefined, parse: (text: string) => T): T | undefined {
  if (value === undefined) return undefined;
  if (/^\s*-/.test(value)) throw new UsageError(`${flag} takes a limit of 0 or more, not ${JSON.stringify(value)}`);
  try {
    return parse(value);
  } catch (error) {
    if (error instanceof LimitSyntaxError) throw new UsageError(`${flag}: ${error.message}`);
    throw error;
  }
}

function budgetsFromConfig(config: BudgetConfig, source: string): Budgets {
  const budgets: Budgets = {};
  if (config.maxSize) budgets.maxSize = { ...config.maxSize, source: `maxSize in ${source}` };
  if (config.maxFiles !== undefined) budgets.maxFiles = { files: config.maxFiles, text: String(config.maxFiles), source: `maxFiles in ${source}` };
  if (config.maxGrowth) budgets.maxGrowth = { ...config.maxGrowth, source: `maxGrowth in ${source}` };
  return budgets;
}

function settingsFrom(
  values: ReturnType<typeof parse>['values'],
  dir: string,
  compose: true | string | undefined,
  loaded: LoadedConfig | null,
  env: NodeJS.ProcessEnv,
): Settings {
  const config = loaded?.config ?? {};
  if (values.json && values.format !== undefined && values.format !== 'json') {
    throw new UsageError(`--json and --format ${values.format} contradict each other (--json is --format json)`);
  }
  let format: OutputFormat = config.format ?? 'text';
  if (values.json) format = 'json';
  else if (values.format !== undefined) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(values.format)) {
      throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, not ${JSON.stringify(values.format)}`);
    }
    format = values.format as OutputFormat;
  }
  const flagBudgets: Budgets = {};
  const maxSize = limitFromFlag('--max-size', values['max-size'], parseSize);
  if (maxSize) flagBudgets.maxSize = { ...maxSize, source: '--max-size' };
  const maxFiles = limitFromFlag('--max-files', values['max-files'], parseFileCount);
  if (maxFiles !== undefined) flagBudgets.maxFiles = { files: maxFiles, text: values['max-files']!.trim(), source: '--max-files' };
  const maxGrowth = limitFromFlag('--max-growth', values['max-growth'], parseGrowth);
  if (maxGrowth) flagBudgets.maxGrowth = { ...maxGrowth, source: '--max-growth' };
  const label = loaded?.label ?? '';
  const budgets = { ...budgetsFromConfig(config, label), ...flagBudgets };
  const serviceBudgets: Record<string, Budgets> = {};
  for (const [name, b] of Object.entries(config.services ?? {})) {
    serviceBudgets[name] = { ...budgets, ...budgetsFromConfig(b, `${label} (services.${name})`), ...flagBudgets };
  }
  const baseline = values.baseline ?? config.baseline;
  // A bare --compose keeps the Compose file the configuration names.
  const composeSetting =
    compose === true && typeof config.compose === 'string' ? config.compose : (compose ?? (config.compose === false ? undefined : config.compose));
  const anyGrowth = budgets.maxGrowth !== undefined || Object.values(serviceBudgets).some((b) => b.maxGrowth !== undefined);
  if (anyGrowth && baseline === undefined) {
    throw new UsageError(
      `${budgets.maxGrowth?.source ?? 'maxGrowth'} needs a baseline to compare with: --baseline FILE (or "baseline" in the configuration); save one with --save-baseline FILE`,
    );
  }
  if (values.profile !== undefined && composeSetting === undefined) throw new UsageError('--profile applies to --compose only');
  if (values.check === true && format !== 'html') throw new UsageError("--check adds check's findings to --format html; for the others, run 'ctxsize check'");
  if (format === 'html' && composeSetting !== undefined) throw new UsageError('--format html measures one context, not a Compose project (--compose)');
  if (composeSetting !== undefined && values.file !== undefined) {
    throw new UsageError('-f/--file and --compose cannot be combined: with --compose each service names its own Dockerfile');
  }
  const builder = values.builder !== undefined ? parseBuilder(values.builder) : (config.builder ?? 'buildkit');
  return {
    dir,
    format,
    builder,
    ignoreFile: parseIgnoreFileFlag(values.ignorefile, builder),
    file: values.file ?? (composeSetting === undefined ? config.file : undefined),
    top: parseCount('--top', values.top, config.top ?? 10),
    depth: values.depth === undefined ? undefined : parsePositiveCount('--depth', values.depth),
    check: values.check === true,
    budgets,
    serviceBudgets,
    baseline,
    saveBaseline: values['save-baseline'],
    compose: composeSetting,
    profiles: values.profile ?? (env['COMPOSE_PROFILES'] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== ''),
    output: values.output,
    target: values.target,
    buildArgs: parseBuildArgs(values['build-arg'], env),
    platforms: platformsFrom(values.platform, config.platform, env),
  };
}

function parse(args: string[]) {
  return parseCommandArgs('measure', args, OPTIONS, 1);
}

/** The document `--format json` prints: the measurement, then its gates and growth (added keys only). */
function measureDocument(outcome: MeasureOutcome): Record<string, unknown> {
  return { ...outcome.report, gates: outcome.gates, growth: outcome.growth };
}

function composeDocument(outcome: ComposeOutcome): Record<string, unknown> {
  return {
    schemaVersion: 1,
    compose: { files: outcome.project.files, dir: outcome.project.dir },
    builder: outcome.builder,
    services: outcome.services.map((s) => ({
      ...s.service,
      measurement: s.report,
      gates: s.gates,
      growth: s.growth,
      note: s.note,
      error: s.error,
    })),
    warnings: outcome.project.warnings,
    passed: composePassed(outcome) && outcome.services.every((s) => s.error === null),
  };
}

function isComposeDocument(doc: Record<string, unknown>): boolean {
  return typeof doc['compose'] === 'object' && doc['compose'] !== null && Array.isArray(doc['services']);
}

function singleBaseline(loaded: LoadedBaseline): MeasureReport {
  if (isComposeDocument(loaded.document)) {
    throw new InputError(`baseline ${loaded.label}: the baseline of a Compose project; compare with it using --compose`);
  }
  return validateMeasurement(loaded.document, loaded.label);
}

function composeBaseline(loaded: LoadedBaseline): Map<string, MeasureReport | null> {
  const doc = loaded.document;
  if (!isComposeDocument(doc)) {
    if ('schemaVersion' in doc && doc['schemaVersion'] !== 1) validateMeasurement(doc, loaded.label); // says which version
    throw new InputError(
      `baseline ${loaded.label}: not the baseline of a Compose project (save one with --compose --save-baseline ${loaded.label})`,
    );
  }
  if (doc['schemaVersion'] !== 1) {
    throw new InputError(`baseline ${loaded.label}: schemaVersion ${JSON.stringify(doc['schemaVersion'])} is not supported (this ctxsize reads schemaVersion 1)`);
  }
  const services = new Map<string, MeasureReport | null>();
  for (const [i, raw] of (doc['services'] as unknown[]).entries()) {
    const entry = raw as Record<string, unknown> | null;
    if (typeof entry !== 'object' || entry === null || typeof entry['name'] !== 'string') {
      throw new InputError(`baseline ${loaded.label}: services[${i}] must be an object with a "name"`);
    }
    const m = entry['measurement'];
    services.set(entry['name'], m === null || m === undefined ? null : validateMeasurement(m, `${loaded.label} (service ${entry['name']})`));
  }
  return services;
}

/** The Markdown and Prometheus formatters, loaded only when a run needs them (startup time matters). */
async function loadFormatters(settings: Settings, env: NodeJS.ProcessEnv) {
  const markdown = settings.format === 'markdown' || env['GITHUB_STEP_SUMMARY'] ? await import('../report/markdown.js') : null;
  const prometheus = settings.format === 'prometheus' ? await import('../report/prometheus.js') : null;
  return { markdown, prometheus };
}

/** Write the report, the step summary and the annotations; returns nothing, throws InputError on a write failure. */
function emit(io: CliIO, settings: Settings, text: string, markdown: () => string, failures: string[], annotations: Annotation[]): void {
  if (settings.output !== undefined) writeFileAtomic(settings.output, text, io.cwd, 'output');
  else io.stdout.write(text);
  if (io.env['GITHUB_STEP_SUMMARY']) {
    const problem = appendStepSummary(io.env, markdown());
    if (problem !== null) io.stderr.write(`ctxsize: warning: ${problem}\n`);
  }
  // The text report shows failures itself; other formats (and files) keep stdout machine-readable.
  if (settings.format !== 'text' || settings.output !== undefined) for (const f of failures) io.stderr.write(`ctxsize: FAIL ${f}\n`);
  if (onGitHubActions(io.env)) for (const a of annotations) io.stderr.write(formatAnnotation(a));
}

async function runSingle(io: CliIO, settings: Settings): Promise<number> {
  const loaded = settings.baseline !== undefined ? readBaselineFile(settings.baseline, io.cwd) : null;
  const baseline = loaded ? singleBaseline(loaded) : null;
  const formatters = await loadFormatters(settings, io.env);
  const progress = settings.format === 'text' && settings.output === undefined ? await startProgress(io, 'Measuring build context') : null;
  let report: MeasureReport;
  try {
    report = measureContext({
      dir: settings.dir,
      dockerfile: settings.file,
      builder: settings.builder,
      ignoreFile: settings.ignoreFile,
      top: settings.top,
      cwd: io.cwd,
      target: settings.target,
      buildArgs: settings.buildArgs,
      ...(settings.platforms !== undefined ? { platforms: settings.platforms } : {}),
      onProgress: progress?.update,
      // Nothing else runs meanwhile: the walk may work from the root (faster).
      chdirToRoot: true,
    });
  } finally {
    progress?.stop();
  }
  const checkReport = settings.check ? (await import('../check/check.js')).checkContext({ dir: settings.dir, dockerfile: settings.file, builder: settings.builder, target: settings.target, buildArgs: settings.buildArgs, cwd: io.cwd }) : null;
  const label = loaded ? loaded.label : '';
  const growth = baseline ? compareWithBaseline(report, baseline, label, settings.top) : null;
  const gates = evaluateGates(report, settings.budgets, baseline ? { report: baseline, label: `the baseline ${label}` } : null);
  const outcome: MeasureOutcome = { report, gates, growth };
  if (settings.saveBaseline !== undefined) writeBaselineFile(settings.saveBaseline, report, io.cwd);
  let text: string;
  switch (settings.format) {
    case 'json':
      text = JSON.stringify(measureDocument(outcome), null, 2) + '\n';
      break;
    case 'markdown':
      text = formatters.markdown!.formatMeasureMarkdown(outcome, io.cwd);
      break;
    case 'prometheus':
      text = formatters.prometheus!.formatMeasurePrometheus(outcome);
      break;
    case 'html': {
      const html = await import('../report/html.js');
      const { collectMap } = await import('../treemap/collect.js');
      const selection = { dir: settings.dir, dockerfile: settings.file, builder: settings.builder, target: settings.target, buildArgs: settings.buildArgs, cwd: io.cwd };
      const progress = settings.output !== undefined ? await startProgress(io, 'ctxsize --format html') : null;
      progress?.doing('walking the whole directory for the treemap');
      let map: ReturnType<typeof collectMap>;
      try {
        map = collectMap(selection);
      } finally {
        progress?.stop();
      }
      const check = checkReport ?? null;
      text = html.formatMeasureHtml({ outcome, map, check, cwd: io.cwd, version: packageVersion() });
      break;
    }
    default: {
      const style = settings.output === undefined ? styleFor(io) : PLAIN;
      text = formatMeasure(report, io.cwd, style, { depth: settings.depth, top: settings.top });
      if (growth) text += '\n' + formatGrowthText(growth, io.cwd);
      if (gates.length > 0) text += '\n' + formatGatesText(gates, '  ', style);
    }
  }
  const failures = gates.filter((g) => !g.passed).map((g) => g.message);
  if (checkReport !== null && checkReport.summary.errors > 0) failures.push(`ctxsize check: ${checkReport.summary.errors} error-level finding${checkReport.summary.errors === 1 ? '' : 's'} (see the report)`);
  emit(io, settings, text, () => formatters.markdown!.formatMeasureMarkdown(outcome, io.cwd), failures, measureAnnotations(outcome, io.cwd));
  return gatesPassed(gates) && (checkReport === null || checkReport.summary.errors === 0) ? 0 : 1;
}

async function measureService(
  io: CliIO,
  settings: Settings,
  service: ComposeService,
  /** `2 of 5`: where this service is in the project, for the spinner. */
  position = '',
): Promise<{ report: MeasureReport | null; note: string | null; error: string | null }> {
  if (service.kind === 'image') {
    return { report: null, note: service.image === null ? 'no build section and no image' : `no build section: uses the image ${service.image}`, error: null };
  }
  if (service.kind === 'remote') return { report: null, note: "not measurable: remote context (Git or HTTP URL)", error: null };
  // The service's target and build arguments select what the effective context is computed for.
  const buildArgs = Object.fromEntries(Object.entries(service.args).filter((e): e is [string, string] => e[1] !== null));
  const options: MeasureOptions & { target?: string; buildArgs?: Record<string, string> } = {
    dir: service.context!,
    dockerfile: service.dockerfile === null ? undefined : service.dockerfile,
    builder: settings.builder,
    top: settings.top,
    cwd: io.cwd,
    chdirToRoot: true,
    ...(service.target !== null ? { target: service.target } : {}),
    ...(Object.keys(buildArgs).length > 0 ? { buildArgs } : {}),
  };
  // As `docker compose build`: the service's build.platforms, else its platform; --platform wins.
  const platforms = settings.platforms ?? (service.platforms.length > 0 ? service.platforms : undefined);
  if (platforms !== undefined) options.platforms = platforms;
  const progress = settings.format === 'text' && settings.output === undefined ? await startProgress(io, `Measuring service ${service.name} (${position})`) : null;
  try {
    const report = measureContext(options);
    return { report, note: service.dockerfileInline ? 'the Dockerfile is inline (dockerfile_inline)' : null, error: null };
  } catch (error) {
    if (isKnownError(error)) return { report: null, note: null, error: error.message };
    throw error;
  } finally {
    progress?.stop();
  }
}

async function runCompose(io: CliIO, settings: Settings): Promise<number> {
  const { findComposeFiles, loadComposeProject, servicesForProfiles, COMPOSE_FILE_NAMES } = await import('../compose/compose.js');
  const formatters = await loadFormatters(settings, io.env);
  const dirAbs = path.resolve(io.cwd, settings.dir);
  let files: string[];
  const fromEnv = (io.env['COMPOSE_FILE'] ?? '').split(io.env['COMPOSE_PATH_SEPARATOR'] || path.delimiter).filter((f) => f !== '');
  if (typeof settings.compose === 'string') {
    files = [settings.compose];
  } else if (fromEnv.length > 0 && !settings.dirGiven) {
    // As Compose: COMPOSE_FILE names the files (relative to the current directory) when no
    // file is given; a DIR named on the command line is looked in instead.
    files = fromEnv;
  } else {
    const found = findComposeFiles(dirAbs);
    if (found === null) {
      throw new InputError(`${settings.dir}: no Compose file (looked for ${COMPOSE_FILE_NAMES.join(', ')}); name one with --compose FILE`);
    }
    files = found;
  }
  const loaded = settings.baseline !== undefined ? readBaselineFile(settings.baseline, io.cwd) : null;
  const baselines = loaded ? composeBaseline(loaded) : null;
  const loadedProject = loadComposeProject(files, { env: io.env, cwd: io.cwd });
  // As `docker compose build`: a service with profiles is built only when one is enabled.
  const { selected, skipped } = servicesForProfiles(loadedProject.services, settings.profiles);
  const project = {
    ...loadedProject,
    services: selected,
    warnings: [
      ...loadedProject.warnings,
      ...skipped.map((s) => `service ${s.name} is not built: its profiles (${s.profiles.join(', ')}) are not enabled (--profile NAME or COMPOSE_PROFILES)`),
    ],
  };
  const services: ServiceOutcome[] = [];
  for (const [i, service] of project.services.entries()) {
    const measured = await measureService(io, settings, service, `${i + 1} of ${project.services.length}`);
    const budgets = settings.serviceBudgets[service.name] ?? settings.budgets;
    let note = measured.note;
    let base: MeasureReport | null = null;
    if (baselines !== null && measured.report !== null) {
      base = baselines.get(service.name) ?? null;
      if (base === null) note = [note, `no baseline for this service in ${loaded!.label}: growth not checked`].filter(Boolean).join('; ');
    }
    const report = measured.report;
    services.push({
      service,
      report,
      gates: report === null ? [] : evaluateGates(report, budgets, base ? { report: base, label: `the baseline ${loaded!.label}` } : null),
      growth: report !== null && base !== null ? compareWithBaseline(report, base, loaded!.label, settings.top) : null,
      note,
      error: measured.error,
    });
  }
  const outcome: ComposeOutcome = { project, builder: settings.builder, services };
  if (settings.saveBaseline !== undefined) {
    const doc = composeDocument(outcome);
    writeBaselineFile(settings.saveBaseline, { ...doc, services: (doc['services'] as Record<string, unknown>[]).map(({ gates: _g, growth: _r, ...rest }) => rest) }, io.cwd);
  }
  let text: string;
  switch (settings.format) {
    case 'json':
      text = JSON.stringify(composeDocument(outcome), null, 2) + '\n';
      break;
    case 'markdown':
      text = formatters.markdown!.formatComposeMarkdown(outcome, io.cwd);
      break;
    case 'prometheus':
      text = formatters.prometheus!.formatComposePrometheus(outcome);
      break;
    default:
      text = formatComposeText(outcome, io.cwd, settings.output === undefined ? styleFor(io) : PLAIN);
  }
  const failures = services.flatMap((s) => [
    ...(s.error !== null ? [`${s.service.name}: ${s.error}`] : []),
    ...s.gates.filter((g) => !g.passed).map((g) => `${s.service.name}: ${g.message}`),
  ]);
  emit(io, settings, text, () => formatters.markdown!.formatComposeMarkdown(outcome, io.cwd), failures, composeAnnotations(outcome, io.cwd));
  if (services.some((s) => s.error !== null)) return 2;
  return composePassed(outcome) ? 0 : 1;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const taken = takeCompose(args, io.cwd);
  const { values, positionals } = parse(taken.args);
  if (values.help) {
    io.stdout.write(help());
    return 0;
  }
  if (values['no-config'] && values.config !== undefined) throw new UsageError('--config and --no-config contradict each other');
  const dir = positionals[0] ?? '.';
  const loaded = values['no-config'] ? null : loadConfig(dir, { cwd: io.cwd, explicit: values.config });
  const settings = settingsFrom(values, dir, taken.compose ?? (values.compose ? true : undefined), loaded, io.env);
  settings.dirGiven = positionals[0] !== undefined;
  if (settings.format === 'html' && settings.output === undefined && io.stdout.isTTY) {
    throw new UsageError('--format html writes a page: name the file with -o, e.g. -o context.html');
  }
  if (settings.compose !== undefined) return runCompose(io, settings);
  return runSingle(io, settings);
}
