import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runPostDeploy } from '../../../dist/deploy-hooks/post-deploy.js';
import { parseCommand } from '../../../dist/deploy-hooks/parse-command.js';
import { captureLog } from '../../helpers/capture-log.ts';

let dir: string;
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-post-deploy-')); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}


const version = { app: 'shop', container: 'shop-7', image: 'registry.example/shop:prod', digest: 'sha256:0123' };

test('the command sees the HANOVERD_ variables and its arguments; its output goes to the log', async () => {
  const out = path.join(dir, 'env.txt');
  const file = script('record', `env | grep '^HANOVERD_' | sort > "$1"; echo "told $2"; echo oops >&2`);
  const { log, text } = captureLog();
  await runPostDeploy(version, { argv: parseCommand(`${file} ${out} 'the team'`, '--post-deploy'), timeoutMs: 10_000, log, signal: new AbortController().signal });
  assert.equal(fs.readFileSync(out, 'utf8'), [
    'HANOVERD_APP=shop', 'HANOVERD_CONTAINER=shop-7', 'HANOVERD_DIGEST=sha256:0123', 'HANOVERD_IMAGE=registry.example/shop:prod', '',
  ].join('\n'));
  assert.match(text(), /post-deploy \| told the team/);
  assert.match(text(), /post-deploy \| oops/);
  assert.match(text(), /shop-7: the post-deploy command succeeded in/);
});

test('a failing, missing or slow command is a warning, never an exception', async () => {
  const { log, text } = captureLog();
  const signal = new AbortController().signal;
  await runPostDeploy(version, { argv: [script('fails', 'exit 4')], timeoutMs: 10_000, log, signal });
  assert.match(text(), /warn  post-deploy command \(.*fails\) exited 4 after .*; shop-7 stays live/);
  await runPostDeploy(version, { argv: [path.join(dir, 'missing'), 'secret-arg'], timeoutMs: 10_000, log, signal });
  assert.match(text(), /warn  post-deploy command \(.*missing\) could not run: not found; shop-7 stays live/);
  const started = performance.now();
  await runPostDeploy(version, { argv: [script('slow', 'exec sleep 30')], timeoutMs: 200, log, signal });
  assert.ok(performance.now() - started < 5000);
  assert.match(text(), /warn  post-deploy command \(.*slow\) did not finish within 200ms and was killed; shop-7 stays live/);
  assert.ok(!text().includes('secret-arg'), 'arguments are not logged');
});

test('an abort stops the command', async () => {
  const { log, text } = captureLog();
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 100);
  const started = performance.now();
  await runPostDeploy(version, { argv: [script('long', 'exec sleep 30')], timeoutMs: 60_000, log, signal: stop.signal });
  assert.ok(performance.now() - started < 5000);
  assert.match(text(), /post-deploy command \(.*long\) stopped: hanoverd is stopping/);
});

test('time limits are reported as they were likely written', async () => {
  const { asWritten } = await import('../../../dist/deploy-hooks/as-written.js');
  assert.deepEqual([300_000, 90_000, 1500, 200].map(asWritten), ['5m', '90s', '1.50s', '200ms']);
});
