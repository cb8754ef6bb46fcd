// `docker rm -f OLD && docker run -p PORT:8000 NEW`: what hanoverd replaces.
import type { BenchContext } from '../harness/bench-context.ts';
import { now } from '../harness/say.ts';
import { getBody, waitFor } from '../load/probe.ts';
import { APP_PORT, docker, runApp, type System } from './system.ts';

export function naiveSystem(ctx: BenchContext): System {
  let current = '';
  const url = `http://127.0.0.1:${ctx.ports.naive}/`;
  const publish = `127.0.0.1:${ctx.ports.naive}:${APP_PORT}`;
  return {
    name: 'naive',
    url,
    nextName: (k) => `${ctx.app}-naive-${k}`,
    async setup() {
      current = `${ctx.app}-naive-0`;
      await runApp(ctx, current, publish);
      await waitFor('naive app', async () => ((await getBody(url))?.body === current ? true : undefined));
    },
    async trigger(k) {
      const next = `${ctx.app}-naive-${k}`;
      const triggerAt = now();
      await docker('rm', '-f', current);
      await runApp(ctx, next, publish);
      current = next;
      return { name: next, triggerAt };
    },
    async settle() {},
    async teardown() {
      await docker('rm', '-f', current);
    },
  };
}
