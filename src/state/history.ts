import fs from 'node:fs';
import path from 'node:path';

export interface Phase {
  name: 'obtain' | 'start' | 'ready' | 'switch';
  ms: number;
}

/** One line of the history journal: a deploy, or an event such as an engine restart. */
export interface HistoryEntry {
  at: string;
  kind: 'deploy' | 'event';
  /** What asked for it: "start", "SIGHUP", "api", "rollback", "hookbot: alice pushed 1a2b3c4"… */
  trigger: string;
  outcome: 'live' | 'failed' | 'cancelled' | 'unchanged' | 'info';
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

/**
 * Appends one entry and flushes it to disk before returning, so a crash right after
 * never loses a deploy that happened. A single write of a single line: a crash can at
 * worst tear that line, which readHistory skips.
 */
export function appendHistory(dir: string, entry: HistoryEntry): void {
  const fd = fs.openSync(path.join(dir, FILE), 'a', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Every entry, oldest first; a torn or corrupt line is skipped, never the rest. */
export function readHistory(dir: string): HistoryEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, FILE), 'utf8');
  } catch {
    return [];
  }
  const entries: HistoryEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as HistoryEntry;
      if (typeof entry.at === 'string' && typeof entry.kind === 'string') entries.push(entry);
    } catch {
      // A line torn by a crash mid-write.
    }
  }
  return entries;
}
