import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseImageRef, pullReference, type ImageRef } from '../../../dist/options/image-ref.js';
import { throwsUsage } from '../expect-usage-error.ts';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseImageRef', () => {
  const valid: Array<[string, Omit<ImageRef, 'name'>]> = [
    ['nginx', { repo: 'nginx', tagDigest: '', registry: undefined }],
    ['nginx:1.25-alpine', { repo: 'nginx', tagDigest: '1.25-alpine', registry: undefined }],
    ['library/nginx:latest', { repo: 'library/nginx', tagDigest: 'latest', registry: undefined }],
    [`nginx@${digest}`, { repo: 'nginx', tagDigest: digest, registry: undefined }],
    [`nginx:1.25@${digest}`, { repo: 'nginx', tagDigest: digest, registry: undefined }],
    ['localhost:5000/team/app:prod', { repo: 'localhost:5000/team/app', tagDigest: 'prod', registry: 'localhost:5000' }],
    ['localhost/app', { repo: 'localhost/app', tagDigest: '', registry: 'localhost' }],
    ['ghcr.io/org/my_app__x:v1.0', { repo: 'ghcr.io/org/my_app__x', tagDigest: 'v1.0', registry: 'ghcr.io' }],
    ['registry.example.com:443/a/b/c', { repo: 'registry.example.com:443/a/b/c', tagDigest: '', registry: 'registry.example.com:443' }],
    // Like docker: "localhost:5000" alone is the repo "localhost" with tag "5000".
    ['localhost:5000', { repo: 'localhost', tagDigest: '5000', registry: undefined }],
  ];
  for (const [name, expected] of valid) {
    test(`parses ${name}`, () => assert.deepEqual(parseImageRef(name), { name, ...expected }));
  }

  const invalid = ['', 'App', 'team/MyApp:1', 'my app', 'app:', 'app@', 'app@sha256:abc', 'app:-tag', '/app', 'app/', 'a:b:c', 'app:' + 't'.repeat(129)];
  for (const name of invalid) {
    test(`rejects ${JSON.stringify(name)}`, () => throwsUsage(() => parseImageRef(name), `image "${name}" is not a valid reference`));
  }
});

describe('pullReference', () => {
  test('pulls latest when no tag or digest was given', () => {
    assert.equal(pullReference(parseImageRef('nginx')), 'nginx:latest');
    assert.equal(pullReference(parseImageRef('localhost:5000/team/app')), 'localhost:5000/team/app:latest');
  });

  test('pulls the name as given otherwise', () => {
    for (const name of ['nginx:1.25', 'localhost:5000/team/app:prod', `nginx@${digest}`]) {
      assert.equal(pullReference(parseImageRef(name)), name);
    }
  });
});
