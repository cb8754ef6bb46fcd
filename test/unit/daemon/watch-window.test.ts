import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WatchWindow } from '../../../dist/daemon/watch-window.js';

const ok = { ok: true } as const;
const bad = { ok: false, reason: 'HTTP 500' } as const;

test('rolls back after N failures in a row', () => {
  const window = new WatchWindow(3);
  assert.equal(window.observe(bad), undefined);
  assert.equal(window.observe(bad), undefined);
  assert.equal(window.observe(bad), 'HTTP 500 (3 checks in a row)');
});

test('a good check in between starts the count again', () => {
  const window = new WatchWindow(2);
  assert.equal(window.observe(bad), undefined);
  assert.equal(window.observe(ok), undefined);
  assert.equal(window.observe(bad), undefined);
  assert.equal(window.observe(bad), 'HTTP 500 (2 checks in a row)');
});

test('at least one failure is needed', () => {
  assert.equal(new WatchWindow(0).observe(bad), 'HTTP 500 (1 check in a row)');
  assert.equal(new WatchWindow(0).observe(ok), undefined);
});
