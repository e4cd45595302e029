/**
 * Process trees and their resident memory, read from /proc (Linux; elsewhere every figure is 0 and
 * every tree is just its root). A process's tree is the process and all its descendants, so "the
 * memory a worker uses" counts whatever it started: a Node child run with tsx's loader has tsx's
 * esbuild service as its own child, and a program started through a wrapper (a CLI that spawns node,
 * such as the tsx CLI) runs one level below the pid that was forked.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid → child pids, for every process visible in /proc (one scan; reuse it for several trees). */
export function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return children;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(Number(entry));
    if (ppid === undefined) continue;
    const siblings = children.get(ppid);
    if (siblings === undefined) children.set(ppid, [Number(entry)]);
    else siblings.push(Number(entry));
  }
  return children;
}

/** The parent pid of `pid`, or undefined when it is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined; // exited while listing
  }
}

/** `pid` followed by all its descendants (children, grandchildren, …). */
export function processTree(pid: number, children = childrenByParent()): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i += 1) {
    for (const child of children.get(tree[i]) ?? []) if (!tree.includes(child)) tree.push(child);
  }
  return tree;
}

/** Resident set size of one process in bytes (VmRSS); 0 when it is gone or a zombie. */
export function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Summed RSS (bytes) of `pid` and every descendant. Shared pages count once per process. */
export function processTreeRss(pid: number, children = childrenByParent()): number {
  return processTree(pid, children).reduce((sum, member) => sum + rssOf(member), 0);
}

/** The command line of `pid` with arguments joined by spaces; '' when it is gone (or a zombie). */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}
