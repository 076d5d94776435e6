/** Where a command writes. Tests pass their own; the CLI passes the process streams. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
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

export function processIO(): CliIO {
  if (!guarded) {
    guarded = true;
    endQuietlyOnEpipe(process.stdout);
    endQuietlyOnEpipe(process.stderr);
  }
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Colour only on a terminal, and never with NO_COLOR set. */
export function useColor(io: CliIO): boolean {
  return Boolean(io.stdout.isTTY) && io.env['NO_COLOR'] === undefined && io.env['TERM'] !== 'dumb';
}
