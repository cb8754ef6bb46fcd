import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGithubPush } from '../../../dist/hookbot/github-push.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const push = (fields: Record<string, unknown>) => Buffer.from(JSON.stringify({ Type: 'push', Repo: 'acme/shop', Branch: 'main', SHA, Who: 'alice', ...fields }));

test('a push to our branch', () => {
  assert.deepEqual(parseGithubPush(push({}), 'main'), { kind: 'push', sha: SHA, branch: 'main', who: 'alice' });
  assert.deepEqual(parseGithubPush(JSON.stringify({ SHA }), 'main'), { kind: 'push', sha: SHA, branch: 'main', who: 'someone' });
});

test('an all-zero SHA is a deleted branch', () => {
  assert.equal(parseGithubPush(push({ SHA: '0'.repeat(40) }), 'main').kind, 'deleted');
});

test('malformed payloads are invalid, with why', () => {
  const problem = (payload: Buffer | string) => {
    const result = parseGithubPush(payload, 'main');
    assert.equal(result.kind, 'invalid');
    return result.kind === 'invalid' ? result.problem : '';
  };
  assert.equal(problem('{oops'), 'not JSON');
  assert.equal(problem('[1]'), 'not a JSON object');
  assert.equal(problem('null'), 'not a JSON object');
  assert.match(problem(push({ SHA: 'HEAD' })), /not a commit id/);
  assert.match(problem(push({ SHA: '--upload-pack=evil' })), /not a commit id/);
  assert.match(problem(push({ SHA: SHA.toUpperCase() })), /not a commit id/);
  assert.match(problem(push({ SHA: undefined })), /no SHA/);
  assert.match(problem(push({ Branch: 'other' })), /branch other, not main/);
  assert.match(problem(push({ Type: 'pull_request' })), /not push/);
});

test('who is cleaned before it reaches the log', () => {
  const result = parseGithubPush(push({ Who: 'eve\n\u001b[31mred' }), 'main');
  assert.equal(result.kind === 'push' && result.who, 'eve??[31mred');
});
