import fs from 'node:fs';
import tty from 'node:tty';
import { TerminalForegroundCheckMs } from '../defaults.js';

/** What stdin is, as far as "EOF stops the daemon" is concerned. */
export type StdinKind = 'stream' | 'terminal' | 'none';

/** A pipe or socket can reach end-of-file; so can a terminal; /dev/null (systemd) and files are ignored. */
export function stdinKind(fd = 0): StdinKind {
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isFIFO() || stat.isSocket()) return 'stream';
    return stat.isCharacterDevice() && tty.isatty(fd) ? 'terminal' : 'none';
  } catch {
    return 'none';
  }
}

/**
 * Whether this process is in the foreground process group of its terminal, from
 * /proc/self/stat (pgrp and tpgid; Node has no tcgetpgrp). The command name before them
 * may hold spaces and parentheses: the fields are counted from the last ")".
 */
export function inForeground(stat = '/proc/self/stat'): boolean {
  try {
    const text = fs.readFileSync(stat, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // state ppid pgrp session tty_nr tpgid
    const [pgrp, tpgid] = [Number(fields[2]), Number(fields[5])];
    return Number.isInteger(pgrp) && pgrp > 0 && pgrp === tpgid;
  } catch {
    return false;
  }
}

/**
 * Calls `onEof` when stdin ends, where that is safe. A pipe or socket is always read. A
 * terminal is read only while hanoverd is its foreground job: a background job that reads
 * its terminal gets SIGTTIN and stops, deaf to every other signal (`hanoverd … &`). The
 * check is made again on every SIGCONT (a job moved with bg resumes so) and every
 * `checkEveryMs` (fg of a running job sends no signal at all).
 * Returns a function that stops watching.
 */
export function watchStdinEof(onEof: () => void, kind = stdinKind(), foreground = () => inForeground(), checkEveryMs = TerminalForegroundCheckMs): () => void {
  if (kind === 'none') return () => {};
  const stdin = process.stdin;
  const onEnd = () => onEof();
  // A terminal hung up reads as an error (EIO): the person is gone, as with EOF.
  const onError = () => onEof();
  stdin.on('end', onEnd);
  stdin.on('error', onError);
  if (kind === 'stream') {
    stdin.resume();
    return () => {
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      stdin.pause();
    };
  }
  const follow = () => {
    const front = foreground();
    if (front && stdin.readableFlowing !== true) stdin.resume();
    if (!front && stdin.readableFlowing === true) stdin.pause();
  };
  process.on('SIGCONT', follow);
  const timer = setInterval(follow, checkEveryMs).unref();
  follow();
  return () => {
    clearInterval(timer);
    process.off('SIGCONT', follow);
    stdin.off('end', onEnd);
    stdin.off('error', onError);
    stdin.pause();
  };
}
