import { prestartWalkers } from '../measure/pool.js';

/**
 * Whether these arguments surely run a measurement that walks on worker threads, decided from
 * the arguments alone, before the rest of the CLI loads (bin/ctxsize.js asks, to start the walkers
 * at once: a worker thread takes longer to start than anything before the walk). Only a subset of
 * what `runCli` decides, which starts them itself in the other cases: the first argument an
 * option, `measure` or a path (command names are plain words), and no flag that turns the run
 * into something else (`--help`, `--version`, `--compose`) or takes a word (`--color WHEN`).
 */
export function surelyMeasures(argv: readonly string[]): boolean {
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V' || a.startsWith('--compose') || a.startsWith('--color'))) return false;
  const first = argv[0];
  return first === undefined || first === 'measure' || first.startsWith('-') || /[./]/.test(first);
}

/** Start the walkers now if these arguments surely measure (see `surelyMeasures`). */
export function prestartWalkersFor(argv: readonly string[]): void {
  if (surelyMeasures(argv)) prestartWalkers();
}
