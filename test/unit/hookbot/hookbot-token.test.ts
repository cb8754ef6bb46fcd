import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseArgs } from '../../../dist/cli/parse-args.js';
import { UsageError } from '../../../dist/errors.js';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const command = await parseArgs(argv, '/srv/app', env);
  assert.ok(command && command.kind === 'run');
  return command.config;
}

test('--hookbot-token-file puts the token into the URL, never onto the command line', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-token-'));
  try {
    fs.writeFileSync(path.join(dir, 'token'), '0123abcdef\n', { mode: 0o600 });
    const url = 'wss://hookbot.example.com/sub/github.com/repo/acme/shop/branch/main';
    const config = await run(['--hookbot', url, '--hookbot-token-file', path.join(dir, 'token'), '--git-url-base', '/srv/git']);
    assert.equal(config.hookbot?.endpoint.authorization, `Basic ${Buffer.from('0123abcdef:').toString('base64')}`);
    assert.equal(config.hookbot?.endpoint.redacted, 'wss://***@hookbot.example.com/sub/github.com/repo/acme/shop/branch/main');
    // With HOOKBOT_URL, and a path relative to the working directory.
    const fromEnv = await parseArgs(['--hookbot-token-file', path.relative('/srv/app', path.join(dir, 'token'))], '/srv/app', { HOOKBOT_URL: 'wss://h/sub/hanoverd/cwd' });
    assert.ok(fromEnv?.kind === 'run' && fromEnv.config.hookbot?.endpoint.authorization === `Basic ${Buffer.from('0123abcdef:').toString('base64')}`);

    const refused = async (argv: string[], message: RegExp, env: NodeJS.ProcessEnv = {}) => {
      await assert.rejects(parseArgs(argv, '/srv/app', env), (error: Error) => error instanceof UsageError && message.test(error.message) && !error.message.includes('0123abcdef'));
    };
    await refused(['--hookbot-token-file', path.join(dir, 'token')], /--hookbot-token-file needs a hookbot URL/);
    await refused(['--hookbot', `wss://T@h/sub/hanoverd/cwd`, '--hookbot-token-file', path.join(dir, 'token')], /holds a token already/);
    await refused(['--hookbot', url, '--hookbot-token-file', path.join(dir, 'missing')], /cannot read it \(ENOENT\)/);
    fs.writeFileSync(path.join(dir, 'token'), 'two words\n');
    await refused(['--hookbot', url, '--hookbot-token-file', path.join(dir, 'token')], /must hold one hookbot token/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
