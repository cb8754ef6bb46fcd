import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Parses docker's `--env-file` format: one `NAME=value` per line, taken literally (no
 * quotes, no expansion); a bare `NAME` passes the daemon's value through (left out when
 * unset); blank lines and lines starting with `#` are skipped.
 */
export function parseEnvFile(text: string, file: string, environment: NodeJS.ProcessEnv): string[] {
  const result: string[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq === -1 ? line : line.slice(0, eq);
    if (name === '' || /\s/.test(name)) {
      throw new UsageError(`--env-file ${file}: line ${index + 1} has no valid variable name; write NAME=value or NAME, one per line`);
    }
    if (eq !== -1) result.push(line);
    else if (environment[name] !== undefined) result.push(`${name}=${environment[name]}`);
  });
  return result;
}

/** Reads each `--env-file` (relative to `cwd`), in order, once at start as docker run does. */
export function readEnvFiles(files: readonly string[], cwd: string, environment: NodeJS.ProcessEnv): string[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new UsageError(`--env-file ${file}: cannot read it (${code}); give a readable file of NAME=value lines`, { cause: error });
    }
    return parseEnvFile(text, file, environment);
  });
}

/** Later values win, as in docker (env files first, then -e); each name once, in first-seen order. */
export function mergeEnv(...lists: ReadonlyArray<readonly string[]>): string[] {
  const byName = new Map<string, string>();
  for (const entry of lists.flat()) {
    const eq = entry.indexOf('=');
    byName.set(eq === -1 ? entry : entry.slice(0, eq), entry);
  }
  return [...byName.values()];
}
