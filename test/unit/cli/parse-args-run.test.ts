import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../../../dist/cli/parse-args.js';
import { UsageError } from '../../../dist/errors.js';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const command = await parseArgs(argv, '/srv/app', env);
  assert.ok(command && command.kind === 'run');
  return command.config;
}

const pulled = (config: Awaited<ReturnType<typeof run>>) => config.source.kind === 'pull' ? config.source.ref.name : config.source.kind;

test('-p before the image takes one value and leaves the image alone', async () => {
  const config = await run(['-p', '8080:80', 'repo:tag']);
  assert.equal(pulled(config), 'repo:tag');
  assert.deepEqual(config.bindings.map((b) => [b.hostPort, b.containerPort]), [[8080, 80]]);
  assert.deepEqual(config.container.command, []);
});

test('-e before the image pulls the image, it does not build the directory', async () => {
  const config = await run(['-e', 'FOO=1', 'repo:tag']);
  assert.equal(pulled(config), 'repo:tag');
  assert.deepEqual(config.container.env, ['FOO=1']);
});

test('each repeatable flag takes exactly one value per occurrence', async () => {
  const config = await run(['-p', '1:2', '-p', '3:4', '-e', 'A=1', '--env', 'B=2', '-v', '/a:/b', '--mount', 'type=tmpfs,target=/t', 'img']);
  assert.deepEqual(config.bindings.map((b) => b.hostPort), [1, 3]);
  assert.deepEqual(config.container.env, ['A=1', 'B=2']);
  assert.equal(config.container.mounts.length, 2);
  assert.equal(pulled(config), 'img');
});

test('everything after the image is the container\'s command, as docker run', async () => {
  const config = await run(['-p', '1:2', 'img', 'sh', '-c', 'x y']);
  assert.deepEqual(config.container.command, ['sh', '-c', 'x y']);
});

test('flags after the image belong to the container', async () => {
  const config = await run(['img', '-p', '3:4', '--unknown', '--', 'z']);
  assert.equal(pulled(config), 'img');
  assert.deepEqual(config.bindings, []);
  assert.deepEqual(config.container.command, ['-p', '3:4', '--unknown', '--', 'z']);
});

test('-- ends the flags: the image follows it', async () => {
  const config = await run(['-p', '1:2', '--', 'img', 'a', '-b']);
  assert.equal(pulled(config), 'img');
  assert.deepEqual(config.container.command, ['a', '-b']);
});

test('@ builds the directory, with the container arguments after it', async () => {
  const config = await run(['-p', '1:2', '@', '--workers', '4']);
  assert.deepEqual(config.source, { kind: 'build', dir: '/srv/app', tag: 'app' });
  assert.deepEqual(config.container.command, ['--workers', '4']);
});

test('no image builds the directory', async () => {
  const config = await run(['-p', '1:2', '--name=web']);
  assert.deepEqual(config.source, { kind: 'build', dir: '/srv/app', tag: 'web' });
});

test('a flag without its value is a usage error', async () => {
  await assert.rejects(parseArgs(['-p'], '/srv/app', {}), (error: Error) => error instanceof UsageError && /Not enough arguments following: p; see hanoverd --help/.test(error.message));
  await assert.rejects(parseArgs(['img', '--name'], '/srv/app', {}).then(() => parseArgs(['--name'], '/srv/app', {})), UsageError);
});

test('arguments where the image goes say how to pass them', async () => {
  await assert.rejects(parseArgs(['-p', '1:2', '--', '--workers', '4'], '/srv/app', {}), (error: Error) =>
    error instanceof UsageError && /"--workers" is where the image goes.*after @/.test(error.message));
});

test('an unknown flag before the image is a usage error', async () => {
  await assert.rejects(parseArgs(['--bogus', 'img'], '/srv/app', {}), (error: Error) => error instanceof UsageError && /Unknown argument: bogus/.test(error.message));
});

test('client commands still parse their own flags', async () => {
  const command = await parseArgs(['status', '--json', '--state-dir', '/tmp/x'], '/srv/app', {});
  assert.deepEqual(command, { kind: 'client', action: 'status', stateDir: '/tmp/x', json: true, limit: 20 });
});

test('-m is --mount, as in the original hanoverd', async () => {
  const config = await run(['-m', 'type=tmpfs,target=/cache,tmpfs-size=64m', 'img']);
  assert.deepEqual(config.container.mounts, [{ Type: 'tmpfs', Source: '', Target: '/cache', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024 } }]);
});

test('docker run options before the image reach the container settings', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const dir = fs.mkdtempSync(`${os.tmpdir()}/hanoverd-args-`);
  try {
    fs.writeFileSync(`${dir}/app.env`, 'A=from-file\nB=from-file\n');
    const command = await parseArgs([
      '--env-file', 'app.env', '-e', 'B=from-flag', '-l', 'team=web', '--label', 'tier', '-u', '1000', '-w', '/app', '--hostname', 'web',
      '--memory', '64m', '--cpus', '1.5', '--add-host', 'db:10.0.0.5', '--read-only', '--tmpfs', '/run', '--cap-add', 'NET_ADMIN',
      '--cap-drop', 'ALL', '--ulimit', 'nofile=10', '--log-driver', 'local', '--log-opt', 'max-size=1m', '--stop-signal', 'QUIT',
      '--health-cmd', 'true', '--health-interval', '1s', '--status-port', '8000', 'img', '--memory', '1',
    ], dir, {});
    assert.ok(command && command.kind === 'run');
    const { container, statusPort } = command.config;
    assert.deepEqual(container.env, ['A=from-file', 'B=from-flag']);
    assert.deepEqual(container.labels, { team: 'web', tier: '' });
    assert.deepEqual(container.command, ['--memory', '1']);
    assert.deepEqual(container.engine.config, { User: '1000', WorkingDir: '/app', Hostname: 'web', StopSignal: 'SIGQUIT', Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 1e9 } });
    assert.equal(container.engine.hostConfig.Memory, 64 * 1024 ** 2);
    assert.equal(container.engine.hostConfig.NanoCpus, 1.5e9);
    assert.equal(container.engine.hostConfig.ReadonlyRootfs, true);
    assert.deepEqual(container.engine.hostConfig.CapAdd, ['CAP_NET_ADMIN']);
    assert.equal(statusPort, 8000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--no-healthcheck', async () => {
  const config = await run(['--no-healthcheck', 'img']);
  assert.deepEqual(config.container.engine.config.Healthcheck, { Test: ['NONE'] });
});

for (const [args, message] of [
  [['--memory', 'lots', 'img'], /--memory "lots": not a size/],
  [['--cpus', '-1', 'img'], /Not enough arguments following: cpus|--cpus "-1"/],
  [['--user', 'a b', 'img'], /--user "a b"/],
  [['--status-port', 'http', 'img'], /--status-port "http": not a port/],
  [['--label', 'hanoverd.app=x', 'img'], /hanoverd.app is set by hanoverd itself/],
  [['--env-file', '/nonexistent/app.env', 'img'], /--env-file \/nonexistent\/app.env: cannot read it/],
] as const) {
  test(`${args.join(' ')} is a one-line usage error`, async () => {
    await assert.rejects(parseArgs([...args], '/srv/app', {}), (error: Error) => error instanceof UsageError && message.test(error.message) && !error.message.includes('\n'));
  });
}

test('--network (repeatable) and --network-alias', async () => {
  const config = await run(['--network', 'front', '--network', 'back', '--network-alias', 'web', 'img']);
  assert.deepEqual(config.container.networks, ['front', 'back']);
  assert.deepEqual(config.container.networkAliases, ['web']);
  await assert.rejects(parseArgs(['--network', 'host', 'img'], '/srv/app', {}), UsageError);
});
