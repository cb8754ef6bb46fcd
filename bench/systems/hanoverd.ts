// hanoverd under test, as a user runs it: the CLI in the app's directory (building it) or
// with an image to pull; a handover is a SIGHUP, and its phases come from hanoverd's own log.
import fs from 'node:fs';
import path from 'node:path';
import { startDaemon, type DaemonProcess } from '../../test/helpers/daemon.ts';
import type { BenchContext } from '../harness/bench-context.ts';
import { now } from '../harness/say.ts';
import { logTime } from '../stats.ts';
import { APP_PORT, docker, type System } from './system.ts';
import { waitFor } from '../load/probe.ts';

export interface LogLine { at: number; text: string }

export interface Hanoverd {
  app: string;
  port: number;
  daemon: DaemonProcess;
  /** Log lines with their millisecond stamps, from character offset `from` of the log on. */
  lines(from?: number): LogLine[];
  /** The container names hanoverd switched traffic to, in order. */
  live(): string | undefined;
  stop(): Promise<void>;
}

/**
 * Starts hanoverd for `app` on `port`: in `dir` (building it), or with `image` to pull.
 * The first deploy may fail for reasons outside the benchmark (an engine restarting): it is
 * tried again a few times, as an operator would with SIGHUP.
 */
export async function startHanoverd(ctx: BenchContext, options: { app: string; port: number; dir: string; image?: string }): Promise<Hanoverd> {
  const args = ['-p', `${options.port}:${APP_PORT}`, '--name', options.app,
    '--overlap-grace-duration', ctx.config.overlapGrace, '--drain-timeout', ctx.config.drainTimeout, '--stop-timeout', ctx.config.stopTimeout,
    '--state-dir', path.join(ctx.work, `state-${options.app}`), ...(options.image ? [options.image] : [])];
  const daemon = startDaemon(options.dir, args, { cli: ctx.cli });
  const lines = (from = 0) => daemon.log().slice(from).split('\n').filter(Boolean).map((text) => ({ at: logTime(text), text }));
  const hanoverd: Hanoverd = {
    app: options.app,
    port: options.port,
    daemon,
    lines,
    live: () => [...lines()].reverse().map((l) => /traffic switched to (\S+)/.exec(l.text)?.[1]).find(Boolean),
    async stop() {
      await daemon.stop();
      fs.writeFileSync(path.join(ctx.out, `${options.app}.log`), daemon.log());
    },
  };
  ctx.cleanups.add(`hanoverd ${options.app}`, () => hanoverd.stop());
  for (let attempt = 1, from = 0; ; attempt++) {
    const [line] = await daemon.waitForLog(/traffic switched to .*|deploy failed.*/, 120_000, from);
    if (line.startsWith('traffic switched to ')) break;
    if (attempt === 3) throw new Error(`hanoverd could not deploy the first version: ${line}`);
    ctx.say(`hanoverd: ${line}; SIGHUP to try again`);
    from = daemon.log().length;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    daemon.signal('SIGHUP');
  }
  return hanoverd;
}

/** A handover is a SIGHUP; `name` tells the build (SIGHUP rebuilds) from the prebuilt image (SIGHUP pulls). */
export function hanoverdSystem(hanoverd: Hanoverd, name = 'hanoverd'): System {
  const generation = () => Number(hanoverd.live()?.match(/-(\d+)$/)?.[1] ?? 1);
  return {
    name,
    url: `http://127.0.0.1:${hanoverd.port}/`,
    nextName: (k) => `${hanoverd.app}-${generation() + 1}`,
    setup() {
      // Start each run with one container, its predecessors gone.
      return this.settle();
    },
    async settle() {
      await waitFor('hanoverd to retire old containers', async () => {
        const names = (await docker('ps', '-aq', '--filter', `label=hanoverd.app=${hanoverd.app}`)).trim().split('\n').filter(Boolean);
        return names.length === 1 ? true : undefined;
      }, 60_000, 200);
    },
    async trigger() {
      const next = `${hanoverd.app}-${generation() + 1}`;
      const from = hanoverd.daemon.log().length;
      const triggerAt = now();
      hanoverd.daemon.signal('SIGHUP');
      const [line] = await hanoverd.daemon.waitForLog(new RegExp(`traffic switched to ${next}\\b|deploy failed.*`), 60_000, from);
      if (!line.startsWith('traffic switched')) throw new Error(`hanoverd: ${line}`);
      const after = hanoverd.lines(from);
      const switched = after.find((l) => l.text.includes(`traffic switched to ${next}`));
      const ready = after.find((l) => l.text.includes(`${next} is ready on port`));
      const built = after.map((l) => l.text.match(/ info  image \S+ \(\w+\) (?:ready|obtained) in ([\d.]+)(ms|s)\b/)).find(Boolean);
      const buildMs = built ? Number(built[1]) * (built[2] === 's' ? 1000 : 1) : undefined;
      return { name: next, triggerAt, readyAt: ready?.at, switchedAt: switched?.at, buildMs };
    },
    async teardown() {},
  };
}
