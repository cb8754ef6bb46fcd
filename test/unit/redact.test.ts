import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeError, HanoverdError } from '../../dist/errors.js';
import { redactUrl, redactUrls } from '../../dist/redact.js';

const TOKEN = 's3cr3t-T0ken';

test('every spelling Node parses as a URL with userinfo is redacted', () => {
  const spellings = [
    `wss://${TOKEN}@h/sub/x`,
    ` wss://${TOKEN}@h/sub/x`,
    `\twss://${TOKEN}@h/sub/x \n`,
    `wss:${TOKEN}@h/sub/x`,
    `wss:/${TOKEN}@h/sub/x`,
    `wss:\\\\${TOKEN}@h/sub/x`,
    `WSS://${TOKEN}@h/sub/x`,
    `https://user:${TOKEN}@h/sub/x`,
    `https://${TOKEN}:@h/sub/x`,
    `https://:${TOKEN}@h/sub/x`,
    `https://a@b:${TOKEN}@h/sub/x`,
  ];
  for (const text of spellings) {
    // Each of them really is a URL with userinfo to Node (and so to ws and fetch).
    const url = new URL(text.trim());
    assert.ok(url.username !== '' || url.password !== '', text);
    const redacted = redactUrl(text);
    assert.ok(!redacted.includes(TOKEN), `${JSON.stringify(text)} -> ${redacted}`);
    assert.match(redacted, /^[a-z]+:\/\/\*\*\*@h\/sub\/x$/i, text);
  }
});

test('text that does not parse loses everything up to its last "@"', () => {
  assert.equal(redactUrl(`https://u:pa/ss${TOKEN}@h/x`), 'https://***@h/x');
  assert.equal(redactUrl(`wss://${TOKEN}@[bad/x`), 'wss://***@[bad/x');
  assert.equal(redactUrl('not a url'), 'not a url');
  assert.equal(redactUrl('https://h/a@b'), 'https://h/a@b');
});

test('URLs inside free text, as git and execa print them, are redacted', () => {
  const stderr = `fatal: unable to access 'https://bot:${TOKEN}@git.example.com/acme/shop.git/': Could not resolve host`;
  assert.equal(redactUrls(stderr), "fatal: unable to access 'https://***@git.example.com/acme/shop.git/': Could not resolve host");
  const command = `Command failed with exit code 128: git fetch --quiet -- https://bot:${TOKEN}@git.example.com/acme/shop.git +refs/heads/main:refs/heads/main`;
  assert.ok(!redactUrls(command).includes(TOKEN));
  assert.match(redactUrls(command), /-- https:\/\/\*\*\*@git\.example\.com\/acme\/shop\.git \+refs/);
  assert.equal(redactUrls('a user name too: ssh://git@github.com/a/b.git'), 'a user name too: ssh://***@github.com/a/b.git');
  assert.equal(redactUrls('no url here, 12:30 at noon'), 'no url here, 12:30 at noon');
});

test('describeError redacts, whatever the error carried', () => {
  const error = new HanoverdError('git fetch failed', { cause: new Error(`fatal: could not read from 'https://x:${TOKEN}@h/r.git'`) });
  assert.ok(!describeError(error).includes(TOKEN), describeError(error));
});
