import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appNameFrom, defaultAppName, validateAppName } from '../../dist/app-name.js';
import { throwsUsage } from './expect-usage-error.ts';

// Docker's grammar for one path component of an image name; the build uses the app name as its tag.
const REPO_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

describe('appNameFrom', () => {
  const cases: Array<[string, string]> = [
    ['hello', 'hello'],
    ['My App', 'my-app'],
    ['My  App (v2)!', 'my-app-v2'],
    ['--web_site.example--', 'web-site-example'],
    ['_hidden', 'hidden'],
    ['Ünïcode-app', 'n-code-app'],
    ['x'.repeat(50), 'x'.repeat(40)],
  ];
  for (const [text, name] of cases) {
    test(`${JSON.stringify(text)} gives ${name}`, () => assert.equal(appNameFrom(text), name));
  }

  for (const text of ['', '...', '!!!', '---']) {
    test(`rejects ${JSON.stringify(text)}`, () => throwsUsage(() => appNameFrom(text), `"${text}"`, '--name'));
  }

  // BUG (src/app-name.ts:10): the name is trimmed of leading/trailing non-alphanumerics
  // before being cut to 40 characters, so the cut can leave a trailing "-", "." or "_".
  // Fix: slice(0, 40) first, then strip the trailing punctuation.
  test('does not end in punctuation after cutting to 40 characters', () => {
    assert.equal(appNameFrom(`${'a'.repeat(39)}-b`), 'a'.repeat(39));
  });
});

describe('validateAppName', () => {
  for (const name of ['a', 'hello', 'hello-2', 'my_app.v2', '0day', 'x'.repeat(40)]) {
    test(`accepts ${name}`, () => assert.equal(validateAppName(name), name));
  }
  for (const name of ['', 'Hello', '-app', '.app', 'my app', 'app/x', 'app:1', 'x'.repeat(41)]) {
    test(`rejects ${JSON.stringify(name)}`, () => throwsUsage(() => validateAppName(name), `--name "${name}"`));
  }

  // BUG (src/app-name.ts:15, used as the build tag in src/cli/parse-args.ts:49): names
  // such as "app-", "my..app" or "my_-app" pass, and appNameFrom("my_-app") produces one,
  // but they are not valid image names, so `docker build -t` fails with "invalid reference
  // format" only when the daemon builds. Fix: also require each name to match Docker's
  // path-component grammar /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/ (and make appNameFrom
  // collapse runs of separators), or tag builds with a sanitised name.
  test('only accepts names that are valid image repository names', () => {
    for (const name of ['app-', 'my..app', 'my_-app']) throwsUsage(() => validateAppName(name), name);
    assert.match(appNameFrom('my_-app'), REPO_COMPONENT);
  });
});

describe('defaultAppName', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['/home/me/Projects/My Site', undefined, 'my-site'],
    ['/srv/hello', 'nginx', 'nginx'],
    ['/srv/hello', 'localhost:5000/team/web-app', 'web-app'],
    ['/srv/hello', '', 'hello'],
  ];
  for (const [cwd, repo, name] of cases) {
    test(`${cwd} with repo ${JSON.stringify(repo)} gives ${name}`, () => {
      const derived = defaultAppName(cwd, repo);
      assert.equal(derived, name);
      assert.match(derived, REPO_COMPONENT);
    });
  }

  test('rejects a directory it cannot name', () => throwsUsage(() => defaultAppName('/', undefined), 'pass --name'));
});
