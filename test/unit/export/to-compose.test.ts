import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../../../dist/cli/parse-args.js';
import { composeDuration, composePorts, composeSize, toCompose } from '../../../dist/export/to-compose.js';

const CWD = '/srv/app';

/** The compose export of `hanoverd export ARGV`, run in /srv/app. */
async function exported(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const command = await parseArgs(['export', ...argv], CWD, env);
  assert.ok(command && command.kind === 'export');
  const { file, notes } = toCompose({ config: command.config, cwd: command.cwd, env: command.env, envFiles: command.envFiles, runtimeDockerfile: false });
  const service = file.services[command.config.app];
  assert.ok(service);
  return { file, notes, service, app: command.config.app };
}

const noteTexts = (notes: ReadonlyArray<{ text: string }>) => notes.map((note) => note.text).join('\n');

test('a pulled image with its command, ports and environment', async () => {
  const { service, app } = await exported(['-p', '8080:80', '-e', 'A=1', '-e', 'HOME', 'myrepo/app:tag', 'cmd', '--flag', 'arg']);
  assert.equal(app, 'app');
  assert.equal(service.image, 'myrepo/app:tag');
  assert.equal(service.build, undefined);
  assert.deepEqual(service.command, ['cmd', '--flag', 'arg']);
  assert.deepEqual(service.ports, ['8080:80']);
  assert.equal(service.init, true);
  assert.equal(service.restart, 'unless-stopped');
  // A bare -e NAME passes through the value compose sees, as hanoverd passed its own.
  assert.deepEqual(service.environment, {
    A: '1', HOME: null, HANOVERD_IMAGE: 'myrepo/app:tag', HANOVERD_IMAGE_REPO: 'myrepo/app', HANOVERD_IMAGE_TAGDIGEST: 'tag',
  });
});

test('no image (or @) builds the directory, tagged with the app name', async () => {
  const none = await exported(['-p', '80:8000', '--name', 'web']);
  assert.equal(none.service.build, '.');
  assert.equal(none.service.image, 'web');
  const at = await exported(['@', '--workers', '4']);
  assert.equal(at.service.build, '.');
  assert.deepEqual(at.service.command, ['--workers', '4']);
  assert.match(noteTexts(at.notes), /docker stack deploy does not build/);
});

test('a later -e of a name wins, as in hanoverd', async () => {
  const { service } = await exported(['-e', 'A=1', '-e', 'B=2', '-e', 'A=3', 'img']);
  assert.deepEqual(Object.entries(service.environment ?? {}).slice(0, 2), [['B', '2'], ['A', '3']]);
});

test('env files are referenced, not inlined, relative to the project directory', async (t) => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-export-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'app.env'), 'SECRET=s3cret\n');
  const command = await parseArgs(['export', '--env-file', 'app.env', 'img'], dir, {});
  assert.ok(command && command.kind === 'export');
  const { file } = toCompose({ config: command.config, cwd: dir, env: command.env, envFiles: command.envFiles, runtimeDockerfile: false });
  const service = file.services.img!;
  assert.deepEqual(service.env_file, ['./app.env']);
  assert.equal(JSON.stringify(file).includes('s3cret'), false);
});

test('volumes and mounts: short syntax when it says everything, named volumes declared by their own name', async () => {
  const { service, file } = await exported([
    '-v', './data:/data:ro', '-v', '/etc/ssl:/ssl', '-v', 'cache:/cache', '-v', '/anon',
    '-m', 'type=bind,source=./data,target=/d2,bind-propagation=rslave',
    '-m', 'type=volume,source=vol2,target=/v2,volume-nocopy',
    '-m', 'type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777',
    '--tmpfs', '/run:size=64m', 'img',
  ]);
  assert.deepEqual(service.volumes, [
    './data:/data:ro',
    '/etc/ssl:/ssl',
    'cache:/cache',
    '/anon',
    { type: 'bind', source: './data', target: '/d2', bind: { propagation: 'rslave' } },
    { type: 'volume', source: 'vol2', target: '/v2', volume: { nocopy: true } },
  ]);
  assert.deepEqual(service.tmpfs, ['/run:size=64m', '/t:size=64m,mode=1777']);
  assert.deepEqual(file.volumes, { cache: { name: 'cache' }, vol2: { name: 'vol2' } });
});

test('engine options map to their compose keys', async () => {
  const { service } = await exported([
    '--read-only', '-l', 'a=b', '-u', '1000:1000', '-w', '/app', '--hostname', 'web1', '--memory', '256m', '--cpus', '0.5',
    '--add-host', 'db:10.0.0.5', '--cap-add', 'net_admin', '--cap-drop', 'ALL', '--ulimit', 'nofile=1024:4096', '--ulimit', 'nproc=100',
    '--log-driver', 'json-file', '--log-opt', 'max-size=10m', '--stop-signal', 'QUIT', '--stop-timeout', '1m30s', 'img',
  ]);
  assert.equal(service.read_only, true);
  assert.deepEqual(service.labels, { a: 'b' });
  assert.equal(service.user, '1000:1000');
  assert.equal(service.working_dir, '/app');
  assert.equal(service.hostname, 'web1');
  assert.equal(service.mem_limit, '256m');
  assert.equal(service.cpus, 0.5);
  assert.deepEqual(service.deploy.resources, { limits: { memory: '256m', cpus: '0.5' } });
  assert.deepEqual(service.extra_hosts, ['db:10.0.0.5']);
  assert.deepEqual(service.cap_add, ['NET_ADMIN']);
  assert.deepEqual(service.cap_drop, ['ALL']);
  assert.deepEqual(service.ulimits, { nofile: { soft: 1024, hard: 4096 }, nproc: 100 });
  assert.deepEqual(service.logging, { driver: 'json-file', options: { 'max-size': '10m' } });
  assert.equal(service.stop_signal, 'SIGQUIT');
  assert.equal(service.stop_grace_period, '1m30s');
});

test('networks are external, with the aliases on each; the default bridge alone is network_mode', async () => {
  const { service, file, notes } = await exported(['--network', 'db', '--network', 'front', '--network-alias', 'api', 'img']);
  assert.deepEqual(service.networks, { db: { aliases: ['api'] }, front: { aliases: ['api'] } });
  assert.deepEqual(file.networks, { db: { external: true }, front: { external: true } });
  assert.match(noteTexts(notes), /overlay/);
  const plain = await exported(['--network', 'db', 'img']);
  assert.deepEqual(plain.service.networks, ['db']);
  const bridge = await exported(['--network', 'bridge', 'img']);
  assert.equal(bridge.service.network_mode, 'bridge');
  assert.equal(bridge.service.networks, undefined);
  assert.equal(bridge.file.networks, undefined);
});

test('a health check given is kept; --no-healthcheck disables it', async () => {
  const given = await exported(['--health-cmd', 'check', '--health-interval', '2s', '--health-timeout', '1s', '--health-retries', '5', '--health-start-period', '500ms', 'img']);
  assert.deepEqual(given.service.healthcheck, { test: ['CMD-SHELL', 'check'], interval: '2s', timeout: '1s', retries: 5, start_period: '500ms' });
  const off = await exported(['--no-healthcheck', '-p', '80:80', 'img']);
  assert.deepEqual(off.service.healthcheck, { disable: true });
});

test('without one, the health check is derived from --status-uri, --status-port and --ready-timeout', async () => {
  const { service, notes } = await exported(['-p', '80:8000', '-p', '9000:9000', '--status-uri', '/healthz', '--status-port', '9000', '--ready-timeout', '2m', 'img']);
  assert.deepEqual(service.healthcheck?.test?.[0], 'CMD-SHELL');
  assert.match(service.healthcheck?.test?.[1] ?? '', /wget -q -O \/dev\/null http:\/\/127\.0\.0\.1:9000\/healthz/);
  assert.equal(service.healthcheck?.start_period, '2m');
  assert.ok(notes.some((note) => note.key === 'healthcheck' && /derived from --status-uri/.test(note.text)));
  const firstPort = await exported(['-p', '80:8000', 'img']);
  assert.match(firstPort.service.healthcheck?.test?.[1] ?? '', /127\.0\.0\.1:8000\/ /);
  const noPort = await exported(['img']);
  assert.equal(noPort.service.healthcheck, undefined);
  assert.match(noteTexts(noPort.notes), /no healthcheck/);
});

test('swarm updates start first and roll back; --disable-overlap stops first; --watch is the monitor window', async () => {
  const plain = await exported(['img']);
  assert.deepEqual(plain.service.deploy, { update_config: { order: 'start-first', failure_action: 'rollback' }, rollback_config: { order: 'start-first' } });
  const { service } = await exported(['--disable-overlap', '--watch', '2m', 'img']);
  assert.deepEqual(service.deploy.update_config, { order: 'stop-first', failure_action: 'rollback', monitor: '2m' });
  assert.deepEqual(service.deploy.rollback_config, { order: 'stop-first' });
});

test('hanoverd features without a compose equivalent are noted', async () => {
  const { notes } = await exported(['--pre-switch', 'migrate up', '--post-deploy', 'announce', '--notify', 'https://chat.example/hook', '--metrics-listen', ':9100', '--poll', '30s', '--drain-timeout', '1m', 'registry.example/shop:prod']);
  const text = noteTexts(notes);
  for (const flag of ['--pre-switch', '--post-deploy', '--notify', '--metrics-listen', '--poll', '--drain-timeout']) assert.match(text, new RegExp(flag));
  const hookbot = await exported(['-p', '80:8000'], { HOOKBOT_URL: 'wss://hookbot.example.com/sub/docker-pull/registry.example/shop/tag/prod' });
  assert.equal(hookbot.service.image, 'registry.example/shop:prod');
  assert.match(noteTexts(hookbot.notes), /--hookbot: .*no trigger/);
});

test('a hookbot github topic builds the branch from its git URL', async () => {
  const { service, app } = await exported(['--git-url-base', 'https://git.example/mirror'], { HOOKBOT_URL: 'wss://hookbot.example.com/sub/github.com/repo/acme/shop/branch/main#web' });
  assert.equal(app, 'shop');
  assert.deepEqual(service.build, { context: 'https://git.example/mirror/acme/shop.git#main:web' });
});

test('ports: docker syntax, ranges joined again', () => {
  assert.deepEqual(composePorts([
    { hostIp: undefined, hostPort: 8000, containerPort: 80, protocol: 'tcp' },
    { hostIp: undefined, hostPort: 8001, containerPort: 81, protocol: 'tcp' },
    { hostIp: '127.0.0.1', hostPort: 53, containerPort: 53, protocol: 'udp' },
  ]), ['8000-8001:80-81', '127.0.0.1:53:53/udp']);
});

test('durations and sizes as compose reads them', () => {
  assert.equal(composeDuration(90_000), '1m30s');
  assert.equal(composeDuration(500), '500ms');
  assert.equal(composeDuration(3_600_000), '1h');
  assert.equal(composeSize(256 * 1024 ** 2), '256m');
  assert.equal(composeSize(2 * 1024 ** 3), '2g');
  assert.equal(composeSize(1000), '1000b');
});
