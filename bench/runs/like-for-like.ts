// Like for like: how soon a new version of a *prebuilt* image serves, against what no
// handover can beat, `docker run` of that image until its first 200 (the floor).
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../harness/bench-context.ts';
import { now } from '../harness/say.ts';
import { firstNewConnection } from '../load/probe.ts';
import { wrk } from '../load/wrk.ts';
import { APP_PORT, containerIp, docker, runApp } from '../systems/system.ts';

/**
 * `docker run -d` of the app image, then a new connection to its address every 10 ms (as
 * the handover runs poll) until one is answered 200: ms from the start of `docker run`.
 * The address is read right after `docker run` returns, while the app is still starting.
 */
export async function dockerRunFloor(ctx: BenchContext, name: string, publishAll = false): Promise<number> {
  const started = now();
  try {
    await runApp(ctx, name, publishAll ? 'all' : undefined);
    const ip = await containerIp(name);
    const served = await firstNewConnection(`http://${ip}:${APP_PORT}/`, name, { timeoutMs: 30_000 });
    if (served === undefined) throw new Error(`${name} never answered`);
    return served - started;
  } finally {
    await docker('rm', '-f', name);
  }
}

/**
 * The floor `count` times, without load, or under the close load on `loadUrl` (the machine
 * as busy as in the handover runs). With `publishAll`, `docker run -P`: hanoverd's containers
 * publish their ports, so that Docker's FORWARD rules let remote clients reach them.
 */
export async function floorRuns(ctx: BenchContext, count: number, options: { loadUrl?: string; publishAll?: boolean } = {}): Promise<number[]> {
  const { loadUrl, publishAll = false } = options;
  const times: number[] = [];
  const load = loadUrl ? wrk(ctx, loadUrl, { seconds: 2 + count * 2, close: true }) : undefined;
  try {
    if (load) await sleep(1000);
    for (let k = 0; k < count; k++) {
      times.push(await dockerRunFloor(ctx, `${ctx.app}-floor-${publishAll ? 'P-' : ''}${loadUrl ? 'load' : 'idle'}-${k}`, publishAll));
      ctx.say(`  docker run${publishAll ? ' -P' : ''} floor ${loadUrl ? 'under load' : 'idle'} #${k + 1}: ${Math.round(times.at(-1)!)} ms`);
      await sleep(load ? 800 : 500);
    }
  } finally {
    await load;
  }
  return times;
}
