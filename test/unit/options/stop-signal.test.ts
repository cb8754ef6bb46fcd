import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStopSignal } from '../../../dist/options/stop-signal.js';
import { throwsUsage } from '../expect-usage-error.ts';

const valid: Array<[string, string]> = [['SIGQUIT', 'SIGQUIT'], ['quit', 'SIGQUIT'], ['3', '3'], ['SIGRTMIN+3', 'SIGRTMIN+3'], ['usr1', 'SIGUSR1']];
for (const [spec, signal] of valid) test(`--stop-signal ${spec}`, () => assert.equal(parseStopSignal(spec), signal));
for (const spec of ['SIGNOPE', '0', '65', '']) test(`rejects --stop-signal "${spec}"`, () => throwsUsage(() => parseStopSignal(spec), `--stop-signal "${spec}": not a signal`));
