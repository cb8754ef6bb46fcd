// The data path, no handover: requests per second from this host and from a network
// namespace, straight to a container (the baseline) and through each way in.
//
// Each way in reaches a container of its own (same image). When two ways reached one
// container, a close load on one left that container's TIME_WAIT sockets for the client
// ports the next way reused, and SYNs arriving by another path (other TCP timestamp
// offsets) were dropped by PAWS: the second path's figure fell by 5×, whichever it was.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../harness/bench-context.ts';
import { getBody, waitFor } from '../load/probe.ts';
import { wrk } from '../load/wrk.ts';
import type { Hanoverd } from '../systems/hanoverd.ts';
import { startNginx } from '../systems/nginx.ts';
import { APP_PORT, containerIp, docker, runApp } from '../systems/system.ts';
import type { DataRun } from '../types.ts';

type Client = 'local' | 'netns';
interface Target { target: string; client: Client; url: string }

/** Starts the containers and the nginx the ways in need, and returns where each is reached. */
async function targets(ctx: BenchContext, hanoverd: Hanoverd, hostAddress: string): Promise<{ targets: Target[]; stop: () => Promise<void> }> {
  const direct = `${ctx.app}-direct`;
  const published = `${ctx.app}-published`;
  const proxied = `${ctx.app}-proxied`;
  // Published (on a loopback port nobody uses) only so that Docker's FORWARD rules let the
  // namespace reach its address; hanoverd's containers are published the same way.
  await runApp(ctx, direct, `127.0.0.1::${APP_PORT}`);
  await runApp(ctx, published, `${ctx.ports.docker}:${APP_PORT}`);
  await runApp(ctx, proxied);
  const [directIp, proxiedIp] = [await containerIp(direct), await containerIp(proxied)];
  const nginx = await startNginx(ctx, `${proxiedIp}:${APP_PORT}`, [`127.0.0.1:${ctx.ports.nginx}`, `${hostAddress}:${ctx.ports.nginx}`]);
  const way = (client: Client, host: string): Target[] => [
    { target: 'direct', client, url: `http://${directIp}:${APP_PORT}/` },
    { target: 'hanoverd', client, url: `http://${host}:${hanoverd.port}/` },
    { target: 'docker', client, url: `http://${host}:${ctx.ports.docker}/` },
    { target: 'nginx', client, url: `http://${host}:${ctx.ports.nginx}/` },
  ];
  const all = [...way('local', '127.0.0.1'), ...way('netns', hostAddress)];
  for (const t of all.filter((x) => x.client === 'local')) await waitFor(`${t.target} answering`, async () => ((await getBody(t.url))?.status === 200 ? true : undefined));
  return {
    targets: all,
    async stop() {
      await nginx.stop();
      await docker('rm', '-f', direct, published, proxied);
    },
  };
}

/**
 * The machine is small and shared, so throughput drifts by more than the differences we
 * look for: hanoverd's port and the container IP are measured in back-to-back pairs (order
 * alternating), and the ratio is the median of the pairs' ratios, with an interval from
 * the order statistics (stats.ts). Docker's port and nginx, for reference, get fewer runs.
 */
export async function dataPathRuns(ctx: BenchContext, hanoverd: Hanoverd, netns: { name: string; hostAddress: string }): Promise<DataRun[]> {
  const c = ctx.config;
  const setup = await targets(ctx, hanoverd, netns.hostAddress);
  const runs: DataRun[] = [];
  const one = async (t: Target, load: 'keepalive' | 'close', rep: number) => {
    const result = await wrk(ctx, t.url, { seconds: c.dataSeconds, close: load === 'close', netns: t.client === 'netns' ? netns.name : undefined });
    runs.push({ client: t.client, load, target: t.target, rep, url: t.url, wrk: result });
    ctx.say(`  data ${t.client}/${load}/${t.target} #${rep + 1}: ${Math.round(result.rps)} req/s, p99 ${(result.p99Us / 1000).toFixed(2)} ms, ${result.failed} failed`);
    await sleep(200);
  };
  try {
    for (const client of ['local', 'netns'] as const) {
      for (const load of ['keepalive', 'close'] as const) {
        const mine = setup.targets.filter((t) => t.client === client);
        const pick = (name: string) => mine.find((t) => t.target === name)!;
        const [direct, through] = [pick('direct'), pick('hanoverd')];
        for (let rep = 0; rep < c.dataPairs; rep++) {
          for (const t of rep % 2 === 0 ? [direct, through] : [through, direct]) await one(t, load, rep);
        }
        for (let rep = 0; rep < c.dataReps; rep++) {
          for (const t of [pick('docker'), pick('nginx')]) await one(t, load, rep);
        }
      }
    }
  } finally {
    await setup.stop();
  }
  return runs;
}
