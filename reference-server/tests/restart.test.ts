/**
 * "No acknowledged message may ever be lost": the server process is killed with SIGKILL right as the
 * last ACK arrives, restarted on the same data directory, and every ACKed message is delivered.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { forkModule, resolveSiblingModule } from '../../common/spawn-module.js';
import { TestClient } from '../test-support/client.js';
import { tempDataDir } from '../test-support/server.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function spawnServer(dataDir: string): Promise<{ child: ChildProcess; wsUrl: string }> {
  const options = { port: 0, dataDir, profile: 'loadtest', writeBuffer: { maxMessages: 50, maxDelayMs: 20 } };
  const child = forkModule(
    resolveSiblingModule(import.meta.url, '../child-server'),
    [JSON.stringify(options)],
    {
      stdio: 'ignore',
    },
  );
  children.push(child);
  const [message] = (await once(child, 'message')) as [{ wsUrl: string }];
  return { child, wsUrl: message.wsUrl };
}

describe('restart after SIGKILL', () => {
  it('delivers every ACKed message after the process is killed right after the ACKs', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer(dataDir);
    const alice = await TestClient.open(first.wsUrl, 'alice');
    const bob = await TestClient.open(first.wsUrl, 'bob');
    const total = 400;
    const acked = new Map<string, number>();
    const killed = new Promise<void>((resolve) => {
      alice.ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; conversationId: string; seq: number };
        if (frame.type !== 'ack') return;
        acked.set(`${frame.conversationId}#${frame.seq}`, frame.seq);
        // Kill mid-stream, while later messages are still in the write buffer.
        if (acked.size === total / 2) {
          first.child.kill('SIGKILL');
          resolve();
        }
      });
    });
    for (let i = 0; i < total; i += 1) {
      const conversationId = i % 2 === 0 ? 'dm:alice:bob' : 'dm:alice:carol';
      alice.send({ type: 'send', conversationId, idempotencyKey: `k${i}`, body: `m${i}` });
    }
    await killed;
    await Promise.all([alice.closed, bob.closed]);
    expect(acked.size).toBeGreaterThanOrEqual(total / 2);

    const second = await spawnServer(dataDir);
    const bobAgain = await TestClient.open(second.wsUrl, 'bob');
    const carol = await TestClient.open(second.wsUrl, 'carol');
    const ackedFor = (conversationId: string) =>
      [...acked.keys()].filter((k) => k.startsWith(`${conversationId}#`)).map((k) => acked.get(k) as number);
    const expectAll = async (client: TestClient, conversationId: string) => {
      const seqs = ackedFor(conversationId);
      const max = Math.max(...seqs);
      await client.waitFor(
        (f) => f.type === 'deliver' && f.conversationId === conversationId && f.seq === max,
      );
      const got = new Set(client.ofType('deliver').map((d) => d.seq as number));
      for (const seq of seqs) expect(got.has(seq), `${conversationId}#${seq}`).toBe(true);
    };
    await expectAll(bobAgain, 'dm:alice:bob');
    await expectAll(carol, 'dm:alice:carol');

    // Sequence numbers continue after the last durable one: nothing ACKed is ever reused.
    const aliceAgain = await TestClient.open(second.wsUrl, 'alice');
    aliceAgain.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: 'after', body: 'x' });
    const ack = await aliceAgain.next('ack');
    expect(ack.seq as number).toBeGreaterThan(Math.max(...ackedFor('dm:alice:bob')));
    // Resending a key ACKed before the crash is recognised as a duplicate.
    aliceAgain.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: 'k0', body: 'm0' });
    expect(await aliceAgain.next('ack', { idempotencyKey: 'k0' })).toMatchObject({ seq: 1, duplicate: true });
    for (const client of [bobAgain, carol, aliceAgain]) client.ws.terminate();
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
