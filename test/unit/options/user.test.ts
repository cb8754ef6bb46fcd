import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUser, parseWorkdir } from '../../../dist/options/user.js';
import { throwsUsage } from '../expect-usage-error.ts';

for (const user of ['1000', '1000:1000', 'www-data', 'app:staff']) {
  test(`--user ${user}`, () => assert.equal(parseUser(user), user));
}
for (const user of ['', 'a b', '1:2:3', ':1']) {
  test(`rejects --user "${user}"`, () => throwsUsage(() => parseUser(user), `--user "${user}"`, 'name|uid[:group|gid]'));
}

test('--workdir must be absolute', () => {
  assert.equal(parseWorkdir('/srv/app'), '/srv/app');
  throwsUsage(() => parseWorkdir('app'), '--workdir "app": an absolute path');
});
