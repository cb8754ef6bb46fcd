import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { inForeground } from '../../../dist/cli/stdin-eof.js';

test('foreground means the process group is the terminal\'s foreground group', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-stat-'));
  try {
    const stat = (text: string) => {
      fs.writeFileSync(path.join(dir, 'stat'), text);
      return inForeground(path.join(dir, 'stat'));
    };
    // pid (comm) state ppid pgrp session tty_nr tpgid ...
    assert.equal(stat('4121 (node) S 4000 4121 4000 34816 4121 4194304 0 0'), true);
    assert.equal(stat('4121 (node) S 4000 4121 4000 34816 4000 4194304 0 0'), false);
    // No controlling terminal: tpgid is -1.
    assert.equal(stat('4121 (node) S 1 4121 4121 0 -1 4194304 0 0'), false);
    // A command name with spaces and parentheses does not shift the fields.
    assert.equal(stat('4121 (a) b (c) S 4000 77 4000 34816 77 0'), true);
    assert.equal(inForeground(path.join(dir, 'missing')), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
