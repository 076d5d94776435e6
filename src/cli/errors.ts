import { InputError } from '../context/resolve.js';
import { IgnoreFileError } from '../dockerignore/read.js';
import { BuildFailure } from '../dockerignore/builders.js';
import { DockerfileError } from '../dockerfile/errors.js';
import { InputFileError } from '../input/read-file.js';

/** Exit codes, documented in README.md and `--help`. */
export const EXIT = {
  ok: 0,
  /** A gate or a check failed. */
  failed: 1,
  /** Bad usage or bad input. */
  usage: 2,
  /** A bug in ctxsize. */
  internal: 3,
} as const;

/** Wrong flags or arguments. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Errors that deserve one line and exit 2; anything else is a bug and is re-thrown. */
export function isKnownError(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    error instanceof InputError ||
    error instanceof IgnoreFileError ||
    error instanceof BuildFailure ||
    error instanceof DockerfileError ||
    error instanceof InputFileError
  );
}
