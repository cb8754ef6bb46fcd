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
import { logTime, minMedianMax } from './stats.ts';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
// Each daemon the test helper starts adds an exit listener (to kill it if we die first).
process.setMaxListeners(200);
const CLI = process.env.HANOVERD_BENCH_CLI ?? path.resolve(BENCH, '../dist/cli.js');
const argv = process.argv.slice(2);
const at = argv.indexOf('--sizes');
const SIZES = (at >= 0 ? argv[at + 1]! : '1,10,25,50').split(',').map(Number);
const FIRST_PORT = 18_100;
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

async function run(n: number) {
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
    // Idle: RSS and CPU over 10 s with no traffic.
    const ticks = pids.map(cpuTicks);
    await sleep(10_000);
    const idleCpu = pids.map((pid, i) => ((cpuTicks(pid) - ticks[i]!) / 100 / 10) * 100);
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

const results = [];
for (const n of SIZES) results.push(await run(n));
fs.mkdirSync(path.join(BENCH, 'out'), { recursive: true });
fs.writeFileSync(path.join(BENCH, 'out/scale.json'), JSON.stringify(results, null, 1));

const f = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '–');
const mmm = (s: { min: number; median: number; max: number }) => `${f(s.min)} / ${f(s.median)} / ${f(s.max)}`;
const table = [
  '| N | nat rules | one switch, ms (min / median / max) | all at once: each switch, ms | all at once: SIGHUP → last switch | RSS idle per daemon, MiB (min / median / max) | RSS peak in handover, MiB | CPU idle per daemon, % | requests | failed |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...results.map((r) => `| ${r.n} | ${r.natRules} | ${mmm(r.singleSwitchMs)} | ${mmm(r.togetherSwitchMs)} | ${f(r.allSwitchedMs / 1000)} s | ${mmm(r.idleRssMiB)} | ${f(r.peakRssMiB)} | ${mmm(r.idleCpuPercent)} | ${r.requests} | ${r.failed} |`),
];
const section = [
  '<!-- scale:start -->',
  '## Scale: many apps on one host',
  '',
  `Generated by \`bash bench/run.sh --scale\` (bench/scale.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${process.env.HANOVERD_BENCH_REV ?? ''}.`,
  `N daemons, each with its own busybox app (\`httpd\`, CGI) published on its own 127.0.0.1 port, flags \`${FLAGS.join(' ')}\`; one client per app on a new connection per request for the whole measurement. "One switch": up to 10 apps, one SIGHUP at a time, readiness → \`traffic switched\` from the daemon's log (ms stamps). "All at once": a SIGHUP to each daemon in the same moment (N rebuilds from cache and N containers start together on 2 cores). RSS is VmRSS; CPU idle is over 10 s without traffic.`,
  '',
  ...table,
  '<!-- scale:end -->',
].join('\n');
const resultsFile = path.join(BENCH, 'RESULTS.md');
const current = fs.readFileSync(resultsFile, 'utf8');
fs.writeFileSync(resultsFile, /<!-- scale:start -->[\s\S]*<!-- scale:end -->/.test(current)
  ? current.replace(/<!-- scale:start -->[\s\S]*<!-- scale:end -->/, section)
  : `${current.trimEnd()}\n\n${section}\n`);
say('done: bench/RESULTS.md, bench/out/scale.json');
