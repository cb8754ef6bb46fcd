import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { mergeEnv, parseEnvFile, readEnvFiles } from '../../../dist/options/env-file.js';
import { throwsUsage } from '../expect-usage-error.ts';

const daemonEnv = { HOME: '/root' };

test('lines are NAME=value taken literally; comments and blank lines are skipped', () => {
  const text = '\uFEFF# comment\n\nA=1\n  B=two words \nC="quoted"\nD=\nE=x=y\r\n   # indented comment\n';
  assert.deepEqual(parseEnvFile(text, 'app.env', daemonEnv), ['A=1', 'B=two words ', 'C="quoted"', 'D=', 'E=x=y']);
});

test('a bare NAME passes the daemon\'s value through, or is left out', () => {
  assert.deepEqual(parseEnvFile('HOME\nMISSING\n', 'app.env', daemonEnv), ['HOME=/root']);
});

test('a line without a valid name is a usage error naming the file and line', () => {
  throwsUsage(() => parseEnvFile('A=1\n=oops\n', 'app.env', daemonEnv), '--env-file app.env: line 2');
  throwsUsage(() => parseEnvFile('MY VAR=1\n', 'app.env', daemonEnv), 'line 1 has no valid variable name');
});

test('files are read relative to the working directory, in order', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-envfile-'));
  try {
    fs.writeFileSync(path.join(dir, 'a.env'), 'A=1\nB=1\n');
    fs.writeFileSync(path.join(dir, 'b.env'), 'B=2\n');
    assert.deepEqual(readEnvFiles(['a.env', `${dir}/b.env`], dir, daemonEnv), ['A=1', 'B=1', 'B=2']);
    throwsUsage(() => readEnvFiles(['missing.env'], dir, daemonEnv), '--env-file missing.env: cannot read it (ENOENT)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('mergeEnv: a later value of a name wins, in first-seen order', () => {
  assert.deepEqual(mergeEnv(['A=1', 'B=1'], ['B=2', 'C=3']), ['A=1', 'B=2', 'C=3']);
});
