import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { commandLineOf, processTree, processTreeRss, rssOf } from './process-tree.js';

const grandchildBytes = 64 * 1024 * 1024;
// The grandchild touches 64 MiB (Buffer.alloc fills it), so that much of it is resident.
const grandchildCode = `globalThis.keep = Buffer.alloc(${grandchildBytes}, 1);
console.log(String(process.pid)); setInterval(() => {}, 1000);`;
// The child only starts the grandchild and passes its pid on: the child's own RSS stays small.
const childCode = `const { spawn } = require('node:child_process');
const grandchild = spawn(process.execPath, ['-e', ${JSON.stringify(grandchildCode)}], { stdio: ['ignore', 'pipe', 'inherit'] });
grandchild.stdout.once('data', (data) => console.log(String(data).trim()));
process.on('SIGTERM', () => { grandchild.kill(); process.exit(0); });
setInterval(() => {}, 1000);`;

let child: ChildProcess | undefined;
let grandchildPid: number | undefined;
afterEach(() => {
  if (grandchildPid !== undefined) {
    try {
      process.kill(grandchildPid);
    } catch {
      // already gone
    }
  }
  child?.kill();
  child = undefined;
  grandchildPid = undefined;
});

function startChildWithGrandchild(): Promise<number> {
  child = spawn(process.execPath, ['-e', childCode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stdout = child.stdout;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no grandchild pid within 20 s')), 20_000);
    stdout?.once('data', (data: Buffer) => {
      clearTimeout(timer);
      resolve(Number(String(data).trim()));
    });
    child?.once('exit', (code) => reject(new Error(`child exited (${code}) before its grandchild started`)));
  });
}

describe('process tree', () => {
  it("a forked child's tree includes its grandchild, and the tree's RSS includes the grandchild's", async () => {
    grandchildPid = await startChildWithGrandchild();
    const childPid = child?.pid;
    if (childPid === undefined) throw new Error('child has no pid');

    expect(processTree(process.pid)).toEqual(expect.arrayContaining([process.pid, childPid, grandchildPid]));
    expect(processTree(childPid)).toEqual([childPid, grandchildPid]);
    expect(commandLineOf(grandchildPid)).toContain('Buffer.alloc');

    const grandchildRss = rssOf(grandchildPid);
    expect(grandchildRss).toBeGreaterThan(grandchildBytes);
    const treeRss = processTreeRss(childPid);
    // The pid alone (what a per-pid lookup reads) misses the grandchild's 64 MiB; the tree has it.
    expect(treeRss - rssOf(childPid)).toBeGreaterThan(grandchildBytes * 0.9);
    expect(treeRss).toBeGreaterThanOrEqual(grandchildRss);
  });

  it('a process that is gone has no RSS and no descendants', () => {
    const gone = 2 ** 22 + 12_345; // above the largest pid Linux hands out (2^22)
    expect(rssOf(gone)).toBe(0);
    expect(processTreeRss(gone)).toBe(0);
    expect(processTree(gone)).toEqual([gone]);
    expect(commandLineOf(gone)).toBe('');
  });
});
