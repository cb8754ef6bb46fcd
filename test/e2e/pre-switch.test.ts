import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Docker from 'dockerode';
import { execa } from 'execa';
import { runPreSwitch } from '../../dist/deploy-hooks/pre-switch.js';
import { HanoverdError } from '../../dist/errors.js';
import { Dockerfiles, makeApp, type TestApp } from '../helpers/apps.ts';
import { removeLeftovers } from '../helpers/leftovers.ts';
import { captureLog } from '../helpers/capture-log.ts';

// --pre-switch runs inside a real container (docker exec), as it will in a ready new version.
const docker = new Docker();
let app: TestApp;
let name: string;
let version: { container: Docker.Container; name: string };

before(async () => {
  app = makeApp('c-preswitch', Dockerfiles.hostname);
  name = app.name;
  await execa('docker', ['build', '-q', '--label', `hanoverd.built-as=${name}`, '-t', name, app.dir]);
  await execa('docker', ['run', '-d', '--name', `${name}-1`, '--hostname', `${name}-1`, '--label', `hanoverd.app=${name}`, name, 'sleep', '300']);
  version = { container: docker.getContainer(`${name}-1`), name: `${name}-1` };
});

after(async () => {
  await removeLeftovers(name);
  app?.remove();
});


const run = (argv: string[], log: ReturnType<typeof captureLog>['log'], extra: { timeoutMs?: number; signal?: AbortSignal; env?: Record<string, string> } = {}) =>
  runPreSwitch(version, { argv, timeoutMs: extra.timeoutMs ?? 30_000, log, signal: extra.signal ?? new AbortController().signal, ...(extra.env ? { env: extra.env } : {}) });

test('a command that exits 0 passes, its output in the log under the container name', async () => {
  const { log, text } = captureLog();
  await run(['sh', '-c', 'echo migrating "$HANOVERD_APP"; echo warning >&2; hostname'], log, { env: { HANOVERD_APP: 'shop' } });
  assert.match(text(), new RegExp(`${name}-1 \\| migrating shop\\n`));
  assert.match(text(), new RegExp(`${name}-1 \\| warning\\n`));
  assert.match(text(), new RegExp(`${name}-1 \\| ${name}-1\\n`), 'it ran inside the container');
  assert.match(text(), /the pre-switch command succeeded in/);
});

test('a command that exits 3 fails the version with one line', async () => {
  const { log, text } = captureLog();
  await assert.rejects(run(['sh', '-c', 'echo cannot migrate >&2; exit 3'], log), (error: unknown) => {
    assert.ok(error instanceof HanoverdError);
    assert.equal(error.message, `pre-switch command exited 3 in ${name}-1; the old version keeps serving`);
    return true;
  });
  assert.match(text(), /\| cannot migrate/);
});

test('a program missing from the image fails with a hint', async () => {
  const { log } = captureLog();
  await assert.rejects(run(['no-such-migrate'], log), /pre-switch command (exited 12[67] in .* \(not found or not executable in the image\?\)|could not start in)/);
});

test('a command that outlives the timeout fails; an abort is an abort', async () => {
  const { log } = captureLog();
  const started = performance.now();
  await assert.rejects(run(['sleep', '30'], log, { timeoutMs: 300 }), new RegExp(`pre-switch command did not finish within 300ms in ${name}-1; the old version keeps serving`));
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 200);
  await assert.rejects(run(['sleep', '30'], log, { signal: stop.signal }), { name: 'AbortError' });
  assert.ok(performance.now() - started < 5000);
});
