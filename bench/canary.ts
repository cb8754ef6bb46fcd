// Canary under load: `node bench/canary.ts` (as root, ~1 minute; `bash bench/canary.sh`
// takes the shared engine's lock and builds first). For each share, a canary is deployed
// while a Connection: close load runs; 1000 new connections are sampled and the share each
// version answered is compared with the share set, with its 95 % interval. Then promote,
// and a rollback of a canary. Every failed request of the load is counted. Appends a section
// to bench/RESULTS.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { makeApp } from '../test/helpers/apps.ts';
import { runCli } from '../test/helpers/cli.ts';
import { startDaemon } from '../test/helpers/daemon.ts';
import { removeLeftovers } from '../test/helpers/leftovers.ts';
import { startLoad } from '../test/helpers/load.ts';

const SAMPLES = Number(process.env.CANARY_SAMPLES ?? 2000);
const port = 18_980;
const base = `http://127.0.0.1:${port}`;
const app = makeApp('canary-bench');
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-bench-'));
const setVersion = (text: string) => fs.writeFileSync(path.join(app.dir, 'www', 'index.html'), `${text}\n`);
const cli = async (...args: string[]) => {
  const result = await runCli([...args, '--state-dir', stateDir]);
  if (result.code !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
};

async function sample(count: number, version: string): Promise<number> {
  const dispatcher = new Agent({ pipelining: 0 });
  let hits = 0;
  for (let i = 0; i < count; i++) {
    const response = await request(`${base}/`, { dispatcher, reset: true });
    if ((await response.body.text()).trim() === version) hits++;
  }
  await dispatcher.close();
  return hits;
}

/** Wilson score interval for a proportion, 95 %. */
function wilson(hits: number, n: number): [number, number] {
  const z = 1.96;
  const p = hits / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [centre - half, centre + half];
}

const rows: string[] = [];
setVersion('v0');
const daemon = startDaemon(app.dir, ['-p', `${port}:80`, '--state-dir', stateDir, '--overlap-grace-duration', '100ms']);
try {
  await daemon.waitForLog(/traffic switched to/);
  const load = startLoad(`${base}/`, { concurrency: 4, maxMs: 300_000 });
  let live = 'v0';
  let n = 1;
  for (const percent of [10, 25, 50, 75]) {
    const version = `v${n++}`;
    setVersion(version);
    const from = daemon.log().length;
    await cli('deploy', '--canary', String(percent));
    await daemon.waitForLog(/is a canary/, 60_000, from);
    const hits = await sample(SAMPLES, version);
    const [low, high] = wilson(hits, SAMPLES);
    const inside = percent / 100 >= low && percent / 100 <= high;
    rows.push(`| ${percent} % | ${(100 * hits / SAMPLES).toFixed(1)} % | ${(100 * low).toFixed(1)}–${(100 * high).toFixed(1)} % | ${inside ? 'yes' : 'no'} |`);
    console.log(rows.at(-1));
    // Alternate the ends of a canary: promote, then a rollback.
    if (percent === 25 || percent === 75) {
      await cli('rollback');
      await daemon.waitForLog(/canary \S+ ended/, 60_000, from);
    } else {
      await cli('promote');
      await daemon.waitForLog(/watching|traffic switched to \S+ \([\d.]+\):/, 60_000, daemon.log().length - 400);
      live = version;
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const result = await load.stop();
  const section = [
    '',
    '## Canary under load',
    '',
    `\`node bench/canary.ts\`, ${new Date().toISOString().slice(0, 10)}: a busybox app, a Connection: close load of 4 clients running throughout;`,
    `for each share a canary was deployed, ${SAMPLES} new connections sampled, then promoted (10 %, 50 %) or rolled back (25 %, 75 %). Live at the end: ${live}.`,
    '',
    '| share set | share measured | 95 % interval (Wilson) | set share inside |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `Load: ${result.ok} requests answered, **${result.failed} failed** through 4 canaries, 2 promotions and 2 canary rollbacks.`,
    '',
  ].join('\n');
  console.log(section);
  fs.appendFileSync(new URL('./RESULTS.md', import.meta.url), section);
} finally {
  await daemon.stop();
  await removeLeftovers(app.name);
  app.remove();
  fs.rmSync(stateDir, { recursive: true, force: true });
}
