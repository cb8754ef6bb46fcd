import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { appContainers } from '../helpers/leftovers.ts';
import { get, startLoad } from '../helpers/load.ts';
import { serveApp } from '../helpers/served-app.ts';

// A deploy whose build context has not changed reuses the image built from it (nothing is
// sent to the engine) and still starts a new container; any change to what is sent builds.
const served = serveApp('unchanged', { args: ['--overlap-grace-duration', '200ms'] });

const reuseLine = (app: string) => new RegExp(`context unchanged \\(sha256:[0-9a-f]{12}…[^)]*\\); reusing image ${app} \\(([0-9a-f]{12})\\), no build`);
const imageOf = (log: string, app: string) => new RegExp(`image ${app} \\(([0-9a-f]{12})\\) obtained`).exec(log)?.[1];
let firstImage: string | undefined;

/** SIGHUP (or `hanoverd deploy`), then the log from it until the previous version is gone. */
async function deploy(generation: number, how: 'SIGHUP' | 'cli' = 'SIGHUP'): Promise<string> {
  const { app, daemon, stateDir } = served;
  const from = daemon.log().length;
  if (how === 'SIGHUP') daemon.signal('SIGHUP');
  else assert.equal((await runCli(['deploy', '--state-dir', stateDir])).code, 0);
  await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-${generation}\\b`), 120_000, from);
  await daemon.waitForLog(new RegExp(`${app.name}-${generation - 1} stopped and removed`), 60_000, from);
  return daemon.log().slice(from);
}

test('SIGHUP with nothing changed reuses the image, in one line, and hands over to a new container with no failed request', async () => {
  const { app, daemon, base } = served;
  firstImage = imageOf(daemon.log(), app.name);
  const load = startLoad(`${base}/cgi-bin/host`, { concurrency: 4, maxMs: 60_000 });
  const log = await deploy(2);
  const result = await load.stop();
  const reused = reuseLine(app.name).exec(log);
  assert.ok(reused, log);
  assert.equal(reused[1], firstImage);
  assert.equal(log.match(/context unchanged/g)?.length, 1);
  assert.doesNotMatch(log, new RegExp(`building ${app.dir} as |\\bbuild \\|`), 'no build');
  assert.match(log, new RegExp(`started ${app.name}-2 `));
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.deepEqual([...result.bodies.keys()], [`${app.name}-1`, `${app.name}-2`]);
  assert.equal((await get(`${base}/cgi-bin/host`)).body, `${app.name}-2`);
  assert.deepEqual(await appContainers(app.name), [`${app.name}-2`]);
});

test('a changed file is a real build, with its output, and is served', async () => {
  const { app, base } = served;
  fs.writeFileSync(path.join(app.dir, 'www', 'index.html'), 'changed\n');
  const log = await deploy(3);
  assert.doesNotMatch(log, /context unchanged/);
  assert.match(log, new RegExp(`building ${app.dir} as ${app.name}`));
  assert.match(log, /build \| Step \d+\/\d+ : COPY www \/www/);
  assert.notEqual(imageOf(log, app.name), firstImage);
  assert.equal((await get(`${base}/`)).body, 'changed');
});

test('a file .dockerignore leaves out does not count; `hanoverd deploy` reuses too', async () => {
  const { app, base } = served;
  fs.writeFileSync(path.join(app.dir, '.dockerignore'), 'notes\n');
  const built = await deploy(4);
  assert.match(built, new RegExp(`building ${app.dir} as `), 'a new .dockerignore is a change');
  const image = imageOf(built, app.name);
  fs.mkdirSync(path.join(app.dir, 'notes'));
  fs.writeFileSync(path.join(app.dir, 'notes', 'todo.txt'), 'not part of the app\n');
  const log = await deploy(5, 'cli');
  assert.equal(reuseLine(app.name).exec(log)?.[1], image, log);
  assert.equal((await get(`${base}/cgi-bin/host`)).body, `${app.name}-5`);
});

test('going back to an earlier source reuses its image, still in the engine', async () => {
  const { app, base } = served;
  fs.rmSync(path.join(app.dir, '.dockerignore'));
  fs.rmSync(path.join(app.dir, 'notes'), { recursive: true });
  fs.writeFileSync(path.join(app.dir, 'www', 'index.html'), 'ok\n');
  const log = await deploy(6);
  assert.equal(reuseLine(app.name).exec(log)?.[1], firstImage, log);
  assert.equal((await get(`${base}/`)).body, 'ok');
  assert.equal((await get(`${base}/cgi-bin/host`)).body, `${app.name}-6`);
});
