/** Test support: starts the reference server in a child process (see server-child.ts for why). */
import { forkModule, resolveSiblingModule } from '../../common/spawn-module.js';
import type { FakeServerFaults } from '../../loadgen/testing/fake-server.js';
import type { ServerOptions } from '../../reference-server/index.js';

export interface ServerProcess {
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/** `fake` starts loadgen's faulty fake server instead of the reference server. */
export function startServerProcess(
  options: ServerOptions & { fake?: FakeServerFaults } = {},
): Promise<ServerProcess> {
  const child = forkModule(
    resolveSiblingModule(import.meta.url, './server-child'),
    [JSON.stringify(options)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`reference server child exited with ${code}`)));
    child.once('message', (message) => {
      const { url, wsUrl } = message as { url: string; wsUrl: string };
      child.removeAllListeners('exit');
      resolve({
        url,
        wsUrl,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.send('stop');
          }),
      });
    });
  });
}
