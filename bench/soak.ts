// Soak: does the daemon hold steady over many handovers? Run from the repo root, as root:
//
//   bash bench/soak.sh                      # builds hanoverd into bench/out/soak, 200 handovers
//   node bench/soak.ts --handovers 200      # the same with dist/cli.js (npm run build first)
//
// On a shared machine, under the lock: flock /tmp/hanoverd-docker.lock bash bench/soak.sh
//
// One busybox app (test/helpers/apps.ts) served by one daemon on 127.0.0.1:18430; N SIGHUP
// handovers in a row, each of a new image (the build context changes every time), under a
// bounded load (2 clients, a new connection per request, /cgi-bin/host). After 10, 50, 100,
// 200 (and N) handovers, once the old version is removed: the daemon's RSS (VmRSS), open fds
// and listening sockets, and the app's images. Writes the section "Soak: RSS and fds over
// handovers" into bench/RESULTS.md (between soak markers; the rest of the file is left
// alone) and the raw figures into bench/out/soak.json.
//
// The plain RSS follows V8's garbage collection (every build passes its context through
// buffers), so each checkpoint also forces a full GC through the inspector (the daemon runs
// with --inspect=127.0.0.1:18439 for the soak only; its listening socket is counted) and
// reads RSS again, with the JS heap in use and where the resident memory lives.
//
//   --handovers N     how many (default 200)
//   --plain           no inspector: plain RSS only
//   --snapshots DIR   a .heapsnapshot at each checkpoint, into DIR (Chrome DevTools opens them)
//   --no-write        print only; RESULTS.md and bench/out/soak.json are left alone
//
// Everything it makes (containers, images, rules, state dir, app directory) is removed on
// exit, also on failure or Ctrl-C.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { makeApp, type TestApp } from '../test/helpers/apps.ts';
import { startDaemon, type DaemonProcess } from '../test/helpers/daemon.ts';
import { connectInspector, type Inspector } from '../test/helpers/inspector.ts';
import { removeLeftovers } from '../test/helpers/leftovers.ts';
import { startLoad, type Load } from '../test/helpers/load.ts';
import { processStats, residentByKind, type ProcessStats } from '../test/helpers/process-stats.ts';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const PORT = 18430;
const INSPECT_PORT = 18439;
const CHECKPOINTS = [10, 50, 100, 200];
const START = '<!-- soak:start -->';
const END = '<!-- soak:end -->';

const { values: flags } = parseArgs({
  options: {
    handovers: { type: 'string', default: '200' },
    plain: { type: 'boolean', default: false },
    snapshots: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const handovers = Number(flags.handovers);
if (!Number.isInteger(handovers) || handovers < 1) throw new Error(`--handovers takes a positive whole number, not ${flags.handovers}`);
const cli = process.env.HANOVERD_SOAK_CLI ?? path.resolve(BENCH, '../dist/cli.js');
const rev = process.env.HANOVERD_SOAK_REV ?? 'dist';

interface Checkpoint extends ProcessStats {
  handovers: number;
  seconds: number;
  images: number;
  /** Where the RSS lives (MiB): malloc's main heap, anonymous mappings (V8's pages, malloc's arenas), files. */
  resident: Record<string, number>;
  /** After a forced full GC (not with --plain), MiB. */
  afterGc?: {
    rssMiB: number;
    /** process.memoryUsage() */
    usage: Record<string, number>;
    resident: Record<string, number>;
  };
}

const say = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} soak: ${message}\n`);

async function builtImages(app: string): Promise<number> {
  const { stdout } = await execa('docker', ['images', '-q', '--no-trunc', '--filter', `label=hanoverd.built-as=${app}`]);
  return new Set(stdout.split('\n').filter(Boolean)).size;
}

let app: TestApp | undefined;
let daemon: DaemonProcess | undefined;
let load: Load | undefined;
let inspector: Inspector | undefined;
let stateDir: string | undefined;
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    inspector?.close();
    await load?.stop();
    await daemon?.stop().catch(() => {});
    if (app) await removeLeftovers(app.name).catch((error: unknown) => say(`cleanup: ${String(error)}`));
    app?.remove();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function checkpoint(n: number, started: number): Promise<Checkpoint> {
  const pid = daemon!.child.pid!;
  const stats = await processStats(pid);
  const point: Checkpoint = { handovers: n, seconds: Math.round((performance.now() - started) / 1000), ...stats, resident: residentByKind(pid), images: await builtImages(app!.name) };
  if (inspector) {
    const usage = await inspector.memoryAfterGc();
    point.afterGc = { rssMiB: (await processStats(pid)).rssMiB, usage, resident: residentByKind(pid) };
    if (flags.snapshots) await inspector.heapSnapshot(path.join(flags.snapshots, `soak-${String(n).padStart(4, '0')}.heapsnapshot`));
  }
  say(`after ${n} handovers (${point.seconds} s): RSS ${point.rssMiB} MiB, ${point.fds} fds, ${point.listeners} listener(s), ${point.images} image(s); resident ${JSON.stringify(point.resident)}` +
    (point.afterGc ? `\n  after a full GC: RSS ${point.afterGc.rssMiB} MiB; memoryUsage ${JSON.stringify(point.afterGc.usage)}; resident ${JSON.stringify(point.afterGc.resident)}` : ''));
  return point;
}

function render(points: Checkpoint[], result: { ok: number; failed: number; errors: string[] }, minutes: number): string {
  // Growth is counted from the tenth handover: up to there the daemon is still warming up.
  const base = points.find((p) => p.handovers === 10) ?? points[0]!;
  const growth = (p: Checkpoint, value: (p: Checkpoint) => number | undefined) => {
    const [now, then] = [value(p), value(base)];
    if (p.handovers <= base.handovers || now === undefined || then === undefined) return '';
    return ` (${now >= then ? '+' : ''}${(now - then).toFixed(1)})`;
  };
  const gc = (p: Checkpoint, value: (after: NonNullable<Checkpoint['afterGc']>) => number | undefined) => {
    const of = (q: Checkpoint) => (q.afterGc ? value(q.afterGc) : undefined);
    const now = of(p);
    return now === undefined ? '–' : `${now}${growth(p, of)}`;
  };
  const rows = points.map((p) => `| ${p.handovers} | ${p.seconds} | ${p.rssMiB}${growth(p, (q) => q.rssMiB)} | ${gc(p, (a) => a.rssMiB)} | ${gc(p, (a) => a.usage.heapUsed)} | ` +
    `${gc(p, (a) => a.resident.heap)} | ${gc(p, (a) => a.resident.anonymous)} | ${p.fds}${p.handovers > base.handovers ? ` (${p.fds - base.fds >= 0 ? '+' : ''}${p.fds - base.fds})` : ''} | ${p.listeners} | ${p.images} |`);
  const errors = [...new Set(result.errors)].slice(0, 5);
  return [
    START,
    '## Soak: RSS and fds over handovers',
    '',
    `Generated by \`bash bench/soak.sh\` (\`node bench/soak.ts --handovers ${handovers}\`) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; hanoverd ${rev}, Node ${process.version}, ${os.cpus().length} cores.`,
    '',
    `One busybox app, ${handovers} SIGHUP handovers in a row in ${minutes.toFixed(1)} min, each of a new image (the build context changes every time), ` +
      '`--overlap-grace-duration 200ms --drain-timeout 2s --stop-timeout 2s`, under a bounded load of 2 clients opening a new connection per request to `/cgi-bin/host`. ' +
      "Each row is taken once the previous version is stopped and removed: the daemon's resident memory (`VmRSS`), its open file descriptors (`/proc/<pid>/fd`), " +
      'its listening sockets (`ss -lp`; the control socket, and the inspector while it is on), and the images labelled `hanoverd.built-as=<app>` (kept: live + previous + 3). ' +
      'Then a full GC is forced through the inspector (`--inspect=127.0.0.1`, for the soak only) and RSS read again, with the JS heap in use (`process.memoryUsage().heapUsed`) ' +
      'and where the resident memory lives (`/proc/<pid>/smaps`: malloc\'s main heap `[heap]`; anonymous mappings, i.e. V8\'s pages and malloc\'s thread arenas). ' +
      'In brackets: the change since the row after 10 handovers.',
    '',
    '| handovers | s | RSS (MiB) | RSS after full GC (MiB) | JS heap in use after GC (MiB) | resident: malloc `[heap]` (MiB) | resident: anonymous (MiB) | open fds | listening sockets | images |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Load: ${result.ok + result.failed} requests, **${result.failed} failed**${errors.length > 0 ? ` (${errors.join('; ')})` : ''}.`,
    END,
  ].join('\n');
}

function writeResults(section: string): void {
  const file = path.join(BENCH, 'RESULTS.md');
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next = start >= 0 && end > start ? `${text.slice(0, start)}${section}${text.slice(end + END.length)}` : `${text.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, next);
}

async function main(): Promise<void> {
  app = makeApp('d-soak');
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-soak-'));
  const args = ['-p', `${PORT}:80`, '--state-dir', stateDir, '--overlap-grace-duration', '200ms', '--drain-timeout', '2s', '--stop-timeout', '2s'];
  say(`${app.name}: ${handovers} handovers with ${cli}`);
  daemon = startDaemon(app.dir, args, { cli, env: !flags.plain ? { NODE_OPTIONS: `--inspect=127.0.0.1:${INSPECT_PORT}` } : {} });
  await daemon.waitForLog(/traffic switched to/);
  if (!flags.plain) inspector = await connectInspector(INSPECT_PORT);
  if (flags.snapshots) fs.mkdirSync(flags.snapshots, { recursive: true });
  // Bounded: ten seconds a handover at the most, and a request cap.
  load = startLoad(`http://127.0.0.1:${PORT}/cgi-bin/host`, { concurrency: 2, maxMs: handovers * 10_000, maxRequests: handovers * 5_000 });
  const started = performance.now();
  await sleep(1000);
  const points: Checkpoint[] = [await checkpoint(0, started)];
  const marks = new Set([...CHECKPOINTS.filter((n) => n <= handovers), handovers]);
  for (let n = 1; n <= handovers; n++) {
    const generation = n + 1;
    fs.writeFileSync(path.join(app.dir, 'www', 'version'), `${n}\n`);
    const from = daemon.log().length;
    daemon.signal('SIGHUP');
    await daemon.waitForLog(new RegExp(`traffic switched to ${app.name}-${generation}\\b`), 120_000, from);
    if (marks.has(n)) {
      await daemon.waitForLog(new RegExp(`${app.name}-${generation - 1} stopped and removed`), 30_000, from);
      await sleep(1000);
      points.push(await checkpoint(n, started));
    }
  }
  const minutes = (performance.now() - started) / 60_000;
  const result = await load.stop();
  say(`load: ${result.ok + result.failed} requests, ${result.failed} failed`);
  const section = render(points, result, minutes);
  process.stdout.write(`${section}\n`);
  if (!flags['no-write']) {
    writeResults(section);
    fs.mkdirSync(path.join(BENCH, 'out'), { recursive: true });
    fs.writeFileSync(path.join(BENCH, 'out', 'soak.json'), `${JSON.stringify({ handovers, rev, points, load: { ok: result.ok, failed: result.failed, errors: result.errors.slice(0, 50) } }, null, 2)}\n`);
  }
}

try {
  await main();
} catch (error) {
  say(`failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
