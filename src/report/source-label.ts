/**
 * How a Dockerfile source is named in a message: `COPY dist/ (line 5)`. A bind mount without
 * `source=` mounts the root of the context; its raw source is empty, which would read
 * "RUN  (line 72)", so it is named for what it is.
 */
export function sourceLabel(source: { instruction: string; raw: string; line: number }): string {
  const what = source.raw !== '' ? source.raw : source.instruction === 'RUN' ? '--mount=type=bind (the context root)' : '(the context root)';
  return `${source.instruction} ${what} (line ${source.line})`;
}

/** Sentences joined into one: a part's own final period does not stay before the `;`. */
export function joinClauses(parts: readonly string[]): string {
  return parts.map((p, i) => (i < parts.length - 1 ? p.replace(/\.\s*$/, '') : p)).join('; ');
}
