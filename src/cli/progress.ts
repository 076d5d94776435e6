import type { Ora } from 'ora';
import type { CliIO } from './io.js';
import { formatCount } from '../report/numbers.js';

/**
 * The one spinner of the CLI: every command's progress goes through here, so the rules of when it
 * shows live in one place.
 */
export interface Progress {
  /** During a walk: how many entries it has seen. */
  update: (entriesSeen: number) => void;
  /** A new phase of the work, said as it is done: "reading 12,000 files for secrets". */
  doing: (what: string) => void;
  stop: () => void;
}

/** Spinners start only after this long, so quick runs print nothing extra. */
const DELAY_MS = 300;

/**
 * Whether a spinner may show: on a terminal (stderr), not in CI, and only on a terminal that
 * reports its width: one that does not (0 columns) cannot have a line redrawn in place.
 */
export function canShowProgress(io: CliIO): boolean {
  if (!io.stderr.isTTY || io.env['CI'] !== undefined) return false;
  const columns = io.stderr.columns;
  return columns !== undefined && columns > 0;
}

/**
 * A spinner on stderr, only where canShowProgress allows it. The work is synchronous, so the
 * spinner renders frames itself from the callbacks instead of relying on a timer. `ora` is
 * loaded only then: it costs more start-up time than a small walk.
 */
export async function startProgress(io: CliIO, label: string): Promise<Progress | null> {
  if (!canShowProgress(io)) return null;
  const { default: ora } = await import('ora');
  const started = Date.now();
  let spinner: Ora | null = null;
  let lastRender = 0;
  // Stop drawing and end as the signal asks (default exit codes 130, 143), cursor restored.
  const onSignal = (signal: NodeJS.Signals): void => {
    spinner?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.kill(process.pid, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const fit = (text: string): string => {
    const room = Math.max(10, (io.stderr.columns ?? 80) - 3);
    return text.length <= room ? text : text.slice(0, room - 1) + '…';
  };
  const show = (text: string): void => {
    spinner ??= ora({ text: fit(text), stream: io.stderr as NodeJS.WriteStream, discardStdin: false }).start();
    spinner.text = fit(text);
    spinner.render();
    lastRender = Date.now();
  };
  return {
    update(entriesSeen) {
      const now = Date.now();
      if (now - started < DELAY_MS || now - lastRender < 80) return;
      show(`${label}: ${formatCount(entriesSeen)} entries`);
    },
    doing(what) {
      // A phase may run long without calling back: say it at once (stop() clears the line).
      show(`${label}: ${what}`);
    },
    stop() {
      spinner?.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
