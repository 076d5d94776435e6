import { statSync } from 'node:fs';
import path from 'node:path';
import { closest } from './cli/args.js';
import { fitHelp } from './cli/help-text.js';
import { EXIT, isKnownError, UsageError } from './cli/errors.js';
import { processIO, type CliIO, type ColorMode } from './cli/io.js';
import { escapeControl } from './input/escape.js';
import { prestartWalkers } from './measure/pool.js';
import { packageVersion } from './runtime/package-files.js';

/** A subcommand module: its help text and its entry point, which returns the exit code. */
interface CommandModule {
  /** Made when asked: fitting every help text to the terminal at load would slow every run. */
  help(): string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** Subcommands, loaded on demand so that `ctxsize ls` does not pay for `suggest`. */
export const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  measure: { summary: 'whole directory, sent, kept out, where the bytes are (default)', load: () => import('./commands/measure.js') },
  ls: { summary: 'list the entries of the context', load: () => import('./commands/ls.js') },
  explain: { summary: 'tell whether a path is in the context, and which pattern decided', load: () => import('./commands/explain.js') },
  clean: { summary: 'delete regenerable caches (a dry run unless --yes)', load: () => import('./commands/clean.js') },
  check: { summary: 'lint the ignore files, the Dockerfile\'s sources, secrets', load: () => import('./commands/check.js') },
  cache: { summary: 'which files bust which cache layers, and the reordering that fixes it', load: () => import('./commands/cache.js') },
  suggest: { summary: 'propose .dockerignore lines with their exact savings', load: () => import('./commands/suggest.js') },
};

/** Other names of commands (`ctxsize purge` is `ctxsize clean`). */
export const ALIASES: Record<string, string> = { purge: 'clean' };

/** Flags that work with every command: `ctxsize ls --version` prints the version too. */
const VERSION_FLAGS = ['--version', '-V'];

function programHelp(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return fitHelp(`ctxsize ${packageVersion()}: what Docker puts in your build context, exactly

Usage: ctxsize [COMMAND] [DIR] [options]

Commands:
${names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}${aliasesOf(n)}`).join('\n')}

Options:
  -h, --help      show this help; 'ctxsize COMMAND --help' (or 'ctxsize help COMMAND') shows a
                  command's options and examples
  -V, --version   print the version
  --color WHEN    colour: auto (default: on a terminal, unless NO_COLOR is set; FORCE_COLOR
                  forces it), always or never; JSON, Markdown and files never have colour

Without COMMAND, ctxsize measures DIR (default: .): 'ctxsize .' is 'ctxsize measure .'.

Examples:
  ctxsize .                    measure the context of the current directory
  ctxsize --max-size 200MB .   the same, and exit 1 when it is over 200 MB
  ctxsize ls --json . | head   list what BuildKit sends
  ctxsize explain .env         which rule keeps .env out (or does not)
  ctxsize check .              lint the ignore file, the Dockerfile's sources
  ctxsize suggest              the .dockerignore lines that would save the most
  ctxsize clean                list the caches that could go (--yes deletes)

Exit codes: 0 ok, 1 a gate or check failed, 2 bad usage or input, 3 internal error.
`);
}

function aliasesOf(name: string): string {
  const aliases = Object.keys(ALIASES).filter((alias) => ALIASES[alias] === name);
  return aliases.length === 0 ? '' : ` (alias: ${aliases.join(', ')})`;
}

const COLOR_MODES: readonly ColorMode[] = ['auto', 'always', 'never'];

/**
 * Take `--color[=WHEN]` out of the arguments (before a `--`): every command takes it, so it is
 * handled here once. A bare `--color` means always, as in GNU ls.
 */
export function takeColorFlag(argv: readonly string[]): { args: string[]; color: ColorMode | undefined } {
  const args: string[] = [];
  let color: ColorMode | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (arg !== '--color' && !arg.startsWith('--color=')) {
      args.push(arg);
      continue;
    }
    let value: string;
    if (arg.startsWith('--color=')) value = arg.slice('--color='.length);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) value = argv[++i]!;
    else value = 'always';
    if (!COLOR_MODES.includes(value as ColorMode)) {
      const guess = closest(value.toLowerCase(), COLOR_MODES);
      throw new UsageError(`--color must be auto, always or never, not ${JSON.stringify(value)}${guess ? ` (did you mean ${guess}?)` : ''}`);
    }
    color = value as ColorMode;
  }
  return { args, color };
}

/** `--version` anywhere before a `--` terminator. */
function asksForVersion(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => VERSION_FLAGS.includes(arg));
}

/** Every word that may start a command line. */
function commandWords(): string[] {
  return [...Object.keys(COMMANDS), ...Object.keys(ALIASES), 'help'];
}

/** The command a name stands for, or a usage error that suggests the closest one. */
function findCommand(name: string): { summary: string; load: () => Promise<CommandModule> } {
  const command = COMMANDS[ALIASES[name] ?? name];
  if (command) return command;
  const guess = closest(name.toLowerCase(), commandWords().filter((word) => word !== 'help'));
  throw new UsageError(`unknown command ${JSON.stringify(name)}${guess ? ` (did you mean ${guess}?)` : ''}; see 'ctxsize --help'`);
}

/** Run the CLI with these arguments; returns the exit code. Never calls process.exit. */
export async function runCli(argvWithColor: string[], io: CliIO = processIO()): Promise<number> {
  try {
    const taken = takeColorFlag(argvWithColor);
    const argv = taken.args;
    if (taken.color !== undefined) io = { ...io, color: taken.color };
    const first = argv[0];
    if (asksForVersion(argv)) {
      io.stdout.write(packageVersion() + '\n');
      return EXIT.ok;
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? argv[1] : undefined;
      io.stdout.write(topic ? (await findCommand(topic).load()).help() : programHelp());
      return EXIT.ok;
    }
    let name = 'measure';
    let rest = argv;
    if (first !== undefined && !first.startsWith('-')) {
      const resolved = ALIASES[first] ?? first;
      if (COMMANDS[resolved]) {
        name = resolved;
        rest = argv.slice(1);
      } else if (/^[a-z]+$/i.test(first) && !existsDir(first, io)) {
        // A word close to a command name that names no directory is a typo, not a DIR to measure.
        const guess = closest(first.toLowerCase(), commandWords());
        if (guess !== null) {
          throw new UsageError(`unknown command ${JSON.stringify(first)} (did you mean ${guess}?); see 'ctxsize --help'`);
        }
      }
    }
    // The measurement walks on worker threads: start them while the command loads.
    if (name === 'measure' && !rest.some((a) => a === '--help' || a === '-h' || a === '--compose' || a.startsWith('--compose='))) {
      prestartWalkers();
    }
    const command = await COMMANDS[name]!.load();
    return await command.run(rest, io);
  } catch (error) {
    if (isKnownError(error)) {
      io.stderr.write(`ctxsize: ${escapeControl(clip(error.message))}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`ctxsize: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT.internal;
  }
}

/** An error message is one line for a person; one that echoes too much input is cut. */
function clip(message: string): string {
  return message.length > 1000 ? message.slice(0, 1000) + '…' : message;
}

function existsDir(name: string, io: CliIO): boolean {
  try {
    return statSync(path.resolve(io.cwd, name)).isDirectory();
  } catch {
    return false;
  }
}
