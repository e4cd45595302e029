import type { Command } from 'commander';
import { action } from '../action.js';
import { splitHostPort } from './loadtest.js';

export function register(program: Command): void {
  program
    .command('worker')
    .description('Join a load-test coordinator (`capsim loadtest --listen`) as a worker and run its segment')
    .requiredOption('--join <host:port>', 'address of the coordinator')
    .option('--source-addresses <list>', "local source addresses for this worker's client sockets")
    .option('--bind <address>', 'local address for the control connection')
    .action(
      action(async (flags: { join: string; sourceAddresses?: string; bind?: string }) => {
        const [{ joinCoordinator }, { tcpChannel }, { serveWorker }, { parseSourceAddresses }] =
          await Promise.all([
            import('../../loadgen/distributed/listen.js'),
            import('../../loadgen/distributed/channels.js'),
            import('../../loadgen/distributed/worker-loop.js'),
            import('../../loadgen/source-addresses.js'),
          ]);
        const [host, port] = splitHostPort(flags.join);
        const socket = await joinCoordinator(host, port, flags.bind);
        console.log(`joined coordinator ${flags.join}; waiting for an assignment`);
        const sourceAddresses = flags.sourceAddresses
          ? parseSourceAddresses(flags.sourceAddresses)
          : undefined;
        await serveWorker(tcpChannel(socket), { sourceAddresses });
        socket.end();
        console.log('segment finished; results sent to the coordinator');
      }),
    );
}
