import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findRegistryAuth } from '../../../dist/source/registry-auth.js';

const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });

function writeConfig(dir: string, config: unknown): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
}

describe('findRegistryAuth', () => {
  let root: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-docker-config-'));
    dir = path.join(root, 'docker');
    env = { DOCKER_CONFIG: dir };
    writeConfig(dir, {
      auths: {
        'localhost:5000': auth('local', 'pa:ss:word'),
        'https://index.docker.io/v1/': auth('hubuser', 'hubpass'),
        'https://registry.example.com/v2/': auth('example', 'secret'),
        'helper.example.com': {},
        'nocolon.example.com': { auth: Buffer.from('justauser').toString('base64') },
      },
      credsStore: 'desktop',
    });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const found: Array<[string | undefined, string, string, string]> = [
    // registry, username, password, serveraddress
    ['localhost:5000', 'local', 'pa:ss:word', 'localhost:5000'],
    [undefined, 'hubuser', 'hubpass', 'https://index.docker.io/v1/'],
    ['registry.example.com', 'example', 'secret', 'registry.example.com'],
  ];
  for (const [registry, username, password, serveraddress] of found) {
    test(`finds the credentials for ${registry ?? 'Docker Hub'}`, () => {
      assert.deepEqual(findRegistryAuth(registry, env), { username, password, serveraddress });
    });
  }

  for (const registry of ['localhost:5001', 'localhost', 'helper.example.com', 'nocolon.example.com']) {
    test(`finds nothing for ${registry}`, () => assert.equal(findRegistryAuth(registry, env), undefined));
  }

  test('finds nothing without a config file, or with a broken one', () => {
    assert.equal(findRegistryAuth('localhost:5000', { DOCKER_CONFIG: path.join(root, 'missing') }), undefined);
    const broken = path.join(root, 'broken');
    writeConfig(broken, '{ not json');
    assert.equal(findRegistryAuth('localhost:5000', { DOCKER_CONFIG: broken }), undefined);
    const noAuths = path.join(root, 'no-auths');
    writeConfig(noAuths, { credsStore: 'pass' });
    assert.equal(findRegistryAuth('localhost:5000', { DOCKER_CONFIG: noAuths }), undefined);
  });

  test('reads ~/.docker/config.json when DOCKER_CONFIG is not set', (t) => {
    const home = path.join(root, 'home');
    writeConfig(path.join(home, '.docker'), { auths: { 'localhost:5000': auth('fromhome', 'x') } });
    const saved = process.env.HOME;
    process.env.HOME = home; // os.homedir() reads $HOME
    t.after(() => {
      if (saved === undefined) delete process.env.HOME;
      else process.env.HOME = saved;
    });
    assert.equal(findRegistryAuth('localhost:5000', {})?.username, 'fromhome');
  });

  // BUG (src/source/registry-auth.ts:22 with src/options/image-ref.ts:33): an image named
  // docker.io/library/nginx gets registry "docker.io", which never matches the Docker Hub
  // key "https://index.docker.io/v1/", so Hub credentials are not sent. Fix: in
  // findRegistryAuth, treat "docker.io", "index.docker.io" and "registry-1.docker.io" as
  // Docker Hub (or have parseImageRef leave registry undefined for them).
  test('finds the Docker Hub credentials for docker.io/... images', () => {
    assert.equal(findRegistryAuth('docker.io', env)?.username, 'hubuser');
  });
});
