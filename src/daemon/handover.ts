import type { RunningContainer } from '../container/start-container.js';
import { shortId } from '../docker.js';
import type { Backend } from '../firewall/rules.js';
import type { Logger } from '../log.js';
import type { BuiltImage } from '../source/build-image.js';
import type { Phase, PhaseName } from '../state/history.js';
import type { ImageSource, Trigger } from '../trigger.js';
import type { Engine } from './engine.js';

/** How one deploy attempt ended. It never throws: whatever fails, fails this attempt only. */
export type Outcome =
  | { kind: 'live'; version: RunningContainer; phases: Phase[] }
  | { kind: 'unchanged'; image: BuiltImage; phases: Phase[] }
  | { kind: 'failed'; error: unknown; image?: BuiltImage; container?: string; phases: Phase[] }
  | { kind: 'cancelled'; reason: unknown; image?: BuiltImage; container?: string; phases: Phase[] };

export interface HandoverSteps {
  engine: Engine;
  traffic: { prepare(bridge: string): Promise<void>; switchTo(backends: readonly Backend[]): Promise<void> };
  log: Logger;
  /** The generation number of the next container, `<app>-<n>`. */
  nextGeneration(): Promise<number>;
  /** Runs in the ready version before any traffic reaches it (--pre-switch); a throw fails the version. */
  beforeSwitch?(version: RunningContainer, signal: AbortSignal): Promise<void>;
  /** Reached the switch: from here a newer trigger waits for its turn instead of cancelling this one. */
  onCommit(): void;
}

export const backendOf = (version: RunningContainer): Backend => ({ name: version.name, ip: version.ip, bridge: version.bridge });

async function timed<T>(phases: Phase[], name: PhaseName, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  phases.push({ name, ms: Math.round(performance.now() - started) });
  return result;
}

/**
 * One deploy attempt, the README's steps in order: obtain an image, start a container
 * from it and wait until it is ready, then switch traffic to it. A version that does not
 * get traffic is removed; the live one is never touched here.
 */
export interface Attempt {
  trigger: Trigger;
  source: ImageSource;
  /** What runs now (when the image turns out unchanged on start, it is kept). */
  live: RunningContainer | undefined;
  /** Where traffic goes once `version` is ready: it alone, or it beside the live one (canary). Asked at the switch. */
  backendsFor(version: RunningContainer): Backend[];
  signal: AbortSignal;
}

export async function handover(steps: HandoverSteps, { trigger, source, live, backendsFor, signal }: Attempt): Promise<Outcome> {
  const phases: Phase[] = [];
  let image: BuiltImage | undefined;
  let version: RunningContainer | undefined;
  try {
    image = await timed(phases, 'obtain', () => steps.engine.obtain(source, signal));
    steps.log.info(`image ${image.name} (${shortId(image.id)}) obtained in ${phases.at(-1)!.ms}ms`);
    if (trigger.reason === 'start' && live?.image.id === image.id) return { kind: 'unchanged', image, phases };
    const generation = await steps.nextGeneration();
    const started = image;
    version = await steps.engine.start(started, generation, phases, signal, (v) => steps.traffic.prepare(v.bridge));
    signal.throwIfAborted();
    await steps.beforeSwitch?.(version, signal);
    signal.throwIfAborted();
    steps.onCommit();
    const ready = version;
    await timed(phases, 'switch', () => steps.traffic.switchTo(backendsFor(ready)));
    return { kind: 'live', version, phases };
  } catch (error) {
    if (version) await steps.engine.remove(version, 0).catch((removeError: unknown) => steps.log.warn(`removing ${version?.name} failed: ${String(removeError)}`));
    const container = version?.name;
    const where = { ...(image ? { image } : {}), ...(container ? { container } : {}), phases };
    return signal.aborted ? { kind: 'cancelled', reason: signal.reason, ...where } : { kind: 'failed', error, ...where };
  }
}
