import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseHookbotEndpoint, redactUrl } from '../../../dist/hookbot/hookbot-url.js';
import { parseWatchTarget } from '../../../dist/hookbot/watch-target.js';
import { throwsUsage } from '../expect-usage-error.ts';

const TOKEN = 's3cr3t-T0ken';

describe('parseHookbotEndpoint', () => {
  test('moves the token into a Basic header, out of the URL', () => {
    const endpoint = parseHookbotEndpoint(`wss://${TOKEN}@hookbot.example.com/sub/github.com/repo/acme/shop/branch/main`, 'sub', '--hookbot');
    assert.equal(endpoint.url, 'wss://hookbot.example.com/sub/github.com/repo/acme/shop/branch/main');
    assert.equal(endpoint.authorization, `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`);
    assert.equal(endpoint.topic, 'github.com/repo/acme/shop/branch/main');
    assert.equal(endpoint.fragment, '');
  });

  test('the redacted URL never holds the token', () => {
    for (const url of [
      `wss://${TOKEN}@hookbot.example.com/sub/hanoverd/cwd`,
      `https://${TOKEN}:x@hookbot.example.com/pub/docker-pull/r/tag/t`,
      `wss://${TOKEN}@hookbot.example.com/sub/github.com/repo/a/b/branch/main#sub/dir`,
    ]) {
      const endpoint = parseHookbotEndpoint(url, url.includes('/pub/') ? 'pub' : 'sub', '--hookbot');
      assert.ok(!endpoint.redacted.includes(TOKEN), endpoint.redacted);
      assert.ok(!endpoint.url.includes(TOKEN), endpoint.url);
      assert.match(endpoint.redacted, /\*\*\*@hookbot\.example\.com/);
    }
    assert.equal(redactUrl(`wss://${TOKEN}@h/x`), 'wss://***@h/x');
    assert.equal(redactUrl('not a url'), 'not a url');
  });

  test('errors never echo the token', () => {
    assert.throws(() => parseHookbotEndpoint(`ftp://${TOKEN}@h/sub/x`, 'sub', '--hookbot'), (error: Error) => !error.message.includes(TOKEN));
    assert.throws(() => parseHookbotEndpoint(`wss://${TOKEN}@h/nope/x`, 'sub', '--hookbot'), (error: Error) => !error.message.includes(TOKEN));
    assert.throws(() => parseHookbotEndpoint(`wss://${TOKEN}@h:99999/sub/x`, 'sub', '--hookbot'), (error: Error) => !error.message.includes(TOKEN));
  });

  test('http(s) maps to ws(s) for subscribing, ws(s) to http(s) for publishing', () => {
    assert.equal(parseHookbotEndpoint('http://h:8080/sub/t', 'sub', 'x').url, 'ws://h:8080/sub/t');
    assert.equal(parseHookbotEndpoint('https://h/sub/t', 'sub', 'x').url, 'wss://h/sub/t');
    assert.equal(parseHookbotEndpoint('wss://h/pub/t', 'pub', 'x').url, 'https://h/pub/t');
    assert.equal(parseHookbotEndpoint('http://h/sub/t', 'sub', 'x').authorization, undefined);
  });

  test('keeps the #fragment apart and accepts a path prefix', () => {
    const endpoint = parseHookbotEndpoint('wss://t@h/hookbot/sub/github.com/repo/a/b/branch/main#app/web', 'sub', 'x');
    assert.equal(endpoint.url, 'wss://h/hookbot/sub/github.com/repo/a/b/branch/main');
    assert.equal(endpoint.fragment, 'app/web');
  });

  test('rejects other schemes and paths', () => {
    throwsUsage(() => parseHookbotEndpoint('ftp://h/sub/t', 'sub', '--hookbot'), '--hookbot', 'ws://');
    throwsUsage(() => parseHookbotEndpoint('wss://h/pub/t', 'sub', '--hookbot'), '/sub/<topic>');
    throwsUsage(() => parseHookbotEndpoint('nonsense', 'sub', '--hookbot'), 'not a URL');
  });
});

describe('parseWatchTarget', () => {
  test('the three forms', () => {
    assert.deepEqual(parseWatchTarget('github.com/repo/acme/shop/branch/main', '', 'x'),
      { kind: 'git', host: 'github.com', owner: 'acme', repo: 'shop', branch: 'main', subdir: '' });
    assert.deepEqual(parseWatchTarget('github.com/repo/acme/shop/branch/feature/x', 'web/', 'x'),
      { kind: 'git', host: 'github.com', owner: 'acme', repo: 'shop', branch: 'feature/x', subdir: 'web' });
    const pull = parseWatchTarget('docker-pull/registry.example:5000/acme/shop/tag/prod', '', 'x');
    assert.equal(pull.kind, 'docker-pull');
    assert.equal(pull.kind === 'docker-pull' && pull.ref.name, 'registry.example:5000/acme/shop:prod');
    assert.equal(pull.kind === 'docker-pull' && pull.ref.registry, 'registry.example:5000');
    assert.deepEqual(parseWatchTarget('hanoverd/cwd', '', 'x'), { kind: 'cwd' });
  });

  test('anything else is a clear error', () => {
    throwsUsage(() => parseWatchTarget('something/else', '', '--hookbot'), 'unrecognised hookbot topic', '/sub/hanoverd/cwd');
    throwsUsage(() => parseWatchTarget('github.com/repo/acme/shop/branch/-x', '', '--hookbot'), 'not a valid branch');
    throwsUsage(() => parseWatchTarget('github.com/repo/acme/shop/branch/a..b', '', '--hookbot'), 'not a valid branch');
    throwsUsage(() => parseWatchTarget('github.com/repo/-acme/shop/branch/main', '', '--hookbot'), 'repository name');
    throwsUsage(() => parseWatchTarget('github.com/repo/acme/shop/branch/main', '../etc', '--hookbot'), 'relative directory');
    throwsUsage(() => parseWatchTarget('docker-pull/UPPER/tag/x', '', '--hookbot'), 'not an image reference');
  });
});
