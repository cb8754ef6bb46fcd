import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppLabel, GenerationLabel, nextGeneration, versionLabels } from '../../dist/labels.js';

type Containers = Parameters<typeof nextGeneration>[0];
const withLabels = (...labels: Array<Record<string, string>>): Containers =>
  labels.map((Labels) => ({ Labels })) as unknown as Containers;

test('labels are hanoverd.app and hanoverd.generation', () => {
  assert.equal(AppLabel, 'hanoverd.app');
  assert.equal(GenerationLabel, 'hanoverd.generation');
});

test('a version carries the original hanoverd labels as well as its own', () => {
  assert.deepEqual(versionLabels('shop', 7, undefined), {
    'hanoverd.app': 'shop',
    'hanoverd.generation': '7',
    orchestrator: 'hanoverd',
    'hanoverd-name': 'shop-7',
  });
});

test('user labels come first and never replace hanoverd\'s; the first network is recorded', () => {
  const labels = versionLabels('shop', 2, 'backend', { team: 'web', 'hanoverd.app': 'other' });
  assert.equal(labels.team, 'web');
  assert.equal(labels['hanoverd.app'], 'shop');
  assert.equal(labels['hanoverd.network'], 'backend');
});

const cases: Array<[string, Containers, number]> = [
  ['starts at 1', withLabels(), 1],
  ['follows the highest generation, whatever the order', withLabels({ [GenerationLabel]: '3' }, { [GenerationLabel]: '7' }, { [GenerationLabel]: '5' }), 8],
  ['counts a container without the label as generation 0', withLabels({ [AppLabel]: 'hello' }), 1],
  ['skips labels that are not numbers', withLabels({ [GenerationLabel]: 'abc' }, { [GenerationLabel]: '2' }), 3],
  ['skips a generation that is not finite', withLabels({ [GenerationLabel]: 'Infinity' }), 1],
];
for (const [name, containers, expected] of cases) {
  test(name, () => assert.equal(nextGeneration(containers), expected));
}
