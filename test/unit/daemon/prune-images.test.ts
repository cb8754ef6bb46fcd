import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Docker from 'dockerode';
import { pruneImages } from '../../../dist/daemon/prune-images.js';
import { KeepBuiltImages } from '../../../dist/defaults.js';
import { captureLog } from '../../helpers/capture-log.ts';

/** An engine whose images refuse removal as Docker does: 409 with its message, or 404. */
function engine(refusals: Record<string, { statusCode: number; message: string }>): { docker: Docker; removed: string[] } {
  const removed: string[] = [];
  const docker = {
    getImage: (id: string) => ({
      async remove() {
        const refusal = refusals[id];
        if (refusal) throw Object.assign(new Error(refusal.message), { statusCode: refusal.statusCode });
        removed.push(id);
      },
    }),
  } as unknown as Docker;
  return { docker, removed };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `sha256:${String(i).padStart(64, '0')}`);

test('an image a draining container still uses is tried again next time; one tagged elsewhere is forgotten', async () => {
  const built = ids(KeepBuiltImages + 3);
  const [inUse, tagged, free] = built;
  const { docker, removed } = engine({
    [inUse!]: { statusCode: 409, message: '(HTTP code 409) unexpected - conflict: unable to delete 0000 (must be forced) - image is being used by stopped container abc' },
    [tagged!]: { statusCode: 409, message: '(HTTP code 409) unexpected - conflict: unable to delete 0000 (must be forced) - image is referenced in multiple repositories' },
  });
  const { log, text } = captureLog();
  const remaining = await pruneImages(docker, built, new Set(), log);
  assert.deepEqual(removed, [free]);
  assert.deepEqual(remaining, [inUse, ...built.slice(3)]);
  assert.match(text(), /kept old image .*multiple repositories/);
});
