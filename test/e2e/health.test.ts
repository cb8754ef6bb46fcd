import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execa } from 'execa';
import { dockerfile, httpd, makeApp } from '../helpers/apps.ts';
import { startDaemon } from '../helpers/daemon.ts';
import { appContainers, removeLeftovers } from '../helpers/leftovers.ts';
import { get } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';
import { serveApp } from '../helpers/served-app.ts';

// Docker health checks: a version is ready only when its status URI answers AND the engine
// says healthy; one that turns unhealthy never gets traffic, whatever its status URI says.
const served = serveApp('a-health', {
  args: ['--ready-timeout', '20s', '--overlap-grace-duration', '100ms'],
  load: { path: '/cgi-bin/host', concurrency: 2, maxMs: 120_000 },
});

const withHealthcheck = (check: string) => dockerfile(`EXPOSE 80\nHEALTHCHECK --interval=200ms --timeout=2s --retries=2 CMD ${check}\n${httpd()}`);

test('an image whose HEALTHCHECK fails never gets traffic, though its status URI answers 200', async () => {
  const { app, daemon, base } = served;
  app.setDockerfile(withHealthcheck('["/bin/busybox", "false"]'));
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  const [line] = await daemon.waitForLog(/deploy failed: .*/, 60_000, from);
  assert.match(line, new RegExp(`${app.name}-2 turned unhealthy after 2 failed health checks \\(last check exit 1\\); fix the HEALTHCHECK or --health-cmd`));
  assert.match(line, new RegExp(`${app.name}-1 keeps serving`));
  assert.doesNotMatch(daemon.log().slice(from), /traffic switched/);
  assert.equal((await get(`${base}/cgi-bin/host`)).body, `${app.name}-1`);
  assert.deepEqual(await appContainers(app.name), [`${app.name}-1`]);
});

test('an image whose HEALTHCHECK passes goes live once healthy', async () => {
  const { app, daemon, base } = served;
  app.setDockerfile(withHealthcheck('["/bin/busybox", "wget", "-q", "-O-", "http://127.0.0.1:80/"]'));
  const from = daemon.log().length;
  daemon.signal('SIGHUP');
  await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-3`), 60_000, from);
  const log = daemon.log().slice(from);
  assert.match(log, new RegExp(`${app.name}-3: health starting`));
  assert.match(log, new RegExp(`${app.name}-3: health healthy`));
  assert.ok(log.indexOf(`${app.name}-3 is healthy and answers on port 80`) < log.indexOf(`traffic switched to ${app.name}-3`));
  assert.equal((await get(`${base}/cgi-bin/host`)).body, `${app.name}-3`);
});

test('no request failed, and only versions that went live were ever served', async () => {
  const { app } = served;
  const result = await served.load.stop();
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.deepEqual(result.changes, [`${app.name}-1`, `${app.name}-3`]);
});

test('--status-port polls only that port; the --health-* flags reach the engine', async () => {
  // Port 81 answers at once, the status port 80 only 2 seconds later.
  const app = makeApp('a-statusport', dockerfile('EXPOSE 80 81\nCMD ["sh", "-c", "httpd -p 81 -h /www; sleep 2; exec httpd -f -p 80 -h /www"]'));
  const port = testPort();
  const daemon = startDaemon(app.dir, [
    '-p', `${port}:80`, '--state-dir', `${app.dir}-state`, '--status-port', '80',
    // Failures in the start period do not count: the check fails until port 80 is up.
    '--health-cmd', 'wget -q -O- http://127.0.0.1:80/', '--health-interval', '300ms', '--health-retries', '2', '--health-start-period', '20s',
  ]);
  try {
    await daemon.waitForLog(/traffic switched to/);
    assert.match(daemon.log(), /polling \/ on port 80\n/);
    assert.match(daemon.log(), /is ready on port 80 after (\d\.\d\ds)/);
    const seconds = Number(/is ready on port 80 after (\d+\.\d+)s/.exec(daemon.log())?.[1] ?? 0);
    assert.ok(seconds >= 1.5, `ready after ${seconds}s: port 81 must not count`);
    const { stdout } = await execa('docker', ['inspect', '--format', '{{json .Config.Healthcheck}}', `${app.name}-1`]);
    assert.deepEqual(JSON.parse(stdout), { Test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:80/'], Interval: 300_000_000, StartPeriod: 20_000_000_000, Retries: 2 });
    assert.equal((await get(`http://127.0.0.1:${port}/`)).body, 'ok');
  } finally {
    assert.equal(await daemon.stop(), 0);
    await removeLeftovers(app.name);
    app.remove();
    (await import('node:fs')).rmSync(`${app.dir}-state`, { recursive: true, force: true });
  }
});

