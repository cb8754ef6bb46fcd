import type Docker from 'dockerode';
import { KeepBuiltImages } from '../defaults.js';
import { shortId } from '../docker.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * Removes the images hanoverd built or pulled beyond the newest few, never one in `keep`
 * (the live and previous versions': rollback needs them). An image a container still uses
 * (an old version still draining) is tried again next time; one tagged elsewhere is left to
 * the engine's refusal and forgotten. Returns the IDs that are still there, oldest first.
 */
export async function pruneImages(docker: Docker, built: readonly string[], keep: ReadonlySet<string>, log: Logger): Promise<string[]> {
  const candidates = built.filter((id) => !keep.has(id));
  const excess = new Set(candidates.slice(0, Math.max(0, candidates.length - KeepBuiltImages)));
  const remaining: string[] = [];
  for (const id of built) {
    if (!excess.has(id)) {
      remaining.push(id);
      continue;
    }
    try {
      await docker.getImage(id).remove();
      log.info(`pruned old image ${shortId(id)}`);
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) continue;
      if (usedByContainer(error)) {
        remaining.push(id);
        continue;
      }
      // Tagged elsewhere: not ours alone to remove; forget it.
      log.info(`kept old image ${shortId(id)}: ${describeError(error)}`);
    }
  }
  return remaining;
}

/** Docker's 409 for an image a container (running or stopped) still uses, as opposed to one with other tags. */
function usedByContainer(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 409 && /being used by|is using its referenced image/.test(describeError(error));
}
