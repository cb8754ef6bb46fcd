#!/usr/bin/env node
import fs from 'node:fs';
import { parseArgs } from './cli/parse-args.js';
import { clientCommand } from './cli/client-command.js';
import { exportCommand } from './cli/export-command.js';
import { runCommand } from './cli/run-command.js';
import { runBuilder } from './builder/run-builder.js';
import { describeError, UsageError } from './errors.js';
import { createLogger } from './log.js';

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    const command = await parseArgs(argv, process.cwd(), process.env);
    if (command === undefined) return 0;
    if (command.kind === 'version') {
      process.stdout.write(`hanoverd ${version()}\n`);
      return 0;
    }
    if (command.kind === 'client') return await clientCommand(command.action, command.stateDir, command.json, command.limit, command.canary);
    if (command.kind === 'export') return exportCommand(command);
    if (command.kind === 'builder') return await runBuilder(command.config, createLogger(command.logFormat));
    return await runCommand(command.config, createLogger(command.logFormat));
  } catch (error) {
    process.stderr.write(`hanoverd: ${describeError(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
