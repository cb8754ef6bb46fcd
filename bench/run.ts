// The hanoverd benchmark driver. Run it through bench/run.sh (which installs the tools,
// builds hanoverd and restores host sysctls); `node bench/run.ts --render FILE.json [DIR]`
// re-renders RESULTS.md and handover.svg (into bench/, or DIR) from a saved run.
//
// Same app image and same load for every system:
//   hanoverd              SIGHUP in the app's directory: hash the context, reuse or build, hand over
//   hanoverd (prebuilt)   SIGHUP with an image from a registry on 127.0.0.1: pull, hand over
//   naive                 docker rm -f OLD && docker run -p PORT:8000 NEW
//   nginx                 blue/green: host nginx proxying to the container, upstream rewritten + nginx -s reload
// and, for the like-for-like comparison, the floor: `docker run` of the image until its first 200.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { createNamespace } from '../test/helpers/netns.ts';
import { writeNodeAppContext } from '../test/helpers/node-app.ts';
import { startRegistry } from '../test/helpers/registry.ts';
import { removeLeftovers } from '../test/helpers/leftovers.ts';
import { createContext, type BenchContext } from './harness/bench-context.ts';
import { renderResults } from './render.ts';
import { dataPathRuns } from './runs/data-path.ts';
import { handoverRun, idleHandovers } from './runs/handover-run.ts';
import { floorRuns } from './runs/like-for-like.ts';
import { hanoverdSystem, startHanoverd } from './systems/hanoverd.ts';
import { naiveSystem } from './systems/naive.ts';
import { nginxSystem } from './systems/nginx.ts';
import { docker } from './systems/system.ts';
import type { BenchResults, HandoverEvent, HandoverRun } from './types.ts';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(BENCH, 'out');

/** The app image, built once; every system runs it. Its clean-up also sweeps what hanoverd made. */
async function buildApp(ctx: BenchContext, apps: string[]): Promise<string> {
  const dir = path.join(ctx.work, ctx.app);
  fs.mkdirSync(dir);
  writeNodeAppContext(dir);
  ctx.cleanups.add('containers, rules and images', async () => {
    const ours = (await docker('ps', '-aq', '--filter', `label=hvbench=${ctx.id}`)).split('\n').filter(Boolean);
    if (ours.length > 0) await execa('docker', ['rm', '-f', '-v', ...ours], { reject: false });
    for (const app of apps) await removeLeftovers(app, app === ctx.app ? [ctx.app] : []);
  });
  ctx.say(`building the app image ${ctx.app}`);
  await docker('build', '-q', '--label', `hanoverd.built-as=${ctx.app}`, '-t', ctx.app, dir);
  ctx.image = (await docker('image', 'inspect', '-f', '{{.Id}}', ctx.app)).trim();
  return dir;
}

/** The same image, pushed to a registry of the run's own on 127.0.0.1, for hanoverd to pull. */
async function pushToRegistry(ctx: BenchContext): Promise<string> {
  const registry = await startRegistry();
  ctx.cleanups.add('registry', () => registry.stop());
  const ref = `${registry.host}/${ctx.app}:bench`;
  await docker('tag', ctx.image, ref);
  ctx.cleanups.add('registry tag', () => execa('docker', ['rmi', ref], { reject: false }));
  await docker('push', '-q', ref);
  return ref;
}

async function machine(ctx: BenchContext): Promise<BenchResults['machine']> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? '',
    kernel: os.release(),
    docker: (await docker('version', '--format', '{{.Server.Version}}')).trim(),
    node: process.version,
    wrk: (await execa('wrk', ['-v'], { reject: false })).stdout.split('\n')[0]?.trim() ?? '',
    nginx: await new Promise<string>((resolve) => execFile('nginx', ['-v'], (_e, _o, err) => resolve(String(err).trim()))),
    hanoverd: process.env.HANOVERD_BENCH_REV ?? ctx.cli,
  };
}

async function main(ctx: BenchContext): Promise<void> {
  if (!fs.existsSync(ctx.cli)) throw new Error(`no hanoverd at ${ctx.cli}; run bench/run.sh`);
  const pullApp = `${ctx.app}-pull`;
  const dir = await buildApp(ctx, [ctx.app, pullApp]);
  const ref = await pushToRegistry(ctx);

  const netns = await createNamespace({ prefix: 'hvbench', network: 214, defaultRoute: true });
  ctx.cleanups.add(`netns ${netns.name}`, () => netns.remove());
  await execa('ip', ['netns', 'exec', netns.name, 'sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1']);
  ctx.say(`network namespace ${netns.name}, this host at ${netns.hostAddress}`);

  ctx.say(`starting hanoverd (${ctx.cli}) on port ${ctx.ports.hanoverd}, and on ${ctx.ports.pull} with ${ref}`);
  const built = await startHanoverd(ctx, { app: ctx.app, port: ctx.ports.hanoverd, dir });
  const pulled = await startHanoverd(ctx, { app: pullApp, port: ctx.ports.pull, dir: ctx.work, image: ref });

  const hanoverd = hanoverdSystem(built);
  const prebuilt = hanoverdSystem(pulled, 'hanoverd (prebuilt)');
  const naive = naiveSystem(ctx);
  const nginx = nginxSystem(ctx);
  const handovers: HandoverRun[] = [];
  for (const load of ['close', 'keepalive', 'slowmix'] as const) {
    for (const system of [hanoverd, ...(load === 'close' ? [prebuilt] : []), naive, nginx]) handovers.push(await handoverRun(ctx, system, load));
  }

  ctx.say('like for like: trigger -> serving without load, and the docker run floor');
  const idle: Record<string, HandoverEvent[]> = {};
  for (const system of [hanoverd, prebuilt, nginx]) idle[system.name] = await idleHandovers(ctx, system, ctx.config.likeForLike);
  const floor = {
    idle: await floorRuns(ctx, ctx.config.likeForLike),
    load: await floorRuns(ctx, ctx.config.likeForLike, { loadUrl: hanoverd.url }),
    idlePublished: await floorRuns(ctx, ctx.config.likeForLike, { publishAll: true }),
    loadPublished: await floorRuns(ctx, ctx.config.likeForLike, { loadUrl: hanoverd.url, publishAll: true }),
  };
  await pulled.stop();

  ctx.say('data path');
  await hanoverd.settle();
  const dataPath = await dataPathRuns(ctx, built, netns);

  const results: BenchResults = {
    date: new Date().toISOString(),
    quick: ctx.quick,
    config: ctx.config,
    machine: await machine(ctx),
    handovers,
    idle,
    floor,
    dataPath,
    hanoverdLog: built.lines().map((l) => l.text).filter((l) => / info | warn | error /.test(l)),
  };
  const stamp = results.date.replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(OUT, `results-${stamp}.json`), JSON.stringify(results));
  fs.writeFileSync(path.join(OUT, 'latest.json'), JSON.stringify(results));
  renderResults(results, BENCH);
  ctx.say(`wrote ${path.join(BENCH, 'RESULTS.md')}, ${path.join(BENCH, 'handover.svg')} and ${path.join(OUT, `results-${stamp}.json`)}`);
}

if (process.argv[2] === '--render') {
  const results = JSON.parse(fs.readFileSync(process.argv[3] ?? path.join(OUT, 'latest.json'), 'utf8')) as BenchResults;
  renderResults(results, process.argv[4] ?? BENCH);
} else {
  const ctx = createContext({ quick: process.env.BENCH_QUICK === '1', out: OUT, cli: process.env.HANOVERD_BENCH_CLI ?? path.join(OUT, 'hanoverd/dist/cli.js') });
  try {
    await main(ctx);
  } catch (error) {
    ctx.say(`failed: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  } finally {
    await ctx.cleanups.run();
  }
}
