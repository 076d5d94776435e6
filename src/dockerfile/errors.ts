/**
 * A Dockerfile that BuildKit would refuse (or that ctxsize cannot read), with the place it failed.
 * `message` reads `file:line: detail` (`file: detail` when no line is to blame, e.g. an unknown
 * target: then `line` is 0); `detail` is the reason alone.
 */
export class DockerfileError extends Error {
  constructor(
    readonly detail: string,
    readonly file: string,
    readonly line: number,
    options?: { cause?: unknown },
  ) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`, options);
    this.name = 'DockerfileError';
  }
}

/**
 * A failure found below the level that knows the file and line (a word that does not expand, a
 * flag BuildKit rejects). The caller that knows where it happened turns it into a DockerfileError.
 */
export class SyntaxProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyntaxProblem';
  }
}

/** Re-throw `error` as a DockerfileError at `file:line` when it is a SyntaxProblem. */
export function locate(error: unknown, file: string, line: number): never {
  if (error instanceof SyntaxProblem) throw new DockerfileError(error.message, file, line, { cause: error });
  throw error;
}
