import fs from 'node:fs';
import path from 'node:path';

export type PhaseName = 'obtain' | 'start' | 'ready' | 'switch' | 'drain';

export interface Phase {
  name: PhaseName;
  ms: number;
}

/** One line of the history journal: a deploy, or an event such as an engine restart. */
export interface HistoryEntry {
  at: string;
  kind: 'deploy' | 'event';
  /** What asked for it: "start", "SIGHUP", "api", "rollback", "hookbot: alice pushed 1a2b3c4"… */
  trigger: string;
  outcome: 'live' | 'failed' | 'cancelled' | 'unchanged' | 'canary' | 'rolled-back' | 'info';
  image?: string;
  imageId?: string;
  digest?: string;
  container?: string;
  phases?: Phase[];
  ms?: number;
  error?: string;
  message?: string;
}

const FILE = 'history.jsonl';
const ROTATED = 'history.1.jsonl';

/**
 * Appends one entry and flushes it to disk before returning, so a crash right after
 * never loses a deploy that happened. A single write of a single line: a crash can at
 * worst tear that line, which readHistory skips. Past `maxBytes` the file is rotated to
 * history.1.jsonl (one generation kept), so the journal never grows without bound.
 */
export function appendHistory(dir: string, entry: HistoryEntry, maxBytes = Number.POSITIVE_INFINITY): void {
  const file = path.join(dir, FILE);
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size > maxBytes) fs.renameSync(file, path.join(dir, ROTATED));
  const fd = fs.openSync(file, 'a', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function parseLines(text: string, into: HistoryEntry[]): void {
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as HistoryEntry;
      if (typeof entry.at === 'string' && typeof entry.kind === 'string') into.push(entry);
    } catch {
      // A line torn by a crash mid-write.
    }
  }
}

/** The newest `limit` entries, oldest first; a torn or corrupt line is skipped, never the rest. */
export function readHistory(dir: string, limit = Number.POSITIVE_INFINITY): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const name of [ROTATED, FILE]) {
    try {
      parseLines(fs.readFileSync(path.join(dir, name), 'utf8'), entries);
    } catch {
      // Not written yet.
    }
  }
  return Number.isFinite(limit) ? entries.slice(-Math.max(0, limit)) : entries;
}
