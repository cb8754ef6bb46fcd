import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseArgs } from '../../../dist/cli/parse-args.js';
import { UsageError } from '../../../dist/errors.js';

/** The one-line message parseArgs refuses `argv` with. */
async function refusal(argv: string[]): Promise<string> {
  try {
    await parseArgs(argv, '/srv/app', {});
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

test('export reads the run command\'s flags, image and command', async () => {
  const command = await parseArgs(['export', '-p', '8080:80', '-e', 'A=1', '--memory', '256m', '--network', 'db', 'myrepo/app:tag', 'cmd', '-x'], '/srv/app', {});
  assert.ok(command && command.kind === 'export');
  assert.equal(command.config.source.kind === 'pull' && command.config.source.ref.name, 'myrepo/app:tag');
  assert.deepEqual(command.config.container.command, ['cmd', '-x']);
  assert.deepEqual(command.config.bindings.map((b) => [b.hostPort, b.containerPort]), [[8080, 80]]);
  assert.equal(command.config.container.engine.hostConfig.Memory, 256 * 1024 ** 2);
  assert.deepEqual(command.config.container.networks, ['db']);
  assert.deepEqual(command.env, ['A=1']);
  assert.equal(command.cwd, '/srv/app');
});

test('bad flags give export the same one-line errors as the run command', async () => {
  const cases = [
    ['--bogus', 'img'],
    ['-p'],
    ['-p', 'x:80', 'img'],
    ['--memory', '1k', 'img'],
    ['--network', 'host', 'img'],
    ['-p', '1:2', '--', '--workers'],
    ['--no-healthcheck', '--health-cmd', 'x', 'img'],
    ['--poll', '30s'],
  ];
  for (const argv of cases) {
    const run = await refusal(argv);
    assert.equal(await refusal(['export', ...argv]), run, argv.join(' '));
    assert.doesNotMatch(run, /\n/);
  }
});

test('export alone: the app as its daemon runs it, the pulled image pinned by digest', async () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-export-'));
  try {
    const digest = `registry.example:5000/shop@sha256:${'b'.repeat(64)}`;
    fs.writeFileSync(path.join(stateDir, 'state.json'), JSON.stringify({
      app: 'shop', cwd: '/srv/shop', pid: 1, startedAt: '2026-01-01T00:00:00.000Z', bindings: [], built: [],
      args: ['-p', '8080:80', '-e', 'MODE=prod', 'registry.example:5000/shop:prod', 'serve'],
      live: { container: 'shop-3', image: 'registry.example:5000/shop:prod', imageId: 'sha256:aa', digest, since: '2026-01-01T00:00:00.000Z' },
    }));
    const command = await parseArgs(['export', '--state-dir', stateDir], '/elsewhere', {});
    assert.ok(command && command.kind === 'export');
    assert.equal(command.config.source.kind === 'pull' && command.config.source.ref.name, digest);
    assert.deepEqual(command.config.container.command, ['serve']);
    assert.deepEqual(command.env, ['MODE=prod']);
    assert.equal(command.cwd, '/srv/shop');
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-export-'));
    assert.match(await refusal(['export', `--state-dir=${empty}`]), /^no hanoverd has run for this app \(nothing in .*\); run it here first, or give its flags/);
    fs.rmSync(empty, { recursive: true });
  } finally {
    fs.rmSync(stateDir, { recursive: true });
  }
});

test('the run command keeps its own command line for export', async () => {
  const command = await parseArgs(['-p', '8080:80', 'shop:prod'], '/srv/app', {});
  assert.ok(command && command.kind === 'run');
  assert.deepEqual(command.config.args, ['-p', '8080:80', 'shop:prod']);
});
