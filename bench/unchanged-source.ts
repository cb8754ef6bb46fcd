// SIGHUP → new container started, for an app whose source has not changed: the busybox
// httpd test app beside a 100 MB file of random bytes (as root, under the shared lock):
//
//   flock /tmp/hanoverd-docker.lock node bench/unchanged-source.ts [--sighups 10] [--mb 100] [--cli dist/cli.js]
//
// Times come from the daemon's own millisecond log timestamps: `deploying (SIGHUP)` (the
// signal arrived) to `started <app>-<n>` (the new container runs). Prints one JSON line.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeApp } from '../test/helpers/apps.ts';
import { CLI, startDaemon } from '../test/helpers/daemon.ts';
import { removeLeftovers } from '../test/helpers/leftovers.ts';
import { testPort } from '../test/helpers/ports.ts';
import { logTime, minMedianMax } from './stats.ts';

const { values } = parseArgs({ options: { sighups: { type: 'string', default: '10' }, mb: { type: 'string', default: '100' }, cli: { type: 'string', default: CLI } } });
const sighups = Number(values.sighups);
const megabytes = Number(values.mb);

function lineTime(log: string, pattern: RegExp): number {
  const line = log.split('\n').find((candidate) => pattern.test(candidate));
  if (!line) throw new Error(`no log line matches ${pattern}`);
  return logTime(line);
}

const app = makeApp('bench-unchanged');
const stateDir = fs.mkdtempSync(path.join(path.dirname(app.dir), 'state-'));
const blob = fs.openSync(path.join(app.dir, 'blob.bin'), 'w');
for (let i = 0; i < megabytes; i += 1) fs.writeSync(blob, randomBytes(1 << 20));
fs.closeSync(blob);
// An app in place, not one written this instant: files changed within the last 2 s are
// read again on the next deploy too (their timestamps may not show a second change).
await new Promise((resolve) => setTimeout(resolve, 2500));
const daemon = startDaemon(app.dir, ['-p', `${testPort()}:80`, '--state-dir', stateDir, '--overlap-grace-duration', '100ms'], { cli: path.resolve(values.cli) });
try {
  await daemon.waitForLog(/traffic switched to/, 180_000);
  const started: number[] = [];
  const switched: number[] = [];
  let lastFrom = 0;
  for (let generation = 2; generation <= sighups + 1; generation += 1) {
    const from = daemon.log().length;
    lastFrom = from;
    daemon.signal('SIGHUP');
    await daemon.waitForLog(new RegExp(`${app.name}-${generation - 1} stopped and removed`), 120_000, from);
    const log = daemon.log().slice(from);
    const hup = lineTime(log, /deploying \(SIGHUP\)/);
    started.push(lineTime(log, new RegExp(`started ${app.name}-${generation} `)) - hup);
    switched.push(lineTime(log, new RegExp(`traffic switched to ${app.name}-${generation}\\b`)) - hup);
  }
  // The last handover's log, to see where the time goes.
  console.error(daemon.log().slice(lastFrom));
  const reused = daemon.log().match(/context unchanged[^\n]*/)?.[0];
  console.log(JSON.stringify({ sighups, megabytes, started: minMedianMax(started), switched: minMedianMax(switched), samples: { started, switched }, ...(reused ? { reused } : {}) }));
} finally {
  await daemon.stop();
  await removeLeftovers(app.name);
  app.remove();
}
