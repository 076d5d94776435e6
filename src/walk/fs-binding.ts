/**
 * A function of Node's internal fs binding, bound to it, or null where there is none. The binding
 * is reached through `process.binding`, deprecated (documentation only in Node 20): any warning is
 * kept out of the output. Callers prove a function against the public API before they use it.
 */
export function fsBindingFunction<F>(name: 'lstat' | 'readdir'): F | null {
  const binding = (process as unknown as { binding?: (name: string) => unknown }).binding;
  if (typeof binding !== 'function') return null;
  const emitWarning = process.emitWarning;
  try {
    process.emitWarning = () => undefined;
    const fs = binding.call(process, 'fs') as Record<string, unknown> | undefined;
    const fn = fs?.[name];
    return typeof fn === 'function' ? (fn.bind(fs) as F) : null;
  } catch {
    return null;
  } finally {
    process.emitWarning = emitWarning;
  }
}
