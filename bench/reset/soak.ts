// The soak: hanoverd's published port under a Connection: close load through many
// handovers, every failed request counted with its kind and its place in the handover.
// Run it through `bash bench/run.sh --soak [--handovers N] [--max-minutes M] [--load close|keepalive|slow-mix]` (as root).
//
//   load      node close-load recorder (each failure: time, kind, client port) and wrk
//             -t2 -c32 -H 'Connection: close' in back-to-back 10 s segments
//   handovers odd: SIGHUP (rebuild, cached layers); even: `hanoverd rollback` (a prebuilt
//             image, no build); pairs alternate between an idle machine and a busy one
//             (two bounded CPU burners)
//   evidence  conntrack -E for the port, SYNs and RSTs on the bridge, a pcap ring, and the
//             retiring container's sockets (listener's accept queue, SYN-RECV, ESTAB)
//
// Writes bench/out/soak-<stamp>/{soak.json,summary.md,hanoverd.log,failure-*.txt}.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_APP_PORT, writeNodeAppContext } from '../../test/helpers/node-app.ts';
import { startCapture, type SocketSample } from './capture.ts';
import { PHASES, place, upperBound95, type Handover, type Phase } from './classify.ts';
import { startCloseLoad, type Failure } from './close-load.ts';
import { startDaemon, type Daemon } from './daemon.ts';
import { startWrkSegments, wrkFailures } from './wrk.ts';

const BENCH = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const at = argv.indexOf(name);
  return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1]! : fallback;
};
const HANDOVERS = Number(arg('--handovers', '100'));
const HOST_PORT = Number(arg('--port', '18760'));
const WORKERS = Number(arg('--workers', '16'));
const WRK_CONNECTIONS = Number(arg('--wrk-connections', '32'));
const MAX_MINUTES = Number(arg('--max-minutes', '18'));
const EXTRA_FLAGS = arg('--flags', '').split(' ').filter(Boolean);
/** close: wrk and the recorder on a new connection per request; keepalive: wrk keeps its connections (the recorder still opens new ones); slow-mix: close, plus 8 clients on /slow?ms=3000 that span the switches. */
const LOAD = arg('--load', 'close');
if (!['close', 'keepalive', 'slow-mix'].includes(LOAD)) throw new Error(`--load ${LOAD}: close, keepalive or slow-mix`);
const SLOW_WORKERS = LOAD === 'slow-mix' ? 8 : 0;
const CLI = process.env.HANOVERD_BENCH_CLI ?? path.join(BENCH, 'out/hanoverd/dist/cli.js');
const BRIDGE = 'docker0';
const MAX_EVIDENCE = 12;

const id = randomBytes(3).toString('hex');
const APP = `hobench-f-${id}`;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const OUT = path.join(BENCH, 'out', `soak-${stamp}`);
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'hobench-f-'));
const say = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} soak: ${message}\n`);

function run(cmd: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => execFile(cmd, args, { maxBuffer: 64 << 20, timeout: timeoutMs }, (error, stdout, stderr) => {
    if (error) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || error.message}`));
    else resolve(stdout);
  }));
}
const quiet = (cmd: string, args: string[]) => run(cmd, args).catch(() => '');

const cleanups: Array<() => Promise<unknown>> = [];
let cleaning: Promise<void> | undefined;
const cleanUp = () => (cleaning ??= (async () => {
  for (const fn of cleanups.reverse()) await fn().catch((error: unknown) => say(`cleanup: ${String(error)}`));
})());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

/** Two CPU burners (one per core here), each bounded to `seconds`. */
function burn(seconds: number): ChildProcess[] {
  const code = `const end = Date.now() + ${seconds * 1000}; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1);`;
  return Array.from({ length: os.cpus().length }, () => spawn(process.execPath, ['-e', code], { stdio: 'ignore' }));
}

const nearest = (samples: readonly SocketSample[], at: number | undefined) => {
  if (at === undefined || samples.length === 0) return {};
  const before = [...samples].reverse().find((s) => s.t <= at);
  const after = samples.find((s) => s.t > at);
  return { before, after };
};

interface HandoverRecord extends Handover {
  oldIp: string;
  /** The retiring container's sockets, sampled from the switch to its stop. */
  sockets: SocketSample[];
  /** SYNs to the old container after the switch (ms after it), and conntrack NEW entries DNATed there. */
  lateSyns: number[];
  lateNew: number[];
  /** Entries of live connections (not to the old container) that a userspace `conntrack -D` removed. */
  collateralDeletes: string[];
  resets: Array<{ ms: number; line: string }>;
  failures: number;
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  cleanups.push(async () => fs.rmSync(WORK, { recursive: true, force: true }));
  if (!fs.existsSync(CLI)) throw new Error(`no hanoverd at ${CLI}; run bash bench/run.sh --soak`);

  const dir = path.join(WORK, APP);
  fs.mkdirSync(dir);
  writeNodeAppContext(dir);
  // Each rebuild changes one small layer, as a real deploy does: a new image, so that the
  // previous one stays for `hanoverd rollback` (the prebuilt handovers).
  fs.appendFileSync(path.join(dir, 'Dockerfile'), 'COPY version /app/version\n');
  fs.writeFileSync(path.join(dir, 'version'), '0\n');

  cleanups.push(async () => {
    const ids = (await quiet('docker', ['ps', '-aq', '--filter', `label=hanoverd.app=${APP}`])).split('\n').filter(Boolean);
    if (ids.length > 0) await quiet('docker', ['rm', '-f', '-v', ...ids]);
    const nat = await quiet('iptables-save', ['-t', 'nat']);
    for (const rule of nat.split('\n').filter((l) => l.includes(`hanoverd:${APP}`) && l.startsWith('-A '))) {
      await quiet('iptables', ['-t', 'nat', ...rule.replace(/^-A /, '-D ').match(/"[^"]*"|\S+/g)!.map((w) => w.replace(/^"|"$/g, ''))]);
    }
    const images = (await quiet('docker', ['images', '-q', '--filter', `label=hanoverd.built-as=${APP}`])).split('\n').filter(Boolean);
    await quiet('docker', ['rmi', '-f', APP, ...new Set(images)]);
  });

  const capture = startCapture(HOST_PORT, NODE_APP_PORT, BRIDGE, WORK);
  cleanups.push(() => capture.stop());
  await sleep(500);

  say(`starting hanoverd (${CLI}) for ${APP} on 127.0.0.1:${HOST_PORT}`);
  const daemon: Daemon = startDaemon({ cli: CLI, cwd: dir, app: APP, publish: `${HOST_PORT}:${NODE_APP_PORT}`, stateDir: path.join(WORK, 'state'), logPath: path.join(OUT, 'hanoverd.log'), flags: EXTRA_FLAGS });
  cleanups.push(() => daemon.stop());
  const first = await daemon.waitLine(/traffic switched to |deploy failed/, 0, 180_000);
  if (!first.msg.startsWith('traffic switched to ')) throw new Error(`first deploy: ${first.msg}`);
  const switchedTo = (msg: string) => msg.match(/traffic switched to (\S+) \((\d+\.\d+\.\d+\.\d+)\)/);
  const pidOf = async (name: string) => Number((await run('docker', ['inspect', '-f', '{{.State.Pid}}', name])).trim());
  let [, liveName, liveIp] = switchedTo(first.msg)!;
  let livePid = await pidOf(liveName!);

  const load = startCloseLoad('127.0.0.1', HOST_PORT, WORKERS, 5000);
  const wrk = startWrkSegments(`http://127.0.0.1:${HOST_PORT}/`, WORK, 10, WRK_CONNECTIONS, LOAD === 'keepalive');
  // Slow requests answer after 3 s: they are in flight at every switch and must finish on the old version.
  const slow = startCloseLoad('127.0.0.1', HOST_PORT, SLOW_WORKERS, 10_000, '/slow?ms=3000');
  slow.onFailure((failure) => say(`SLOW FAILED ${failure.kind} (${failure.detail}) opened ${new Date(failure.start).toISOString().slice(11, 23)}`));
  cleanups.push(() => load.stop());
  cleanups.push(() => slow.stop());
  cleanups.push(() => wrk.stop());

  const handovers: HandoverRecord[] = [];
  const evidence: Array<Promise<void>> = [];
  load.onFailure((failure) => {
    say(`FAILED ${failure.kind} (${failure.detail}) port ${failure.port ?? '?'}, opened ${new Date(failure.start).toISOString().slice(11, 23)}`);
    if (evidence.length >= MAX_EVIDENCE) return;
    const n = evidence.length + 1;
    evidence.push(sleep(3000).then(() => writeEvidence(n, failure)));
  });

  async function writeEvidence(n: number, failure: Failure): Promise<void> {
    const port = failure.port;
    const conntrack = port === undefined ? [] : capture.conntrack.filter((e) => e.sport === port && Math.abs(e.t - failure.start) < 10_000);
    const natPort = conntrack.find((e) => e.replyPort > 0)?.replyPort ?? port;
    const packets = natPort === undefined ? '' : await capture.packetsOf(natPort);
    const resets = capture.resets.filter((r) => Math.abs(r.t - failure.at) < 2000).map((r) => r.text);
    const h = handovers.at(-1);
    fs.writeFileSync(path.join(OUT, `failure-${n}.txt`), [
      `failure ${JSON.stringify(failure)}`,
      `opened ${new Date(failure.start).toISOString()}, failed ${new Date(failure.at).toISOString()}`,
      `latest handover at the time: ${JSON.stringify(h ? { ...h, sockets: undefined } : undefined)}`,
      '', `conntrack events for client port ${port}:`, ...conntrack.map((e) => e.text),
      '', `packets on ${BRIDGE} for port ${natPort} (pcap ring):`, packets,
      '', 'RSTs on the bridge within 2 s:', ...resets,
      '', 'old container sockets (sampled):', ...(h?.sockets ?? []).map((s) => `${new Date(s.t).toISOString().slice(11, 23)} acceptQ=${s.acceptQueue} ${JSON.stringify(s.states)}`),
      '',
    ].join('\n'));
  }

  const started = Date.now();
  const deadline = started + MAX_MINUTES * 60_000;
  let burners: ChildProcess[] = [];
  cleanups.push(async () => { for (const b of burners) b.kill('SIGKILL'); });
  await sleep(2000);
  for (let k = 1; k <= HANDOVERS; k++) {
    if (Date.now() > deadline) {
      say(`stopping after ${k - 1} handovers: the ${MAX_MINUTES}-minute budget is spent`);
      break;
    }
    const kind = k % 2 === 1 ? 'rebuild' as const : 'prebuilt' as const;
    const busy = Math.floor((k - 1) / 2) % 2 === 1;
    if (busy && burners.length === 0) burners = burn(90);
    if (!busy && burners.length > 0) { for (const b of burners) b.kill('SIGKILL'); burners = []; }
    const from = daemon.lines.length;
    const trigger = Date.now();
    if (kind === 'rebuild') {
      fs.writeFileSync(path.join(dir, 'version'), `${k}\n`);
      daemon.signal('SIGHUP');
    }
    else await run(process.execPath, [CLI, 'rollback', '--state-dir', path.join(WORK, 'state')]);
    const switched = await daemon.waitLine(/traffic switched to |deploy failed/, from, 180_000);
    if (!switched.msg.startsWith('traffic switched to ')) throw new Error(`handover ${k}: ${switched.msg}`);
    const [, toName, toIp] = switchedTo(switched.msg)!;
    const old = { name: liveName!, ip: liveIp!, pid: livePid };
    const sockets = capture.sample(old.pid, NODE_APP_PORT, 15);
    const record: HandoverRecord = { k, kind, busy, trigger, switchAt: switched.at, from: old.name, to: toName!, oldIp: old.ip, sockets, lateSyns: [], lateNew: [], collateralDeletes: [], resets: [], failures: 0 };
    handovers.push(record);
    [liveName, liveIp] = [toName, toIp];
    livePid = await pidOf(toName!);
    const escaped = old.name.replace(/[.-]/g, '\\$&');
    const drained = await daemon.waitLine(new RegExp(`^${escaped} (drained in|still has)`), from, 120_000);
    record.drainEndAt = drained.at;
    const stopped = await daemon.waitLine(new RegExp(`^${escaped} stopped and removed`), from, 120_000);
    record.stoppedAt = stopped.at;
    capture.stopSampling(old.pid);
    record.sigtermAt = daemon.lines.slice(from).find((l) => l.source === old.name && /SIGTERM/.test(l.msg))?.at;
    await sleep(400);
    record.lateSyns = capture.syns.filter((p) => p.dst === old.ip && p.t > record.switchAt).map((p) => Math.round(p.t - record.switchAt));
    record.lateNew = capture.conntrack.filter((e) => e.kind === 'NEW' && e.replyIp === old.ip && e.t > record.switchAt).map((e) => Math.round(e.t - record.switchAt));
    record.collateralDeletes = capture.conntrack.filter((e) => e.kind === 'DESTROY' && e.userspace && e.replyIp !== old.ip && e.t >= trigger).map((e) => e.text);
    record.resets = capture.resets.filter((r) => r.t >= trigger && r.t <= (record.stoppedAt ?? 0) + 400).map((r) => ({ ms: Math.round(r.t - record.switchAt), line: r.text }));
    const at = nearest(sockets, record.drainEndAt);
    say(`#${k} ${kind}${busy ? ' busy' : ''}: ${old.name} -> ${toName}, switch ${record.switchAt - trigger} ms after trigger, drained ${record.drainEndAt - record.switchAt} ms after it`
      + `, stopped ${record.stoppedAt - record.switchAt} ms; at drain end acceptQ ${at.before?.acceptQueue ?? '?'}, sockets ${JSON.stringify(at.before?.states ?? {})}`
      + `; at SIGTERM acceptQ ${nearest(sockets, record.sigtermAt).before?.acceptQueue ?? '?'}`
      + `; SYNs to old after switch ${record.lateSyns.length} (${record.lateSyns.slice(-5).join(', ')} ms), RSTs ${record.resets.length}, live conntrack entries deleted ${record.collateralDeletes.length}; failed so far ${load.counts.failed}${SLOW_WORKERS > 0 ? ` (+${slow.counts.failed} slow)` : ''}`);
    for (const r of record.resets.slice(0, 4)) say(`   RST ${r.ms} ms after switch: ${r.line}`);
  }
  for (const b of burners) b.kill('SIGKILL');
  burners = [];
  await sleep(1500);
  await wrk.stop();
  await load.stop();
  await slow.stop();
  await Promise.all(evidence);
  report(handovers, load, slow, wrk.segments, started, daemon);
}

function report(handovers: HandoverRecord[], load: ReturnType<typeof startCloseLoad>, slow: ReturnType<typeof startCloseLoad>, segments: ReturnType<typeof startWrkSegments>['segments'], started: number, daemon: Daemon): void {
  const placed = load.failures.map((f) => ({ ...f, place: place(f.at, handovers), opened: place(f.start, handovers) }));
  for (const f of placed) if (f.place) handovers.find((h) => h.k === f.place!.k)!.failures++;
  const wrkTotal = segments.reduce((sum, s) => sum + s.requests, 0);
  const wrkFailed = segments.reduce((sum, s) => sum + wrkFailures(s), 0);
  const slowPlaced = slow.failures.map((f) => ({ ...f, place: place(f.at, handovers) }));
  const failedHandovers = new Set([...placed, ...slowPlaced].map((f) => f.place?.k));
  for (const s of segments.filter((x) => wrkFailures(x) > 0)) for (const h of handovers) if (h.switchAt >= s.start - 5000 && h.switchAt <= s.end) failedHandovers.add(h.k);
  failedHandovers.delete(undefined);
  const n = handovers.length;
  const byPhase: Record<Phase, Record<string, number>> = Object.fromEntries(PHASES.map((p) => [p, {}])) as Record<Phase, Record<string, number>>;
  for (const f of placed) if (f.place) byPhase[f.place.phase][f.kind] = (byPhase[f.place.phase][f.kind] ?? 0) + 1;
  const late = handovers.filter((h) => h.lateSyns.some((ms) => ms > 50));
  const containerResets = handovers.flatMap((h) => h.resets.filter((r) => r.line.includes(`${h.oldIp}.${NODE_APP_PORT} >`)).map((r) => ({ k: h.k, ...r })));
  const queueAtDrainEnd = handovers.map((h) => nearest(h.sockets, h.drainEndAt).before?.acceptQueue ?? -2);
  const sumOf = (kind: string, busy?: boolean) => handovers.filter((h) => h.kind === kind && (busy === undefined || h.busy === busy)).length;
  const summary = {
    date: new Date(started).toISOString(),
    minutes: Math.round((Date.now() - started) / 6000) / 10,
    hanoverd: process.env.HANOVERD_BENCH_REV ?? CLI,
    flags: EXTRA_FLAGS,
    load: LOAD,
    handovers: n,
    mix: { rebuildIdle: sumOf('rebuild', false), rebuildBusy: sumOf('rebuild', true), prebuiltIdle: sumOf('prebuilt', false), prebuiltBusy: sumOf('prebuilt', true) },
    recorder: { workers: WORKERS, ...load.counts, answered: undefined },
    slow: { workers: SLOW_WORKERS, ...slow.counts, answered: undefined, failures: slowPlaced },
    wrk: { connections: WRK_CONNECTIONS, segments: segments.length, requests: wrkTotal, failed: wrkFailed, errors: segments.filter((s) => wrkFailures(s) > 0) },
    handoversWithFailure: failedHandovers.size,
    failuresPerHandover: { observed: failedHandovers.size / Math.max(1, n), upper95: upperBound95(failedHandovers.size, n) },
    byPhase,
    oldAnsweredAfterSwitch: handovers.map((h) => ({ k: h.k, lastStartMsAfterSwitch: load.counts.answered[h.from] ? load.counts.answered[h.from]!.lastStart - h.switchAt : undefined })).filter((x) => (x.lastStartMsAfterSwitch ?? -1) > 100),
    handoversWithSynToOldAfter50ms: late.map((h) => ({ k: h.k, ms: h.lateSyns.filter((ms) => ms > 50) })),
    resetsFromOldContainer: containerResets,
    collateralDeletes: handovers.filter((h) => h.collateralDeletes.length > 0).map((h) => ({ k: h.k, entries: h.collateralDeletes })),
    acceptQueueAtDrainEnd: { max: Math.max(...queueAtDrainEnd), nonZero: queueAtDrainEnd.filter((q) => q > 0).length },
    failures: placed,
  };
  fs.writeFileSync(path.join(OUT, 'soak.json'), JSON.stringify({ summary, handovers, log: daemon.lines.filter((l) => l.level !== 'info' || !l.source) }, null, 1));
  const md = [
    `Soak ${summary.date}, ${summary.minutes} min, load ${LOAD}, hanoverd ${summary.hanoverd}${EXTRA_FLAGS.length ? ` ${EXTRA_FLAGS.join(' ')}` : ''}`,
    `handovers ${n} (rebuild idle ${summary.mix.rebuildIdle}, rebuild busy ${summary.mix.rebuildBusy}, prebuilt idle ${summary.mix.prebuiltIdle}, prebuilt busy ${summary.mix.prebuiltBusy})`,
    `recorder (${WORKERS} close connections): ${load.counts.requests} requests, ${load.counts.failed} failed`,
    `wrk -t2 -c${WRK_CONNECTIONS} ${LOAD === 'keepalive' ? 'keep-alive' : 'close'} (${segments.length} segments): ${wrkTotal} requests, ${wrkFailed} failed`,
    ...(SLOW_WORKERS > 0 ? [`slow (${SLOW_WORKERS} clients on /slow?ms=3000): ${slow.counts.requests} requests, ${slow.counts.failed} failed`] : []),
    `handovers with a failure: ${failedHandovers.size} of ${n} (95 % upper bound ${(summary.failuresPerHandover.upper95 * 100).toFixed(2)} %)`,
    `failures by phase: ${JSON.stringify(byPhase)}`,
    `handovers with a SYN to the old container > 50 ms after the switch: ${late.length}`,
    `RSTs sent by an old container: ${containerResets.length}`,
    `live conntrack entries (not to the retiring container) deleted by a userspace conntrack -D: ${handovers.reduce((n, h) => n + h.collateralDeletes.length, 0)} in ${summary.collateralDeletes.length} handovers`,
    `accept queue at drain end: max ${summary.acceptQueueAtDrainEnd.max}, non-zero in ${summary.acceptQueueAtDrainEnd.nonZero} handovers`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(OUT, 'summary.md'), md);
  process.stdout.write(md);
  say(`wrote ${OUT}`);
}

try {
  await main();
} catch (error) {
  say(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
