/**
 * The `capsim` command: a thin layer over the library. Each command lives in cli/commands/ and loads
 * its implementation lazily, so `capsim --help` stays instant (no ink/react/vega at start-up).
 */
import { Command, CommanderError } from 'commander';
import { ExitCode } from './common/errors.js';
import { registerCommands } from './cli/commands/index.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('capsim')
    .description('Capacity-planning simulator and load-test harness for real-time messaging systems')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; unknown options and missing arguments are bad input.
      process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
      return;
    }
    throw error;
  }
}

await main();
