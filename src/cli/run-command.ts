/**
 * Runs a command body and turns what can go wrong into one line on stderr and an exit code. Outputs
 * still open on an error or an interrupt are removed, so a failed nightly run leaves no partial file.
 */
import { ZctraceError } from '../errors.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { abortAllOpenOutputs } from '../capture/output-file.js';

let signalsInstalled = false;

function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      void abortAllOpenOutputs().finally(() => {
        process.stderr.write(`\nzctrace: interrupted (${signal}); partial output removed\n`);
        process.exit(ExitCode.INTERRUPTED);
      });
    });
  }
}

/**
 * `inputs` names the files the command reads: an IO error on any other file is an output failure, which
 * has its own exit code.
 */
export async function runCommand(inputs: readonly string[], body: () => Promise<number | void>): Promise<void> {
  installSignalHandlers();
  try {
    const code = await body();
    process.exitCode = code ?? ExitCode.OK;
  } catch (error) {
    await abortAllOpenOutputs();
    if (error instanceof ZctraceError) {
      const isOutput = error.file !== null && !inputs.includes(error.file);
      process.stderr.write(`zctrace: ${error.oneLine()}\n`);
      process.exitCode = exitCodeFor(error.code, isOutput);
    } else {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`zctrace: internal error (please report): ${detail}\n`);
      process.exitCode = ExitCode.INTERNAL;
    }
  }
}
