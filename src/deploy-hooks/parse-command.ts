import { parse } from 'shell-quote';
import { UsageError } from '../errors.js';

/**
 * Splits a hook command into argv the way a shell would quote it (`'…'`, `"…"`, `\`), but
 * runs no shell: operators, globs, comments and `$VARIABLES` are refused, not half-honoured.
 */
export function parseCommand(text: string, flag: string): string[] {
  let variable: string | undefined;
  const entries = parse(text, (name: string) => {
    variable ??= name;
    return `$${name}`;
  });
  const wrap = 'no shell runs the command; put it in a script (or sh -c \'…\') and give that';
  if (variable !== undefined) throw new UsageError(`${flag} "${text}": $${variable} would not be expanded, ${wrap}`);
  const argv: string[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      argv.push(entry);
      continue;
    }
    const what = 'comment' in entry ? '"#" (a comment)' : entry.op === 'glob' ? `"${entry.pattern}" (a glob)` : `"${entry.op}"`;
    throw new UsageError(`${flag} "${text}": ${what} needs a shell, but ${wrap}`);
  }
  if (argv.length === 0 || argv[0] === '') throw new UsageError(`${flag}: the command is empty; give a program and its arguments`);
  return argv;
}
