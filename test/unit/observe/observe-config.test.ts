import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../../../dist/cli/parse-args.js';
import { UsageError } from '../../../dist/errors.js';
import { parseImageRef } from '../../../dist/options/image-ref.js';
import { parseObserveOptions } from '../../../dist/observe/observe-config.js';
import { throwsUsage } from '../expect-usage-error.ts';

const pulled = { kind: 'pull', ref: parseImageRef('registry.example:5000/shop:prod') };
const built = { kind: 'build' };

test('no flags: nothing to observe', () => {
  assert.deepEqual(parseObserveOptions({}, built), { notify: [] });
});

test('every flag, validated and parsed', () => {
  const config = parseObserveOptions({
    'metrics-listen': '127.0.0.1:9100',
    notify: ['https://hooks.example.com/services/T/B/X', 'http://u:p@127.0.0.1:9000/hook'],
    'pre-switch': `bin/rails db:migrate 'RAILS_ENV=production'`,
    'pre-switch-timeout': '90s',
    'post-deploy': '/usr/local/bin/announce --channel ops',
    poll: '30s',
  }, pulled);
  assert.deepEqual(config.metricsListen, { host: '127.0.0.1', port: 9100 });
  assert.deepEqual(config.notify.map((target) => target.label), ['https://hooks.example.com/services/…', 'http://***@127.0.0.1:9000/hook']);
  assert.deepEqual(config.preSwitch, { argv: ['bin/rails', 'db:migrate', 'RAILS_ENV=production'], timeoutMs: 90_000 });
  assert.deepEqual(config.postDeploy, { argv: ['/usr/local/bin/announce', '--channel', 'ops'], timeoutMs: 300_000 });
  assert.equal(config.pollMs, 30_000);
  assert.equal(parseObserveOptions({ notify: 'http://127.0.0.1/one' }, built).notify.length, 1, 'a single --notify may arrive as a string');
  assert.equal(parseObserveOptions({ 'pre-switch': 'migrate' }, built).preSwitch?.timeoutMs, 300_000, '--pre-switch-timeout defaults to 5m');
});

test('bad values are one line naming the flag', () => {
  throwsUsage(() => parseObserveOptions({ 'metrics-listen': '9100' }, built), '--metrics-listen "9100"');
  throwsUsage(() => parseObserveOptions({ notify: ['ftp://x/y'] }, built), '--notify ftp://x/y', 'http://');
  throwsUsage(() => parseObserveOptions({ 'pre-switch': 'migrate && seed' }, built), '--pre-switch', '"&&"', 'script');
  throwsUsage(() => parseObserveOptions({ 'post-deploy': 'notify | tee' }, built), '--post-deploy', '"|"');
  throwsUsage(() => parseObserveOptions({ 'pre-switch': 'migrate', 'pre-switch-timeout': 'soon' }, built), '--pre-switch-timeout', 'not a duration');
  throwsUsage(() => parseObserveOptions({ 'pre-switch': 'migrate', 'pre-switch-timeout': '0s' }, built), '--pre-switch-timeout must be more than 0');
  throwsUsage(() => parseObserveOptions({ 'pre-switch-timeout': '1m' }, built), '--pre-switch-timeout needs --pre-switch');
  throwsUsage(() => parseObserveOptions({ 'pre-switch': ['a', 'b'] }, built), '--pre-switch was given 2 times');
  throwsUsage(() => parseObserveOptions({ poll: '30s' }, built), '--poll needs an image to pull');
  throwsUsage(() => parseObserveOptions({ poll: '30s' }, { kind: 'git' }), '--poll needs an image to pull');
  throwsUsage(() => parseObserveOptions({ poll: '30s' }, { kind: 'pull', ref: parseImageRef(`shop@sha256:${'a'.repeat(64)}`) }), 'names a digest', 'name a tag');
  throwsUsage(() => parseObserveOptions({ poll: '100ms' }, pulled), '--poll 100ms: poll at most once a second');
  throwsUsage(() => parseObserveOptions({ poll: 'often' }, pulled), '--poll', 'not a duration');
});

test('parseArgs takes the flags, --notify one value each, and validates them', async () => {
  const command = await parseArgs(['--notify', 'http://127.0.0.1:9/a', '--notify=http://127.0.0.1:9/b', '--poll', '3s', '--metrics-listen', ':9100', 'registry.example:5000/shop:prod'], '/srv/app', {});
  assert.ok(command?.kind === 'run');
  assert.equal(command.config.source.kind, 'pull', 'the image after --notify URL is still the image');
  assert.deepEqual(command.config.observe?.notify.map((target) => target.url), ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b']);
  await assert.rejects(parseArgs(['--poll', '3s'], '/srv/app', {}), (error: unknown) => error instanceof UsageError && /--poll needs an image to pull/.test(error.message));
  await assert.rejects(parseArgs(['--pre-switch', 'a; b', 'shop:prod'], '/srv/app', {}), /--pre-switch "a; b": ";" needs a shell/);
  await assert.rejects(parseArgs(['--notify'], '/srv/app', {}), /Not enough arguments following: notify/);
});
