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
  const { default: ora } = await import('ora');
  const started = Date.now();
  let spinner: Ora | null = null;
  let lastRender = 0;
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
    },
  };
}
