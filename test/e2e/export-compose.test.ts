import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { runCli } from '../helpers/cli.ts';
import { ensureDockerCompose } from '../helpers/docker-compose.ts';

// Neither starts a container nor touches iptables: `docker-compose config` only reads the file.

interface ComposeConfig {
  services: Record<string, Record<string, unknown> & { deploy?: Record<string, unknown> }>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
}

/** `hanoverd export ARGS` run in a fresh project directory, then `docker-compose config` on what it printed. */
async function exportAndValidate(t: { after(fn: () => void): void }, args: string[]): Promise<{ exported: string; config: ComposeConfig; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-export-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
  fs.writeFileSync(path.join(dir, 'app.env'), 'FROM_FILE=1\n');
  fs.mkdirSync(path.join(dir, 'data'));
  const result = await runCli(['export', ...args], { cwd: dir, env: { PASSED: 'through' } });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  fs.writeFileSync(path.join(dir, 'compose.yaml'), result.stdout);
  const { stdout } = await promisify(execFile)('docker-compose', ['--project-directory', dir, '-f', path.join(dir, 'compose.yaml'), 'config'], {
    cwd: dir, env: { ...process.env, PASSED: 'through' }, timeout: 60_000,
  });
  return { exported: result.stdout, config: YAML.parse(stdout, { version: '1.1' }) as ComposeConfig, dir };
}

test('docker-compose config validates an export of every mapped flag, and keeps the values', async (t) => {
  const skip = ensureDockerCompose();
  if (skip) {
    t.skip(skip);
    return;
  }
  const { exported, config, dir } = await exportAndValidate(t, [
    '-p', '8080:80', '-p', '127.0.0.1:9000-9001:9000-9001/udp', '-e', 'A=1', '-e', 'PASSED', '-e', 'PRICE=$5', '--env-file', 'app.env',
    '-v', './data:/data:ro', '-v', 'cache:/cache', '-v', '/anon',
    '-m', 'type=bind,source=./data,target=/d2,bind-propagation=rslave', '-m', 'type=volume,source=vol2,target=/v2,volume-nocopy',
    '-m', 'type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777', '--tmpfs', '/run:size=64m', '--read-only',
    '-l', 'team=web', '-u', '1000:1000', '-w', '/app', '--hostname', 'web1', '--memory', '256m', '--cpus', '0.5',
    '--network', 'db', '--network', 'front', '--network-alias', 'api', '--add-host', 'db.local:10.0.0.5',
    '--cap-add', 'net_admin', '--cap-drop', 'ALL', '--ulimit', 'nofile=1024:4096', '--log-driver', 'json-file', '--log-opt', 'max-size=10m',
    '--stop-signal', 'QUIT', '--stop-timeout', '1m30s', '--health-cmd', 'wget -qO- 127.0.0.1/health', '--health-interval', '2s', '--health-retries', '5',
    '--watch', '2m', '--pre-switch', 'migrate up', '--name', 'shop',
    'registry.example:5000/team/shop:prod', 'serve', '--port', '80',
  ]);
  assert.match(exported, /^# --pre-switch: no compose equivalent/m);
  const shop = config.services.shop;
  assert.ok(shop, 'the service is named after the app');
  assert.equal(shop.image, 'registry.example:5000/team/shop:prod');
  assert.deepEqual(shop.command, ['serve', '--port', '80']);
  assert.equal(shop.init, true);
  assert.deepEqual(shop.environment, {
    A: '1', PASSED: 'through', PRICE: '$$5', FROM_FILE: '1',
    HANOVERD_IMAGE: 'registry.example:5000/team/shop:prod', HANOVERD_IMAGE_REPO: 'registry.example:5000/team/shop', HANOVERD_IMAGE_TAGDIGEST: 'prod',
  });
  assert.equal(JSON.stringify(shop.ports).includes('8080'), true);
  assert.ok((shop.ports as unknown[]).some((port) => port === '127.0.0.1:9001:9001/udp'));
  assert.ok((shop.volumes as unknown[]).includes(`${dir}/data:/data:ro`));
  assert.ok((shop.volumes as unknown[]).includes('cache:/cache:rw'));
  assert.deepEqual(shop.tmpfs, ['/run:size=64m', '/t:size=64m,mode=1777']);
  assert.equal(shop.read_only, true);
  assert.deepEqual(shop.labels, { team: 'web' });
  assert.equal(shop.user, '1000:1000');
  assert.equal(shop.working_dir, '/app');
  assert.equal(shop.hostname, 'web1');
  assert.deepEqual(shop.networks, { db: { aliases: ['api'] }, front: { aliases: ['api'] } });
  assert.deepEqual(config.networks, { db: { external: true, name: 'db' }, front: { external: true, name: 'front' } });
  assert.deepEqual(config.volumes, { cache: { name: 'cache' }, vol2: { name: 'vol2' } });
  assert.deepEqual(shop.extra_hosts, ['db.local:10.0.0.5']);
  assert.deepEqual(shop.cap_add, ['NET_ADMIN']);
  assert.deepEqual(shop.cap_drop, ['ALL']);
  assert.deepEqual(shop.ulimits, { nofile: { soft: 1024, hard: 4096 } });
  assert.deepEqual(shop.logging, { driver: 'json-file', options: { 'max-size': '10m' } });
  assert.equal(shop.stop_signal, 'SIGQUIT');
  assert.equal(shop.stop_grace_period, '1m30s');
  assert.deepEqual(shop.healthcheck, { test: ['CMD-SHELL', 'wget -qO- 127.0.0.1/health'], interval: '2s', retries: 5 });
  assert.equal(shop.mem_limit, '256m');
  assert.equal(shop.cpus, 0.5);
  assert.deepEqual(shop.deploy, {
    resources: { limits: { memory: '256m', cpus: 0.5 } },
    update_config: { order: 'start-first', failure_action: 'rollback', monitor: '2m' },
    rollback_config: { order: 'start-first' },
  });
});

test('docker-compose config validates an export that builds the directory, with the derived health check', async (t) => {
  const skip = ensureDockerCompose();
  if (skip) {
    t.skip(skip);
    return;
  }
  const { config, dir } = await exportAndValidate(t, ['-p', '80:8000', '--status-uri', '/healthz', '--disable-overlap', '@', '--workers', '4']);
  const [name, service] = Object.entries(config.services)[0]!;
  assert.equal(name, path.basename(dir).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, ''));
  assert.deepEqual(service.build, { context: dir });
  assert.equal(service.image, name);
  assert.deepEqual(service.command, ['--workers', '4']);
  const healthcheck = service.healthcheck as { test: string[]; start_period: string };
  assert.equal(healthcheck.test[0], 'CMD-SHELL');
  assert.match(healthcheck.test[1]!, /http:\/\/127\.0\.0\.1:8000\/healthz/);
  assert.equal(healthcheck.start_period, '5m');
  assert.deepEqual(service.deploy, { update_config: { order: 'stop-first', failure_action: 'rollback' }, rollback_config: { order: 'stop-first' } });
});
