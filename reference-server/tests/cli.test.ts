/** `capsim serve` and `capsim dlq` as a user runs them (source CLI under tsx). */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempDataDir } from '../test-support/server.js';

const cli = fileURLToPath(new URL('../../cli.ts', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, output: () => ({ stdout, stderr }) };
}

describe('capsim serve / dlq', () => {
  it('starts, prints its URL and how to get a token, answers, and stops gracefully on SIGINT', async () => {
    const dataDir = tempDataDir();
    const serve = run(['serve', '--port', '0', '--data-dir', dataDir, '--batch-size', '10']);
    onTestFinished(() => {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL'); // a failed assertion leaves no server
    });
    // The banner may arrive in several chunks: read until its last line (the token hint) is there.
    while (!serve.output().stdout.includes('/v1/tokens')) {
      const exited = once(serve.child, 'exit').then(() => 'exit');
      if ((await Promise.race([once(serve.child.stdout, 'data'), exited])) === 'exit')
        throw new Error(`serve exited: ${serve.output().stderr}`);
    }
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(serve.output().stdout)?.[1] ?? '';
    expect(url).toMatch(/^http:/);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });

    const list = run(['dlq', 'list', '--url', url]);
    const [listCode] = await once(list.child, 'exit');
    expect(listCode).toBe(0);
    expect(list.output().stdout).toContain('dead-letter queue is empty');
    const replay = run(['dlq', 'replay', '--url', url, '--json']);
    await once(replay.child, 'exit');
    expect(JSON.parse(replay.output().stdout)).toEqual({ replayed: 0, remaining: 0 });

    serve.child.kill('SIGINT');
    const [code] = await once(serve.child, 'exit');
    expect(code).toBe(0);
    const offline = run(['dlq', 'list', '--data-dir', dataDir]);
    const [offlineCode] = await once(offline.child, 'exit');
    expect(offlineCode).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rejects bad flags with exit code 2 and no stack trace', async () => {
    const bad = run(['serve', '--profile', 'turbo']);
    const [code] = await once(bad.child, 'exit');
    expect(code).toBe(2);
    expect(bad.output().stderr).toContain('E_BAD_FLAG');
    expect(bad.output().stderr).not.toContain('    at ');
  });
});
