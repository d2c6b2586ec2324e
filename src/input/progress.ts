/**
 * A progress bar for long runs on a terminal. Batch jobs (stderr not a TTY) and --quiet get nothing,
 * so nightly job logs stay clean.
 */
const BAR_WIDTH = 30;
/** Redraw at most this often: drawing every chunk would cost more than the work on fast disks. */
const REDRAW_INTERVAL_MS = 200;

export interface Progress {
  update(done: number): void;
  finish(): void;
}

const SILENT: Progress = { update: () => undefined, finish: () => undefined };

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

export function createProgress(label: string, total: number, enabled: boolean, stream = process.stderr): Progress {
  if (!enabled || !stream.isTTY || total <= 0) return SILENT;
  let lastDraw = 0;
  const started = Date.now();
  const draw = (done: number): void => {
    const fraction = Math.min(1, done / total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = formatMegabytes(done / seconds);
    const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
    stream.write(`\r${label} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${formatMegabytes(done)} ${rate}/s `);
  };
  return {
    update(done: number): void {
      const now = Date.now();
      if (now - lastDraw < REDRAW_INTERVAL_MS) return;
      lastDraw = now;
      draw(done);
    },
    finish(): void {
      if (lastDraw === 0) return;
      draw(total);
      stream.write('\n');
    },
  };
}
