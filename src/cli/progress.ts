import type { Ora } from 'ora';
import type { CliIO } from './io.js';
import { formatCount } from '../report/numbers.js';

export interface Progress {
  update: (entriesSeen: number) => void;
  stop: () => void;
}

/** Spinners start only after this long, so quick runs print nothing extra. */
const DELAY_MS = 300;

/**
 * A spinner on stderr, only on a terminal. The walk is synchronous, so it renders frames itself
 * from the progress callback instead of relying on a timer. `ora` is loaded only then: it costs
 * more start-up time than a small walk.
 */
export async function startProgress(io: CliIO, label: string): Promise<Progress | null> {
  if (!io.stderr.isTTY || io.env['CI'] !== undefined) return null;
  // A terminal that reports no width (0 columns under `script` from a non-terminal) cannot be
  // redrawn in place: the spinner would write cursor codes without end.
  const columns = (io.stderr as NodeJS.WriteStream).columns;
  if (!(typeof columns === 'number' && columns > 0)) return null;
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
  return {
    update(entriesSeen) {
      const now = Date.now();
      if (now - started < DELAY_MS || now - lastRender < 80) return;
      lastRender = now;
      spinner ??= ora({ text: label, stream: io.stderr as NodeJS.WriteStream, discardStdin: false }).start();
      spinner.text = `${label}: ${formatCount(entriesSeen)} entries`;
      spinner.render();
    },
    stop() {
      spinner?.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
