import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI } from './daemon.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the hanoverd CLI to completion (a client command, or a daemon expected to fail). */
export async function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}
