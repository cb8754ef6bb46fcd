import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppLabel, GenerationLabel, nextGeneration } from '../../../dist/container/labels.js';

type Containers = Parameters<typeof nextGeneration>[0];
const withLabels = (...labels: Array<Record<string, string>>): Containers =>
  labels.map((Labels) => ({ Labels })) as unknown as Containers;

test('labels are hanoverd.app and hanoverd.generation', () => {
  assert.equal(AppLabel, 'hanoverd.app');
  assert.equal(GenerationLabel, 'hanoverd.generation');
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
