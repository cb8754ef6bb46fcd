import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../../../dist/cli/parse-args.js';
import { UsageError } from '../../../dist/errors.js';

const URL_GIT = 'wss://TOKEN@hookbot.example.com/sub/github.com/repo/acme/shop/branch/main';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const command = await parseArgs(argv, '/srv/app', env);
  assert.ok(command && command.kind === 'run');
  return command.config;
}

test('--hookbot on a GitHub branch builds that repository, named after it', async () => {
  const config = await run(['--hookbot', `${URL_GIT}#web`, '-p', '80:8000', '--git-url-base', '/srv/git']);
  assert.equal(config.app, 'shop');
  assert.equal(config.source.kind, 'git');
  if (config.source.kind !== 'git') return;
  assert.equal(config.source.branch, 'main');
  assert.equal(config.source.subdir, 'web');
  assert.equal(config.source.repo.url, '/srv/git/acme/shop.git');
  assert.equal(config.source.repo.mirrorDir, '/srv/app/.hanoverd/git/github.com/acme/shop.git');
  assert.equal(config.hookbot?.endpoint.url, 'wss://hookbot.example.com/sub/github.com/repo/acme/shop/branch/main');
  assert.ok(!JSON.stringify(config.hookbot).includes('TOKEN'), 'the token is only in the Authorization header');
});

test('HOOKBOT_URL on a docker-pull topic pulls that tag; positionals are the container command', async () => {
  const config = await run(['serve'], { HOOKBOT_URL: 'wss://T@h/sub/docker-pull/registry.example:5000/acme/shop/tag/prod' });
  assert.equal(config.app, 'shop');
  assert.equal(config.source.kind === 'pull' && config.source.ref.name, 'registry.example:5000/acme/shop:prod');
  assert.deepEqual(config.container.command, ['serve']);
});

test('hanoverd/cwd builds the working directory; --name still wins', async () => {
  const config = await run(['--hookbot', 'wss://T@h/sub/hanoverd/cwd', '--name', 'web']);
  assert.equal(config.app, 'web');
  assert.deepEqual(config.source, { kind: 'build', dir: '/srv/app', tag: 'web' });
});

test('an unknown topic is a usage error that does not show the token', async () => {
  await assert.rejects(parseArgs(['--hookbot', 'wss://SECRET@h/sub/what/ever'], '/srv/app', {}), (error: Error) =>
    error instanceof UsageError && /unrecognised hookbot topic "what\/ever"/.test(error.message) && !error.message.includes('SECRET'));
});

test('builder: listen and notify URLs', async () => {
  const command = await parseArgs(['builder', '--listen', URL_GIT, '--docker-notify', 'https://TOKEN@h/pub/docker-pull/registry.example:5000/acme/shop/tag/main'], '/srv/app', {});
  assert.ok(command && command.kind === 'builder');
  assert.equal(command.config.image.name, 'registry.example:5000/acme/shop:main');
  assert.equal(command.config.notify.url, 'https://h/pub/docker-pull/registry.example:5000/acme/shop/tag/main');
  assert.equal(command.config.source.kind, 'git');
  await assert.rejects(parseArgs(['builder', '--listen', URL_GIT], '/srv/app', {}), /needs --docker-notify/);
  await assert.rejects(parseArgs(['builder', '--listen', URL_GIT, '--docker-notify', 'https://h/pub/other/x'], '/srv/app', {}), /pub\/docker-pull/);
});
