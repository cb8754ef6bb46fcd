import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageEnv } from '../../../dist/container/image-env.js';

const digest = `sha256:${'ab'.repeat(32)}`;
const cases: Array<[string, string, string]> = [
  // image, repo, tag or digest
  // No tag is Docker's `latest`, as the original hanoverd reported it.
  ['nginx', 'nginx', 'latest'],
  ['nginx:1.25', 'nginx', '1.25'],
  [`nginx@${digest}`, 'nginx', digest],
  ['localhost:5000/team/app:prod', 'localhost:5000/team/app', 'prod'],
  ['localhost:5000/team/app', 'localhost:5000/team/app', 'latest'],
  [`localhost:5000/app@${digest}`, 'localhost:5000/app', digest],
  // As Docker's old ParseRepositoryTag: with a digest, everything before "@" is the repo.
  [`app:v1@${digest}`, 'app:v1', digest],
];
for (const [image, repo, tagDigest] of cases) {
  test(`splits ${image}`, () => {
    assert.deepEqual(imageEnv(image), [
      `HANOVERD_IMAGE=${image}`,
      `HANOVERD_IMAGE_REPO=${repo}`,
      `HANOVERD_IMAGE_TAGDIGEST=${tagDigest}`,
    ]);
  });
}
