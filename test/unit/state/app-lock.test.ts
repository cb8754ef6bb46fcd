import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { lockApp } from '../../../dist/state/app-lock.js';

const appName = () => `hte2e-b-lock-${randomBytes(4).toString('hex')}`;

test('two locks taken at once: exactly one wins, the other names the holder', async () => {
  const app = appName();
  const results = await Promise.allSettled([
    lockApp(app, { pid: 101, stateDir: '/state/one' }),
    lockApp(app, { pid: 102, stateDir: '/state/two' }),
  ]);
  const won = results.filter((result) => result.status === 'fulfilled');
  const lost = results.filter((result) => result.status === 'rejected');
  assert.equal(won.length, 1);
  assert.equal(lost.length, 1);
  const winner = results[0]!.status === 'fulfilled' ? { pid: 101, dir: '/state/one' } : { pid: 102, dir: '/state/two' };
  assert.equal((lost[0] as PromiseRejectedResult).reason.message,
    `another hanoverd is already running ${app} (pid ${winner.pid}, state ${winner.dir}); stop it first or use another --name`);
  await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  const again = await lockApp(app, { pid: 103, stateDir: '/state/three' });
  await again.release();
});

test('a lock whose holder was SIGKILLed is free at once', async () => {
  const app = appName();
  const lockModule = new URL('../../../dist/state/app-lock.js', import.meta.url).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e',
    `const { lockApp } = await import(${JSON.stringify(lockModule)}); await lockApp(${JSON.stringify(app)}, { pid: process.pid, stateDir: '/x' }); console.log('locked'); setInterval(() => {}, 1000);`,
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => { if (chunk.toString().includes('locked')) resolve(); });
      child.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
    });
    await assert.rejects(lockApp(app, { pid: process.pid, stateDir: '/y' }), new RegExp(`already running ${app} \\(pid ${child.pid}, state /x\\)`));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const lock = await lockApp(app, { pid: process.pid, stateDir: '/y' });
    await lock.release();
  } finally {
    child.kill('SIGKILL');
  }
});

test('a holder that does not say who it is is still refused', async () => {
  const net = await import('node:net');
  const app = appName();
  const squatter = net.createServer((connection) => connection.end('not json')).listen(`\0hanoverd/app/${app}`);
  await new Promise((resolve) => squatter.once('listening', resolve));
  try {
    await assert.rejects(lockApp(app, { pid: 1, stateDir: '/z' }), new RegExp(`another process holds the hanoverd lock for ${app} \\(abstract socket @hanoverd/app/${app}\\)`));
  } finally {
    squatter.close();
  }
});
