import { fitHelp } from '../cli/help-text.js';
import { BUILD_OPTIONS, parseBuildArgs, parseBuilder, parseCommandArgs, parseIgnoreFileFlag, platformsFrom } from '../cli/args.js';
import { UsageError } from '../cli/errors.js';
import type { CliIO } from '../cli/io.js';
import { configuredPlatforms } from '../config/config.js';
import { resolveContext } from '../context/resolve.js';
import { explainPath } from '../explain/explain.js';
import { escapeControl } from '../input/escape.js';
import { explainEffective } from '../explain/explain-effective.js';

export const help = (): string => fitHelp(`Usage: ctxsize explain PATH [--dir DIR] [options]

Tell whether PATH is in the build context of DIR (default: .) under each builder, and which
pattern of the ignore file (file and line) decided it; and whether the Dockerfile's target uses
PATH (the instruction and line), so that BuildKit transfers it. PATH is read as -f is: relative
to the current directory when it exists there, else relative to DIR.

Options:
      --dir DIR         the context directory (default .)
  -f, --file PATH       the Dockerfile (default DIR/Dockerfile); selects <Dockerfile>.dockerignore
      --builder NAME    explain only buildkit, classic or buildah (alias
                        podman); default: BuildKit and classic
      --ignorefile PATH with --builder buildah: the ignore file (Podman's flag)
      --target STAGE    the stage the Dockerfile builds (default the last)
      --build-arg K=V   a build argument (repeatable)
      --platform P[,P…] the target platforms, as docker build --platform (default:
                        "platform" in .ctxsizerc.json, DOCKER_DEFAULT_PLATFORM, else
                        linux on this machine's architecture)
      --json            print one JSON document
  -h, --help            show this help

Examples:
  ctxsize explain node_modules/left-pad/index.js
  ctxsize explain --dir services/api .env --json
`);

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'explain',
    args,
    {
      dir: { type: 'string' },
      file: { type: 'string', short: 'f' },
      builder: { type: 'string' },
      ignorefile: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...BUILD_OPTIONS,
    },
    1,
  );
  if (values.help) {
    io.stdout.write(help());
    return 0;
  }
  const target = positionals[0];
  if (target === undefined) throw new UsageError("explain: which path? see 'ctxsize explain --help'");
  const builder = values.builder === undefined ? undefined : parseBuilder(values.builder);
  const ignoreFile = parseIgnoreFileFlag(values.ignorefile, builder ?? 'buildkit');
  const explanation = explainPath(target, {
    dir: values.dir ?? '.',
    dockerfile: values.file,
    cwd: io.cwd,
    builders: builder ? [builder] : undefined,
    ignoreFile,
  });
  const dir = values.dir ?? '.';
  const platforms = platformsFrom(values.platform, values.platform === undefined ? configuredPlatforms(dir, io.cwd) : undefined, io.env);
  const bkContext = resolveContext({ dir, dockerfile: values.file, cwd: io.cwd, builder: 'buildkit' });
  // Buildah has no effective context: a local build reads COPY sources from the directory.
  const effective = builder === 'buildah' ? null : explainEffective(bkContext, explanation.path, {
    target: values.target,
    buildArgs: parseBuildArgs(values['build-arg'], io.env),
    ...(platforms !== undefined ? { platforms } : {}),
  }, explanation.builders.find((b) => b.builder === 'buildkit')?.inContext);
  if (values.json) {
    io.stdout.write(JSON.stringify({ ...explanation, effective }, null, 2) + '\n');
    return 0;
  }
  const from = explanation.resolvedFrom === 'cwd' ? 'the current directory' : `the context directory ${JSON.stringify(dir)}`;
  const lines = [
    `${escapeControl(explanation.path)}${explanation.type === 'dir' ? '/' : ''}${explanation.behindLink !== undefined ? ` (behind the symbolic link ${escapeControl(explanation.behindLink)}/)` : explanation.exists ? '' : ' (does not exist)'}  (PATH read relative to ${from})`,
  ];
  for (const b of explanation.builders) {
    const name = b.builder === 'buildkit' ? 'BuildKit' : b.builder === 'buildah' ? 'Buildah ' : 'classic ';
    lines.push(`  ${name}  ${b.inContext ? 'SENT    ' : 'EXCLUDED'}  ${b.reason}`);
  }
  if (effective !== null) {
    // The target's view: whether its instructions use PATH, so that BuildKit transfers it.
    const verdict = effective.dockerfileError !== null ? 'REFUSED ' : effective.usedBy.length > 0 ? 'USED    ' : 'NOT USED';
    const on = effective.platforms.length > 1 ? ` (platforms ${effective.platforms.join(', ')})` : '';
    lines.push(`  target    ${verdict}  ${escapeControl(effective.reason)}${on}`);
    for (const w of effective.warnings) io.stderr.write(`ctxsize: warning: Dockerfile ${escapeControl(w)}\n`);
  }
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}
