import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { closest } from './cli/args.js';
import { EXIT, isKnownError, UsageError } from './cli/errors.js';
import { processIO, type CliIO } from './cli/io.js';

/** A subcommand module: its help text and its entry point, which returns the exit code. */
interface CommandModule {
  help: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** Subcommands, loaded on demand so that `ctxsize ls` does not pay for `suggest`. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  measure: { summary: 'measure the context: whole directory, sent, kept out, largest paths (default)', load: () => import('./commands/measure.js') },
  ls: { summary: 'list the entries of the context', load: () => import('./commands/ls.js') },
  explain: { summary: 'tell whether a path is in the context, and which pattern decided', load: () => import('./commands/explain.js') },
  clean: { summary: 'delete regenerable caches safely (dry run unless --yes)', load: () => import('./commands/clean.js') },
  check: { summary: 'lint the ignore files, the Dockerfile sources and the secrets of the context', load: () => import('./commands/check.js') },
};

const ALIASES: Record<string, string> = { purge: 'clean' };

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function programHelp(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return `ctxsize ${version()}: what Docker puts in your build context, exactly

Usage: ctxsize [COMMAND] [DIR] [options]

Commands:
${names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]!.summary}`).join('\n')}

Run 'ctxsize COMMAND --help' for a command's options and examples.

Examples:
  ctxsize .                           measure the context of the current directory
  ctxsize ls --json . | head          list what BuildKit sends
  ctxsize explain .env                which rule keeps .env out (or does not)

Exit codes: 0 ok, 1 a gate or check failed, 2 bad usage or input, 3 internal error.
`;
}

/** Run the CLI with these arguments; returns the exit code. Never calls process.exit. */
export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  try {
    const first = argv[0];
    if (first === '--version' || first === '-V') {
      io.stdout.write(version() + '\n');
      return EXIT.ok;
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? argv[1] : undefined;
      const command = topic ? COMMANDS[ALIASES[topic] ?? topic] : undefined;
      io.stdout.write(command ? (await command.load()).help : programHelp());
      return EXIT.ok;
    }
    let name = 'measure';
    let rest = argv;
    if (first !== undefined && !first.startsWith('-')) {
      const resolved = ALIASES[first] ?? first;
      if (COMMANDS[resolved]) {
        name = resolved;
        rest = argv.slice(1);
      } else if (/^[a-z]+$/.test(first) && !first.includes('/') && closest(first, Object.keys(COMMANDS)) && !existsDir(first, io)) {
        throw new UsageError(`unknown command ${JSON.stringify(first)} (did you mean ${closest(first, Object.keys(COMMANDS))}?)`);
      }
    }
    const command = await COMMANDS[name]!.load();
    return await command.run(rest, io);
  } catch (error) {
    if (isKnownError(error)) {
      io.stderr.write(`ctxsize: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`ctxsize: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT.internal;
  }
}

function existsDir(name: string, io: CliIO): boolean {
  try {
    return statSync(path.resolve(io.cwd, name)).isDirectory();
  } catch {
    return false;
  }
}
