import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand } from '../../../dist/deploy-hooks/parse-command.js';
import { throwsUsage } from '../expect-usage-error.ts';

test('parseCommand splits and unquotes like a shell, without one', () => {
  assert.deepEqual(parseCommand('rake db:migrate', '--pre-switch'), ['rake', 'db:migrate']);
  assert.deepEqual(parseCommand(`sh -c "migrate && seed | tee /tmp/log"`, '--pre-switch'), ['sh', '-c', 'migrate && seed | tee /tmp/log']);
  assert.deepEqual(parseCommand(`/opt/notify 'two words' "\\$HOME" a\\ b '*.txt'`, '--post-deploy'), ['/opt/notify', 'two words', '$HOME', 'a b', '*.txt']);
});

test('parseCommand refuses what only a shell would do, in one line that says to wrap a script', () => {
  for (const [command, what] of [
    ['migrate | tee log', '"|"'], ['migrate; seed', '";"'], ['migrate && seed', '"&&"'], ['migrate > log', '">"'], ['migrate &', '"&"'],
    ['ls *.txt', '"*.txt" (a glob)'], ['migrate # now', '"#" (a comment)'], ['echo $HOME', '$HOME would not be expanded'],
  ] as const) {
    throwsUsage(() => parseCommand(command, '--pre-switch'), '--pre-switch', what, 'put it in a script');
  }
  throwsUsage(() => parseCommand('', '--post-deploy'), '--post-deploy: the command is empty');
  throwsUsage(() => parseCommand('  ', '--post-deploy'), '--post-deploy: the command is empty');
});
