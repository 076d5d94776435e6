import type { Style } from '../report/style.js';

/** Where a command writes. Tests pass their own; the CLI passes the process streams. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** `--color`: auto (the default) colours on a terminal only. */
  color?: ColorMode;
}

/**
 * Output closed early (`ctxsize ls --json . | head -1`) is not an error: the reader has all it
 * wanted. EPIPE makes further writes to that stream no-ops, quietly, and the command still ends
 * with its own exit code (a gate's result is unchanged).
 */
function endQuietlyOnEpipe(stream: NodeJS.WriteStream): void {
  let closed = false;
  const write = stream.write.bind(stream);
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') {
      closed = true;
      return;
    }
    throw error;
  });
  stream.write = ((chunk: unknown, ...rest: unknown[]) => (closed ? true : (write as (...a: unknown[]) => boolean)(chunk, ...rest))) as typeof stream.write;
}

let guarded = false;
export type ColorMode = 'auto' | 'always' | 'never';

export function processIO(): CliIO {
  if (!guarded) {
    guarded = true;
    endQuietlyOnEpipe(process.stdout);
    endQuietlyOnEpipe(process.stderr);
  }
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/**
 * Colour on stdout? `--color always|never` decides; else FORCE_COLOR (set and not 0; it wins
 * over NO_COLOR, as in Node.js), else NO_COLOR (set and not empty, per no-color.org), else only
 * on a terminal that is not `TERM=dumb`.
 */
export function useColor(io: CliIO): boolean {
  const mode = io.color ?? 'auto';
  if (mode !== 'auto') return mode === 'always';
  const force = io.env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  if ((io.env['NO_COLOR'] ?? '') !== '') return false;
  return Boolean(io.stdout.isTTY) && io.env['TERM'] !== 'dumb';
}

/**
 * The width human text wraps at: the terminal's when stdout is one that reports it, else
 * COLUMNS when it is set (as shells and Python read it), else 80.
 */
export function outputWidth(io: CliIO): number {
  const columns = io.stdout.isTTY ? io.stdout.columns : undefined;
  if (columns !== undefined && columns > 0) return columns;
  const env = Number(io.env['COLUMNS']);
  return Number.isInteger(env) && env >= 20 ? env : 80;
}

/** How this run's human output on stdout is drawn. */
export function styleFor(io: CliIO): Style {
  return { color: useColor(io), width: outputWidth(io) };
}
