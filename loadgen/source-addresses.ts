/**
 * Many connections from one machine. Linux picks a client socket's port from
 * net.ipv4.ip_local_port_range (32768–60999 here: 28,232 ports), and a port can be reused only for a
 * different (source address, destination address, destination port) tuple — so one source address
 * reaches about 28,000 connections to one server port. Spreading sockets over 127.0.0.2, 127.0.0.3, …
 * (all of 127/8 is loopback on Linux, no configuration needed) multiplies that. Each process is also
 * capped by its open-files limit (RLIMIT_NOFILE; a hard 20,000 here), so capsim spreads virtual users
 * over worker processes too.
 *
 * On your own hosts, raise: `ulimit -n` (hard limit in /etc/security/limits.conf or systemd
 * LimitNOFILE=), fs.file-max / fs.nr_open, net.ipv4.ip_local_port_range (e.g. "1024 65535"),
 * net.core.somaxconn and net.ipv4.tcp_max_syn_backlog on the server, and add secondary IP addresses
 * for non-loopback targets (`ip addr add 10.0.0.6/24 dev eth0`) to use as --source-addresses.
 */
import os from 'node:os';
import { CapsimError } from '../common/errors.js';

/** Connections one source address can open to one server address:port (default Linux port range). */
export const portsPerSourceAddress = 28_000;
/** Connections per worker process, below the per-process open-files limit with headroom. */
export const connectionsPerWorker = 19_000;

/** Parses `127.0.0.2-127.0.0.9` or `127.0.0.2,127.0.0.3`. */
export function parseSourceAddresses(text: string): string[] {
  const addresses: string[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const range = /^(\d+\.\d+\.\d+\.)(\d+)-(?:\d+\.\d+\.\d+\.)?(\d+)$/.exec(part);
    if (range) {
      const from = Number(range[2]);
      const to = Number(range[3]);
      if (to < from || to > 255) throw bad(part);
      for (let i = from; i <= to; i += 1) addresses.push(`${range[1]}${i}`);
    } else if (/^\d+\.\d+\.\d+\.\d+$/.test(part) || part.includes(':')) addresses.push(part);
    else throw bad(part);
  }
  if (addresses.length === 0) throw bad(text);
  return addresses;
}

function bad(found: string): CapsimError {
  return new CapsimError('E_BAD_FLAG', '--source-addresses: not an address list', {
    problems: [
      {
        path: '--source-addresses',
        message: 'not an address or range',
        expected: '127.0.0.2-127.0.0.9 or 10.0.0.5,10.0.0.6',
        found,
      },
    ],
  });
}

/**
 * Source addresses to bind for `connections` sockets to `targets` loopback destinations (address:port).
 * Unbound sockets get their port at connect(), unique per (source, destination) pair, so each target
 * has its own ~28,000 ports; binding a source address moves the choice to bind(), which knows no
 * destination: the address's ports are then shared by all targets and the kernel searches them for a
 * free one, system CPU that grows with the ports in use (here: 4× the generator's system CPU with
 * 15,000 sockets per address). So addresses are bound only when the targets' own ports do not suffice.
 */
export function autoSourceAddresses(connections: number, targets = 1): string[] {
  const needed = Math.ceil(connections / (portsPerSourceAddress * Math.max(1, targets)));
  if (needed <= 1) return [];
  return Array.from({ length: needed }, (_, i) => `127.0.0.${i + 2}`);
}

/** One worker per core, enough workers for the open-files limit, and no more than one per 50 users. */
export function defaultWorkerCount(users: number): number {
  const byCores = os.availableParallelism();
  const byFiles = Math.ceil(users / connectionsPerWorker);
  return Math.max(1, Math.min(Math.max(byCores, byFiles), Math.ceil(users / 50)));
}
