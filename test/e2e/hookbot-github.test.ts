import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.ts';
import { createGitRepo, type TestGitRepo } from '../helpers/git-repo.ts';
import { startHookbotServer, type HookbotServer } from '../helpers/hookbot-server.ts';
import { appContainers, appRules, removeLeftovers } from '../helpers/leftovers.ts';
import { get, startLoad } from '../helpers/load.ts';
import { testPort } from '../helpers/ports.ts';

// `--hookbot .../sub/github.com/repo/OWNER/REPO/branch/main#app` against a hookbot-compatible
// server and a local bare repository: the first deploy builds the branch head, a push
// message deploys exactly its commit, malformed and branch-deleted messages are ignored,
// and a push made while disconnected is found after the reconnect. The app directory holds
// runtime/Dockerfile, so every version is a runtime image built from the builder's output.
const name = `hte2e-gh-${randomBytes(3).toString('hex')}`;
const topic = `github.com/repo/hte2e/${name}/branch/main`;
const port = testPort();
const base = `http://127.0.0.1:${port}`;
let server: HookbotServer;
let remote: TestGitRepo;
let daemon: DaemonProcess;
let workDir: string;
const shas: string[] = [];

const BUILDER = [
  'FROM scratch',
  'COPY busybox /bin/busybox',
  'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
  'COPY busybox /runtime/bin/busybox',
  'COPY www /runtime/www',
  'COPY runtime/Dockerfile /runtime/Dockerfile',
  'CMD ["tar", "-cf", "-", "-C", "/runtime", "."]',
  '',
].join('\n');
const RUNTIME = [
  'FROM scratch',
  'COPY bin /bin',
  'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
  'COPY www /www',
  'EXPOSE 80',
  'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]',
  '',
].join('\n');
const ENV_CGI = "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'; env | sort\n";

const push = (sha: string, extra: Record<string, unknown> = {}) => JSON.stringify({ Type: 'push', Repo: `hte2e/${name}`, Branch: 'main', SHA: sha, Who: 'alice', ...extra });

async function imageTags(): Promise<string[]> {
  const { stdout } = await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', name], { reject: false });
  return stdout.split('\n').filter(Boolean);
}

before(async () => {
  server = await startHookbotServer();
  remote = await createGitRepo('hte2e', name);
  for (const version of ['v1', 'v2']) {
    shas.push(await remote.commit({
      'app/busybox': fs.readFileSync('/bin/busybox'),
      'app/Dockerfile': BUILDER,
      'app/runtime/Dockerfile': RUNTIME,
      'app/www/index.html': 'ok\n',
      'app/www/version': `${version}\n`,
      'app/www/cgi-bin/env': ENV_CGI,
    }, version));
  }
  await remote.setBranch('main', shas[0]!);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-hookbot-gh-'));
  daemon = startDaemon(workDir, [
    '--hookbot', `${server.subUrl(topic)}#app`, '-p', `${port}:80`, '--git-url-base', remote.base,
    '--state-dir', path.join(workDir, 'state'), '--overlap-grace-duration', '200ms',
  ]);
});

after(async () => {
  try {
    await daemon?.stop();
  } finally {
    await removeLeftovers(name, await imageTags());
    await server?.close();
    remote?.remove();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  }
});

test('the first deploy builds the branch head as a runtime image, named after the repository', async () => {
  await daemon.waitForLog(new RegExp(`traffic switched to ${name}-1\\b`), 120_000);
  assert.equal((await get(`${base}/version`)).body, 'v1');
  const env = (await get(`${base}/cgi-bin/env`)).body.split('\n');
  assert.ok(env.includes(`HANOVERD_IMAGE=${name}:${shas[0]!.slice(0, 12)}`), env.join('\n'));
  assert.match(daemon.log(), /running .*:[0-9a-f]{12}-build to make the build context of the runtime image/);
  await server.waitForSubscribers(topic);
  assert.equal(server.attempts.at(-1)?.url, `/sub/${topic}`);
  assert.ok(!daemon.log().includes(server.token), 'the token reached the log');
  assert.deepEqual(fs.readdirSync(path.join(workDir, '.hanoverd/git/build')), [], 'build directories are removed');
});

test('malformed and branch-deleted messages are logged and ignored', async () => {
  const from = daemon.log().length;
  server.publish(topic, '{not json');
  await daemon.waitForLog(/ignoring a malformed message on .*: not JSON/, 10_000, from);
  server.publish(topic, push('--upload-pack=touch /tmp/x'));
  await daemon.waitForLog(/ignoring a malformed message on .*is not a commit id/, 10_000, from);
  server.publish(topic, push('0'.repeat(40)));
  await daemon.waitForLog(/alice deleted branch main; ignored/, 10_000, from);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.doesNotMatch(daemon.log().slice(from), /deploying \(/);
});

test('a push message deploys exactly that commit, with no failed request', async () => {
  await remote.setBranch('main', shas[1]!);
  const load = startLoad(`${base}/version`, { concurrency: 4, maxMs: 120_000 });
  const from = daemon.log().length;
  server.publish(topic, push(shas[1]!));
  await daemon.waitForLog(new RegExp(`deploying \\(hookbot: alice pushed ${shas[1]!.slice(0, 12)} to main\\)`), 10_000, from);
  await daemon.waitForLog(new RegExp(`${name}-1 stopped and removed`), 120_000, from);
  const result = await load.stop();
  assert.deepEqual(result.errors.slice(0, 5), []);
  assert.equal(result.failed, 0);
  assert.deepEqual([...result.bodies.keys()], ['v1', 'v2']);
  const env = (await get(`${base}/cgi-bin/env`)).body.split('\n');
  assert.ok(env.includes(`HANOVERD_IMAGE=${name}:${shas[1]!.slice(0, 12)}`));
});

test('a push missed while disconnected is found after the reconnect and deployed', async () => {
  const from = daemon.log().length;
  server.refuse(true, topic);
  server.drop(topic);
  await daemon.waitForLog(/connection closed by hookbot.*reconnecting in/, 10_000, from);
  // Pushed while hanoverd is away: hookbot keeps nothing for it.
  await remote.setBranch('main', shas[0]!);
  server.refuse(false, topic);
  await daemon.waitForLog(/hookbot: reconnected to/, 30_000, from);
  await daemon.waitForLog(new RegExp(`deploying \\(hookbot: update missed while disconnected \\(main is at ${shas[0]!.slice(0, 12)}\\)\\)`), 30_000, from);
  await daemon.waitForLog(new RegExp(`traffic switched to ${name}-3\\b`), 120_000, from);
  assert.equal((await get(`${base}/version`)).body, 'v1');
});

test('SIGTERM leaves nothing behind', async () => {
  assert.equal(await daemon.stop(), 0);
  assert.deepEqual(await appContainers(name), []);
  assert.deepEqual(await appRules(name), []);
  assert.ok(!daemon.log().includes(server.token));
});
