import assert from 'node:assert/strict';
import { test } from 'node:test';
import YAML from 'yaml';
import { escapeInterpolation, renderCompose } from '../../../dist/export/render-compose.js';
import type { ComposeFile } from '../../../dist/export/compose-file.js';

const file: ComposeFile = {
  services: {
    web: {
      image: 'img',
      command: ['sh', '-c', 'echo $HOME'],
      ports: ['80:50'],
      environment: { ON: 'on', PASS: null, PRICE: '$5' },
      deploy: { update_config: { order: 'start-first', failure_action: 'rollback' }, rollback_config: { order: 'start-first' } },
    },
  },
};

test('a literal $ is written $$, which compose reads back as $', () => {
  assert.deepEqual(escapeInterpolation({ a: ['$x', 1, null], b: 'no' }), { a: ['$$x', 1, null], b: 'no' });
});

test('the YAML reads back as the file, also as YAML 1.1 (docker-compose 1.x)', () => {
  const text = renderCompose({ file, notes: [] });
  const back = YAML.parse(text, { version: '1.1' }) as ComposeFile;
  assert.deepEqual(back.services.web?.ports, ['80:50']);
  assert.deepEqual(back.services.web?.environment, { ON: 'on', PASS: null, PRICE: '$$5' });
  assert.deepEqual(back.services.web?.command, ['sh', '-c', 'echo $$HOME']);
  assert.deepEqual(YAML.parse(text), back);
});

test('notes become comments: at the top, or above the key they are about', () => {
  const text = renderCompose({ file, notes: [{ text: 'about the file' }, { key: 'deploy', text: 'about deploy' }] });
  assert.match(text, /^# about the file\n/);
  assert.match(text, /\n {4}# about deploy\n {4}deploy:\n/);
});
