// `capsim loadtest` exit codes: 1 when a threshold fails, 2 on bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from './testing/fake-server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let server: FakeServer;
let dir: string;

beforeAll(async () => {
  server = await startFakeServer({ dropEvery: 5 });
  dir = mkdtempSync(join(tmpdir(), 'capsim-cli-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI synchronously (only for cases that need no server in this process). */
function capsim(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('capsim loadtest', () => {
  it('exits 2 with a clear message on a bad target or threshold', async () => {
    const scenario = join(dir, 'bad.yaml');
    writeFileSync(
      scenario,
      'name: bad\nworkload: { concurrentConnections: 10 }\nload:\n  thresholds: ["delivery_latency: p95 < 10 parsecs"]\n',
    );
    const badTarget = capsim('loadtest', scenario, '--target', 'http://nope');
    expect(badTarget.status).toBe(2);
    const badThreshold = capsim('loadtest', scenario, '--target', 'ws://127.0.0.1:1');
    expect(badThreshold.status).toBe(2);
    expect(badThreshold.stderr).toContain('load.thresholds');
    expect(badThreshold.stderr).not.toContain('    at ');
  });
});

describe('capsim loadtest against a lossy server', () => {
  it('writes the results and exits 1 because `lost == 0` fails', async () => {
    // spawnSync blocks this process, which also runs the fake server: run the CLI asynchronously instead.
    const { spawn } = await import('node:child_process');
    const scenario = join(dir, 'lossy.yaml');
    const out = join(dir, 'results.json');
    writeFileSync(
      scenario,
      'name: lossy\nworkload: { concurrentConnections: 10 }\nload:\n  phases: [{ connections: 10, connectRatePerSecond: 20 }, { duration: 2s }]\n  messages: { perSecond: 30 }\n  grace: 1s\n',
    );
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'cli.ts'),
        'loadtest',
        scenario,
        '--target',
        server.wsUrl,
        '--workers',
        '1',
        '--out',
        out,
      ],
      { cwd: root },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status).toBe(1);
    expect(stdout).toContain('✗ lost: == 0');
    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      checker: { lost: number };
      passed: boolean;
      version: number;
    };
    expect(result.checker.lost).toBeGreaterThan(0);
    expect(result).toMatchObject({ passed: false, version: 1 });
  });
});
