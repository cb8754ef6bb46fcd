import type Docker from 'dockerode';
import { KeepBuiltImages } from '../defaults.js';
import { shortId } from '../docker.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { LiveState } from '../state/live-state.js';

/**
 * Removes images hanoverd built beyond the newest few, never the live or the previous
 * one (rollback needs it). Updates `state.built`.
 */
export async function pruneBuiltImages(docker: Docker, state: LiveState, log: Logger): Promise<void> {
  const protect = new Set([state.live?.imageId, state.previous?.imageId]);
  const candidates = state.built.filter((id) => !protect.has(id));
  const excess = candidates.slice(0, Math.max(0, candidates.length - KeepBuiltImages));
  for (const id of excess) {
    try {
      await docker.getImage(id).remove();
      log.info(`pruned old image ${shortId(id)}`);
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 404) {
        log.warn(`could not prune image ${shortId(id)}: ${describeError(error)}`);
        continue;
      }
    }
    state.built = state.built.filter((built) => built !== id);
  }
}
