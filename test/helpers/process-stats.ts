import fs from 'node:fs';
import { execa } from 'execa';

/** What a process holds, as the kernel sees it. */
export interface ProcessStats {
  /** Open file descriptors (/proc/<pid>/fd). */
  fds: number;
  /** Resident memory, MiB (VmRSS). */
  rssMiB: number;
  /** Listening sockets (TCP, UDP, Unix) it owns. */
  listeners: number;
}

export async function processStats(pid: number): Promise<ProcessStats> {
  const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  const { stdout } = await execa('ss', ['-H', '-l', '-n', '-p', '-t', '-u', '-x']);
  const listeners = stdout.split('\n').filter((line) => line.includes(`pid=${pid},`)).length;
  return { fds, rssMiB: Math.round(rssKb / 102.4) / 10, listeners };
}

export const formatStats = (stats: ProcessStats) => `${stats.fds} fds, RSS ${stats.rssMiB} MiB, ${stats.listeners} listener(s)`;

/**
 * Where a process's resident memory lives, MiB, from /proc/<pid>/smaps: malloc's main heap
 * (`[heap]`), anonymous mappings (V8's heap pages, malloc's thread arenas, mmap'd
 * allocations), mapped files (code, libraries) and the rest.
 */
export function residentByKind(pid: number): Record<string, number> {
  const totals: Record<string, number> = {};
  let kind = 'other';
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (mapping) {
      const name = mapping[1]!.trim();
      kind = name === '' ? 'anonymous' : name === '[heap]' ? 'heap' : name.startsWith('/') ? 'files' : 'other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) totals[kind] = (totals[kind] ?? 0) + Number(rss[1]);
  }
  return Object.fromEntries(Object.entries(totals).map(([name, kb]) => [name, Math.round(kb / 102.4) / 10]));
}
