import assert from 'node:assert/strict';
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
