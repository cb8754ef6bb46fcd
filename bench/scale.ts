// How many apps one host carries: N = 1, 10, 25, 50 daemons, each with its own busybox
// app and port, under a light load each. Measured against N: one switch (readiness →
// rules, from the daemon's own millisecond log), RSS idle and during a handover, CPU while
// idle, and the time for all N to hand over at once after a SIGHUP to each; failed
// requests in every app throughout.
//
//   flock /tmp/hanoverd-docker.lock bash bench/run.sh --scale [--sizes 1,10,25,50]
//
// Writes bench/out/scale.json and the "Scale" section of bench/RESULTS.md (between the
// scale markers). Everything it makes is removed, also on failure.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { makeApp, type TestApp } from '../test/helpers/apps.ts';
import { startDaemon, type DaemonProcess } from '../test/helpers/daemon.ts';
import { removeLeftovers } from '../test/helpers/leftovers.ts';
import { startLoad, type Load } from '../test/helpers/load.ts';
import { writeScaleReport, type ScaleResult } from './scale-report.ts';
import { logTime, minMedianMax } from './stats.ts';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
// Each daemon the test helper starts adds an exit listener (to kill it if we die first).
process.setMaxListeners(200);
const CLI = process.env.HANOVERD_BENCH_CLI ?? path.resolve(BENCH, '../dist/cli.js');
const argv = process.argv.slice(2);
const at = argv.indexOf('--sizes');
const SIZES = (at >= 0 ? argv[at + 1]! : '1,10,25,50').split(',').map(Number);
const FIRST_PORT = 18_100;
const IDLE_SECONDS = 60;
const FLAGS = ['--overlap-grace-duration', '200ms', '--drain-timeout', '3s', '--stop-timeout', '2s'];
const say = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} scale: ${message}\n`);

interface Member { app: TestApp; daemon: DaemonProcess; port: number; load?: Load }


/** Readiness → switch for each handover in `log` after `from`, ms. */
function switchTimes(log: string, from = 0): number[] {
  const lines = log.slice(from).split('\n');
  const times: number[] = [];
  for (const [i, line] of lines.entries()) {
    const ready = / (\S+) is ready on port /.exec(line);
    if (!ready) continue;
    const switched = lines.slice(i + 1).find((next) => next.includes(`traffic switched to ${ready[1]} `));
    if (switched) times.push(logTime(switched) - logTime(line));
  }
  return times;
}

const rssMiB = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const cpuTicks = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const natRules = async () => (await execa('iptables-save', ['-t', 'nat'])).stdout.split('\n').filter((line) => line.startsWith('-A ')).length;

async function run(n: number): Promise<ScaleResult> {
  const members: Member[] = [];
  try {
    say(`N = ${n}: starting ${n} daemons`);
    for (let i = 0; i < n; i++) {
      const app = makeApp(`scale${i}`);
      const port = FIRST_PORT + i;
      members.push({ app, port, daemon: startDaemon(app.dir, ['-p', `127.0.0.1:${port}:80`, ...FLAGS], { cli: CLI }) });
    }
    await Promise.all(members.map((m) => m.daemon.waitForLog(/traffic switched to/, 600_000)));
    const pids = members.map((m) => m.daemon.child.pid!);
    await sleep(5000);
    // Idle: RSS and CPU over a minute with no traffic (a daemon checks its rules at least once a minute).
    const ticks = pids.map(cpuTicks);
    await sleep(IDLE_SECONDS * 1000);
    const idleCpu = pids.map((pid, i) => ((cpuTicks(pid) - ticks[i]!) / 100 / IDLE_SECONDS) * 100);
    const idleRss = pids.map(rssMiB);
    for (const m of members) m.load = startLoad(`http://127.0.0.1:${m.port}/cgi-bin/host`, { concurrency: 1, maxMs: 900_000 });
    // One switch at a time, with all N apps' rules (and Docker's) in the nat table.
    const rules = await natRules();
    const single: number[] = [];
    for (const m of members.slice(0, Math.min(n, 10))) {
      const from = m.daemon.log().length;
      m.daemon.signal('SIGHUP');
      await m.daemon.waitForLog(/ stopped and removed/, 120_000, from);
      single.push(...switchTimes(m.daemon.log(), from));
    }
    // All at once.
    const froms = members.map((m) => m.daemon.log().length);
    let peak = 0;
    const sampler = setInterval(() => { for (const pid of pids) peak = Math.max(peak, rssMiB(pid)); }, 200);
    const started = performance.now();
    for (const m of members) m.daemon.signal('SIGHUP');
    const switched = await Promise.all(members.map(async (m, i) => {
      await m.daemon.waitForLog(/traffic switched to/, 600_000, froms[i]);
      return performance.now() - started;
    }));
    await Promise.all(members.map((m, i) => m.daemon.waitForLog(/ stopped and removed/, 600_000, froms[i])));
    clearInterval(sampler);
    const together = members.flatMap((m, i) => switchTimes(m.daemon.log(), froms[i]));
    const loads = await Promise.all(members.map((m) => m.load!.stop()));
    const result = {
      n, natRules: rules,
      singleSwitchMs: minMedianMax(single), togetherSwitchMs: minMedianMax(together),
      allSwitchedMs: Math.max(...switched),
      idleRssMiB: minMedianMax(idleRss), peakRssMiB: peak, idleCpuPercent: minMedianMax(idleCpu),
      requests: loads.reduce((sum, l) => sum + l.ok + l.failed, 0), failed: loads.reduce((sum, l) => sum + l.failed, 0),
      errors: loads.flatMap((l) => l.errors).slice(0, 5),
    };
    say(JSON.stringify(result));
    return result;
  } finally {
    await Promise.all(members.map(async (m) => {
      await m.load?.stop();
      await m.daemon.stop(30_000).catch(() => {});
      await removeLeftovers(m.app.name);
      m.app.remove();
    }));
  }
}

const saved = path.join(BENCH, 'out/scale.json');
// `node bench/scale.ts --render`: the report again from the last run's figures.
const results: ScaleResult[] = argv.includes('--render') ? JSON.parse(fs.readFileSync(saved, 'utf8')) as ScaleResult[] : [];
if (results.length === 0) {
  for (const n of SIZES) results.push(await run(n));
  fs.mkdirSync(path.dirname(saved), { recursive: true });
  fs.writeFileSync(saved, JSON.stringify(results, null, 1));
}
writeScaleReport(results, BENCH, { flags: FLAGS, idleSeconds: IDLE_SECONDS, rev: process.env.HANOVERD_BENCH_REV ?? '' });
say('done: bench/RESULTS.md, bench/scale.svg, bench/out/scale.json');
