import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStatusCodes } from '../../../dist/options/status-codes.js';
import { throwsUsage } from '../expect-usage-error.ts';

const cases: Array<[string, number[], number[]]> = [
  // spec, accepted, refused
  ['200', [200], [201, 204, 300, 500]],
  ['2xx', [200, 204, 299], [199, 300, 404]],
  ['2XX', [250], [350]],
  ['200,204,3xx', [200, 204, 301, 399], [201, 400]],
  [' 200 , 5xx ', [200, 503], [404]],
];
for (const [spec, accepted, refused] of cases) {
  test(`"${spec}" accepts ${accepted.join(' ')} and refuses ${refused.join(' ')}`, () => {
    const isReady = parseStatusCodes(spec);
    for (const status of accepted) assert.equal(isReady(status), true, `${status}`);
    for (const status of refused) assert.equal(isReady(status), false, `${status}`);
  });
}

const invalid: Array<[string, string]> = [
  ['', '""'],
  ['200,', '""'],
  ['ok', '"ok"'],
  ['600', '"600"'],
  ['99', '"99"'],
  ['6xx', '"6xx"'],
  ['20x', '"20x"'],
  ['2000', '"2000"'],
];
for (const [spec, item] of invalid) {
  test(`rejects "${spec}"`, () => throwsUsage(() => parseStatusCodes(spec), `--ready-status "${spec}"`, `${item} is not a status code`));
}
