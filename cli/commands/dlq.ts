import type { Command } from 'commander';
import { action } from '../action.js';
import { integerFlag } from './serve.js';

interface DlqFlags {
  url?: string;
  dataDir?: string;
  tokenSecret: string;
  limit: string;
  json: boolean;
}

export function register(program: Command): void {
  const dlq = program
    .command('dlq')
    .description(
      "List or replay the reference server's dead-letter queue (failed cross-instance deliveries)",
    );
  const common = (command: Command) =>
    command
      .option('--url <url>', 'a running server (any instance in cluster mode)', 'http://127.0.0.1:8080')
      .option(
        '--token-secret <secret>',
        "the server's token secret (signs the operator token)",
        'capsim-dev-secret',
      )
      .option('--limit <n>', 'at most this many entries', '100')
      .option('--json', 'print JSON', false);
  common(dlq.command('list').description('Show parked deliveries, oldest first'))
    .option('--data-dir <dir>', 'read an embedded data directory directly instead of asking a server')
    .action(
      action(async (flags: DlqFlags) => {
        const limit = integerFlag('--limit', flags.limit, 1, 100_000) ?? 100;
        const client = await import('../../reference-server/dlq-client.js');
        const result =
          flags.dataDir !== undefined
            ? await client.listDeadLettersFromDataDir(flags.dataDir, limit)
            : await client.listDeadLettersRemote(
                { url: flags.url ?? '', tokenSecret: flags.tokenSecret },
                limit,
              );
        console.log(
          flags.json
            ? JSON.stringify(result, null, 2)
            : client.formatDeadLetters(result.entries, result.total),
        );
      }),
    );
  common(
    dlq
      .command('replay')
      .description('Deliver parked entries again to wherever their users are connected now'),
  ).action(
    action(async (flags: DlqFlags) => {
      const limit = integerFlag('--limit', flags.limit, 1, 100_000) ?? 100;
      const client = await import('../../reference-server/dlq-client.js');
      const result = await client.replayDeadLettersRemote(
        { url: flags.url ?? '', tokenSecret: flags.tokenSecret },
        limit,
      );
      console.log(
        flags.json
          ? JSON.stringify(result)
          : `replayed ${result.replayed}; ${result.remaining} left in the queue`,
      );
    }),
  );
}
