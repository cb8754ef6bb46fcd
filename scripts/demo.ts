// The whole of hanoverd in one command: `npm run demo` (or `bash scripts/demo.sh`), as root.
// Builds examples/hello (a busybox httpd app) in a scratch copy, serves it on a local port,
// runs a load of new connections against that port while it hands over three times, and
// prints the requests, the failed ones (0), and each handover's phases. Cleans up after itself.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon } from '../test/helpers/daemon.ts';
import { removeLeftovers } from '../test/helpers/leftovers.ts';
import { startLoad } from '../test/helpers/load.ts';

const root = path.resolve(fileURLToPath(import.meta.url), '../..');
const port = Number(process.env.DEMO_PORT ?? 18_088);
const handovers = 3;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-demo-'));
const dir = path.join(scratch, 'hello');
fs.cpSync(path.join(root, 'examples', 'hello'), dir, { recursive: true });
fs.copyFileSync('/bin/busybox', path.join(dir, 'busybox'));
const stateDir = path.join(scratch, 'state');

const say = (text: string) => process.stdout.write(`${text}\n`);
// Its own app name, so that nothing of an app of the user's is touched.
const app = 'hanoverd-demo';
const daemon = startDaemon(dir, ['-p', `${port}:8000`, '--state-dir', stateDir, '--name', app]);
try {
  say(`demo: hanoverd -p ${port}:8000 --name ${app} in a copy of examples/hello (${dir})`);
  await daemon.waitForLog(/traffic switched to/, 120_000);
  say(`demo: serving on http://127.0.0.1:${port}/; starting a load of new connections (4 clients)`);
  const load = startLoad(`http://127.0.0.1:${port}/cgi-bin/whoami`, { concurrency: 4, maxMs: 300_000 });
  for (let n = 2; n <= handovers + 1; n++) {
    fs.writeFileSync(path.join(dir, 'www', 'index.html'), `hello, version ${n}\n`);
    const from = daemon.log().length;
    daemon.signal('SIGHUP');
    const [, name] = await daemon.waitForLog(/traffic switched to (\S+)/, 120_000, from);
    await daemon.waitForLog(new RegExp(`${app}-${n - 1} stopped and removed`), 120_000, from);
    say(`demo: SIGHUP ${n - 1}: ${name} is live, ${app}-${n - 1} drained and removed`);
  }
  const result = await load.stop();
  const history = JSON.parse(execFileSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'history', '--json', '--state-dir', stateDir], { encoding: 'utf8' })) as
    Array<{ kind: string; trigger: string; outcome: string; container?: string; phases?: Array<{ name: string; ms: number }> }>;
  say('');
  say('handover  container          obtain   start   ready  switch');
  for (const entry of history.filter((e) => e.kind === 'deploy' && e.outcome === 'live')) {
    const ms = (phase: string) => `${entry.phases?.find((p) => p.name === phase)?.ms ?? '-'}ms`.padStart(7);
    say(`${entry.trigger.padEnd(9)} ${(entry.container ?? '').padEnd(17)} ${ms('obtain')} ${ms('start')} ${ms('ready')} ${ms('switch')}`);
  }
  say('');
  say(`requests: ${result.ok + result.failed}, failed: ${result.failed}, answered by ${[...result.bodies.keys()].join(' → ')}`);
  if (result.failed > 0) say(`first errors: ${result.errors.slice(0, 3).join('; ')}`);
  process.exitCode = result.failed === 0 ? 0 : 1;
} finally {
  const code = await daemon.stop();
  await removeLeftovers(app);
  fs.rmSync(scratch, { recursive: true, force: true });
  say(`demo: SIGTERM: hanoverd exited ${code}; its rules and containers are gone`);
}
