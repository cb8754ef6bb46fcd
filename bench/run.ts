// The hanoverd benchmark driver. Run it through bench/run.sh (which installs the tools,
// builds hanoverd and restores host sysctls); `node bench/run.ts --render FILE.json [DIR]`
// re-renders RESULTS.md and handover.svg (into bench/, or DIR) from a saved run.
//
// Same app image and same load for every system:
//   hanoverd   SIGHUP; kernel DNAT switch on the published port
//   naive      docker rm -f OLD && docker run -p PORT:8000 NEW
//   nginx      blue/green: host nginx proxying to the container, upstream rewritten + nginx -s reload
// Aggregates come from wrk (Lua `done` hook -> JSON); a paced in-process probe records
// every request it makes (time, latency, status or error) for the time series and for
// "trigger -> new version serving". Nothing retries: every error is counted.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { NODE_APP_PORT, writeNodeAppContext } from '../test/helpers/node-app.ts';
import { createNamespace } from '../test/helpers/netns.ts';
import { renderResults } from './render.ts';
import { logTime } from './stats.ts';
import type { BenchResults, DataRun, HandoverEvent, HandoverRun, LoadKind, Sample, WrkResult } from './types.ts';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(BENCH, 'out');

if (process.argv[2] === '--render') {
  const results = JSON.parse(fs.readFileSync(process.argv[3] ?? path.join(OUT, 'latest.json'), 'utf8')) as BenchResults;
  renderResults(results, process.argv[4] ?? BENCH);
  process.exit(0);
}

const QUICK = process.env.BENCH_QUICK === '1';
const CONFIG = {
  handoverSeconds: QUICK ? 10 : 26,
  handovers: QUICK ? 2 : 5,
  firstTriggerS: 2,
  lastTriggerBeforeEndS: 5,
  threads: 2,
  connections: 64,
  wrkTimeout: '5s',
  slowMs: 3000,
  slowWorkers: 8,
  probeWorkers: 4,
  probeIntervalMs: 10,
  dataSeconds: QUICK ? 2 : 3,
  dataPairs: QUICK ? 2 : 5,
  dataReps: QUICK ? 1 : 2,
  overlapGrace: '1s',
  drainTimeout: '2s',
  stopTimeout: '10s',
  nginxGraceMs: 1000,
  nginxDrainMs: 2000,
};

const CLI = process.env.HANOVERD_BENCH_CLI ?? path.join(BENCH, 'out/hanoverd/dist/cli.js');
const id = randomBytes(3).toString('hex');
const APP = `hvbench-${id}`;
const basePort = 21_000 + Math.floor(Math.random() * 900);
const PORTS = { hanoverd: basePort, naive: basePort + 1, nginx: basePort + 2 };
const now = () => performance.timeOrigin + performance.now();
const say = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} bench: ${message}\n`);

// ---------------------------------------------------------------- processes

function run(cmd: string, args: string[], options: { input?: string; allowFail?: boolean; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 120_000 }, (error, stdout, stderr) => {
      if (error && !options.allowFail) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}
const docker = (...args: string[]) => run('docker', args);

const cleanups: Array<{ what: string; fn: () => Promise<unknown> }> = [];
const onCleanup = (what: string, fn: () => Promise<unknown>) => cleanups.push({ what, fn });
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const { what, fn } of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        say(`cleanup (${what}) failed: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------- HTTP helpers

async function getBody(url: string, timeoutMs = 2000): Promise<{ status: number; body: string } | undefined> {
  try {
    const response = await request(url, { reset: true, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    return { status: response.statusCode, body: (await response.body.text()).trim() };
  } catch {
    return undefined;
  }
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 20): Promise<T> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Paced requests from `workers` loops (one every `intervalMs` each, or back to back when 0),
 * each recorded. Close mode opens a connection per request; keep-alive reuses `workers`
 * connections. No retries: undici's `request` never retries, a failure is a failure.
 */
function startProbe(url: string, t0: number, options: { keepAlive: boolean; workers: number; intervalMs: number; timeoutMs: number; staggerMs?: number }) {
  const samples: Sample[] = [];
  const dispatcher = new Agent({ connections: options.keepAlive ? options.workers : null, pipelining: 1 });
  const bodyWaiters: Array<{ body: string; resolve: (at: number) => void }> = [];
  const seen = new Map<string, number>();
  let stopped = false;
  const worker = async (index: number) => {
    await sleep((options.staggerMs ?? 0) * index);
    while (!stopped) {
      const start = now();
      const sample: Sample = { t: start - t0, ms: 0, ok: false };
      try {
        const response = await request(url, { dispatcher, reset: !options.keepAlive, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
        const body = (await response.body.text()).trim();
        sample.status = response.statusCode;
        sample.ok = response.statusCode >= 200 && response.statusCode < 300;
        if (sample.ok) {
          sample.body = body;
          const end = now();
          if (!seen.has(body)) seen.set(body, end);
          for (const waiter of bodyWaiters.filter((w) => w.body === body)) waiter.resolve(end);
        }
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        sample.err = (error as { code?: string }).code ?? cause?.code ?? String(error).slice(0, 80);
      }
      sample.ms = now() - start;
      samples.push(sample);
      const wait = options.intervalMs - (now() - start);
      if (wait > 0) await sleep(wait);
      else if (!sample.ok) await sleep(1);
    }
  };
  const workers = Promise.all(Array.from({ length: options.workers }, (_, i) => worker(i)));
  return {
    samples,
    /** Resolves with the time the first 2xx from `body` (a container name) was received. */
    firstBody(body: string, timeoutMs: number): Promise<number | undefined> {
      const known = seen.get(body);
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), timeoutMs);
        bodyWaiters.push({ body, resolve: (at) => { clearTimeout(timer); resolve(at); } });
      });
    },
    async stop(): Promise<Sample[]> {
      stopped = true;
      await workers;
      await dispatcher.close();
      return samples;
    },
  };
}

// ---------------------------------------------------------------- wrk

const WRK_LUA = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"durationUs":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
`;
let wrkScript = '';

async function wrk(url: string, options: { seconds: number; close: boolean; netns?: string }): Promise<WrkResult> {
  const args = ['-t', String(CONFIG.threads), '-c', String(CONFIG.connections), '-d', `${options.seconds}s`, '--timeout', CONFIG.wrkTimeout, '-s', wrkScript];
  if (options.close) args.push('-H', 'Connection: close');
  args.push(url);
  const [cmd, full] = options.netns ? ['ip', ['netns', 'exec', options.netns, 'wrk', ...args]] : ['wrk', args];
  const stdout = await run(cmd, full as string[], { timeoutMs: (options.seconds + 30) * 1000 });
  const line = stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
  const raw = JSON.parse(line.slice(8)) as Omit<WrkResult, 'rps' | 'socketErrors' | 'failed'>;
  const socketErrors = raw.connect + raw.read + raw.write + raw.timeout;
  return { ...raw, rps: raw.requests / (raw.durationUs / 1e6), socketErrors, failed: socketErrors + raw.status };
}

// ---------------------------------------------------------------- hanoverd

interface LogLine { at: number; text: string }

function startHanoverd(dir: string) {
  const args = [CLI, '-p', `${PORTS.hanoverd}:${NODE_APP_PORT}`, '--name', APP,
    '--overlap-grace-duration', CONFIG.overlapGrace, '--drain-timeout', CONFIG.drainTimeout, '--stop-timeout', CONFIG.stopTimeout];
  // Versions with a state directory keep it in the benchmark's scratch space, not /var/lib.
  if (HAS_STATE_DIR) args.push('--state-dir', path.join(WORK, 'state'));
  const child: ChildProcess = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const logPath = path.join(OUT, `hanoverd-${id}.log`);
  const logFile = fs.createWriteStream(logPath);
  const lines: LogLine[] = [];
  let pending = '';
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    logFile.write(chunk);
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const text of parts) lines.push({ at: logTime(text), text });
    for (const waiter of waiters) waiter();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exited = false;
  child.on('exit', () => { exited = true; for (const waiter of waiters) waiter(); });
  const waitLine = (pattern: RegExp, from: number, timeoutMs = 60_000) => new Promise<LogLine>((resolve, reject) => {
    const check = () => {
      const line = lines.slice(from).find((l) => pattern.test(l.text));
      if (line) return finish(() => resolve(line));
      if (exited) finish(() => reject(new Error(`hanoverd exited before logging ${pattern}; see ${logPath}`)));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${pattern}; see ${logPath}`))), timeoutMs);
    const finish = (then: () => void) => { clearTimeout(timer); waiters.delete(check); then(); };
    waiters.add(check);
    check();
  });
  return {
    lines,
    logPath,
    waitLine,
    signal: (name: NodeJS.Signals) => child.kill(name),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await new Promise((resolve) => (exited ? resolve(undefined) : child.once('exit', resolve)));
      clearTimeout(killer);
      logFile.end();
    },
  };
}


// ---------------------------------------------------------------- nginx

async function startNginx(upstream: string, listens: string[]) {
  const prefix = path.join(WORK, `nginx-${randomBytes(2).toString('hex')}`);
  fs.mkdirSync(prefix, { recursive: true });
  fs.chmodSync(prefix, 0o755);
  const conf = path.join(prefix, 'nginx.conf');
  const upstreamFile = path.join(prefix, 'upstream.conf');
  fs.writeFileSync(upstreamFile, `server ${upstream};\n`);
  fs.writeFileSync(conf, [
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/error.log warn;`,
    'worker_processes auto;',
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${prefix}/client; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi;`,
    `  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;`,
    `  upstream app { include ${upstreamFile}; keepalive 64; }`,
    '  server {',
    ...listens.map((listen) => `    listen ${listen};`),
    '    location / {',
    '      proxy_pass http://app;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_read_timeout 30s;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n'));
  await run('nginx', ['-c', conf, '-p', prefix]);
  const pid = () => Number(fs.readFileSync(path.join(prefix, 'nginx.pid'), 'utf8').trim());
  const stop = async () => {
    let master: number;
    try { master = pid(); } catch { return; }
    try { process.kill(master, 'SIGQUIT'); } catch { return; }
    for (let i = 0; i < 100; i++) {
      try { process.kill(master, 0); } catch { return; }
      await sleep(100);
    }
    try { process.kill(master, 'SIGKILL'); } catch { /* gone */ }
  };
  onCleanup(`nginx ${prefix}`, stop);
  return {
    async switchTo(next: string) {
      fs.writeFileSync(upstreamFile, `server ${next};\n`);
      await run('nginx', ['-c', conf, '-p', prefix, '-s', 'reload']);
    },
    stop,
  };
}

// ---------------------------------------------------------------- systems

interface TriggerResult { name: string; triggerAt: number; readyAt?: number; switchedAt?: number; buildMs?: number }
interface System {
  name: string;
  url: string;
  /** The container name the k-th handover starts (its hostname, what it answers). */
  nextName(k: number): string;
  setup(): Promise<void>;
  trigger(k: number): Promise<TriggerResult>;
  teardown(): Promise<void>;
}

const containerIp = async (name: string) => (await docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name)).trim();

async function runApp(name: string, publish?: string): Promise<void> {
  await docker('run', '-d', '--init', '--name', name, '--hostname', name, '--label', `hvbench=${id}`, ...(publish ? ['-p', publish] : []), IMAGE);
}

function hanoverdSystem(daemon: ReturnType<typeof startHanoverd>): System {
  const last = [...daemon.lines].reverse().find((l) => l.text.includes('traffic switched to '));
  let generation = Number(last?.text.match(/traffic switched to \S+-(\d+)/)?.[1] ?? 1);
  return {
    name: 'hanoverd',
    url: `http://127.0.0.1:${PORTS.hanoverd}/`,
    nextName: () => `${APP}-${generation + 1}`,
    async setup() {
      // Start each run with one container, its predecessors gone.
      await waitFor('hanoverd to retire old containers', async () => {
        const names = (await docker('ps', '-aq', '--filter', `label=hanoverd.app=${APP}`)).trim().split('\n').filter(Boolean);
        return names.length === 1 ? true : undefined;
      }, 60_000, 200);
    },
    async trigger() {
      const next = `${APP}-${++generation}`;
      const from = daemon.lines.length;
      const triggerAt = now();
      daemon.signal('SIGHUP');
      const switched = await daemon.waitLine(new RegExp(`traffic switched to ${next}\\b|deploy failed`), from, 60_000);
      if (!switched.text.includes('traffic switched')) throw new Error(`hanoverd: ${switched.text}`);
      const ready = daemon.lines.slice(from).find((l) => l.text.includes(`${next} is ready on port`));
      const built = daemon.lines.slice(from).map((l) => l.text.match(/ info  image \S+ \(\w+\) (?:ready|obtained) in ([\d.]+)(ms|s)\b/)).find(Boolean);
      const buildMs = built ? Number(built[1]) * (built[2] === 's' ? 1000 : 1) : undefined;
      return { name: next, triggerAt, readyAt: ready?.at, switchedAt: switched.at, buildMs };
    },
    async teardown() {},
  };
}

function naiveSystem(): System {
  let current = '';
  const url = `http://127.0.0.1:${PORTS.naive}/`;
  return {
    name: 'naive',
    url,
    nextName: (k) => `${APP}-naive-${k}`,
    async setup() {
      current = `${APP}-naive-0`;
      await runApp(current, `127.0.0.1:${PORTS.naive}:${NODE_APP_PORT}`);
      await waitFor('naive app', async () => ((await getBody(url))?.body === current ? true : undefined));
    },
    async trigger(k) {
      const next = `${APP}-naive-${k}`;
      const triggerAt = now();
      await docker('rm', '-f', current);
      await runApp(next, `127.0.0.1:${PORTS.naive}:${NODE_APP_PORT}`);
      current = next;
      return { name: next, triggerAt };
    },
    async teardown() {
      await docker('rm', '-f', current);
    },
  };
}

function nginxSystem(): System {
  let current = '';
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  const retiring: Promise<unknown>[] = [];
  const url = `http://127.0.0.1:${PORTS.nginx}/`;
  const ready = (ip: string, name: string) => waitFor(`${name} ready`, async () => ((await getBody(`http://${ip}:${NODE_APP_PORT}/`, 1000))?.status === 200 ? true : undefined), 30_000, 5);
  return {
    name: 'nginx',
    url,
    nextName: (k) => `${APP}-ng-${k}`,
    async setup() {
      current = `${APP}-ng-0`;
      await runApp(current);
      const ip = await containerIp(current);
      await ready(ip, current);
      nginx = await startNginx(`${ip}:${NODE_APP_PORT}`, [`127.0.0.1:${PORTS.nginx}`]);
      await waitFor('nginx', async () => ((await getBody(url))?.body === current ? true : undefined));
    },
    async trigger(k) {
      const next = `${APP}-ng-${k}`;
      const triggerAt = now();
      await runApp(next);
      const ip = await containerIp(next);
      await ready(ip, next);
      const readyAt = now();
      await nginx!.switchTo(`${ip}:${NODE_APP_PORT}`);
      const switchedAt = now();
      // Retire like hanoverd does: grace, drain window, then SIGTERM (graceful app), SIGKILL after 10 s.
      const old = current;
      retiring.push(sleep(CONFIG.nginxGraceMs + CONFIG.nginxDrainMs).then(() => docker('stop', '-t', '10', old)).then(() => docker('rm', '-f', old)));
      current = next;
      return { name: next, triggerAt, readyAt, switchedAt };
    },
    async teardown() {
      await Promise.allSettled(retiring);
      await nginx?.stop();
      await docker('rm', '-f', current);
    },
  };
}

// ---------------------------------------------------------------- runs

async function handoverRun(system: System, load: LoadKind): Promise<HandoverRun> {
  say(`${system.name} / ${load}: ${CONFIG.handoverSeconds}s, ${CONFIG.handovers} handovers`);
  await system.setup();
  const t0 = now();
  const keepAlive = load === 'keepalive';
  const probe = startProbe(system.url, t0, { keepAlive, workers: CONFIG.probeWorkers, intervalMs: CONFIG.probeIntervalMs, timeoutMs: 10_000 });
  const slow = load === 'slowmix'
    ? startProbe(`${system.url}slow?ms=${CONFIG.slowMs}`, t0, { keepAlive: false, workers: CONFIG.slowWorkers, intervalMs: 0, timeoutMs: 20_000, staggerMs: CONFIG.slowMs / CONFIG.slowWorkers })
    : undefined;
  const load$ = wrk(system.url, { seconds: CONFIG.handoverSeconds, close: load !== 'keepalive' });
  const events: HandoverEvent[] = [];
  const moved: Promise<void>[] = [];
  let wrkResult: WrkResult;
  let probeSamples: Sample[];
  let slowSamples: Sample[] | undefined;
  const span = CONFIG.handoverSeconds - CONFIG.firstTriggerS - CONFIG.lastTriggerBeforeEndS;
  try {
    for (let k = 1; k <= CONFIG.handovers; k++) {
      const planned = t0 + 1000 * (CONFIG.firstTriggerS + (CONFIG.handovers === 1 ? 0 : (span * (k - 1)) / (CONFIG.handovers - 1)));
      if (planned > now()) await sleep(planned - now());
      // New connections, one every 10 ms from the trigger on, until one is answered by the new version.
      const served = firstNewConnection(system.url, system.nextName(k));
      const result = await system.trigger(k);
      const servedAt = await served;
      const event: HandoverEvent = {
        k,
        name: result.name,
        triggerT: result.triggerAt - t0,
        readyT: result.readyAt !== undefined ? result.readyAt - t0 : undefined,
        switchedT: result.switchedAt !== undefined ? result.switchedAt - t0 : undefined,
        servedT: servedAt !== undefined ? servedAt - t0 : undefined,
        buildMs: result.buildMs,
      };
      events.push(event);
      // Keep-alive clients move only when the old version closes their connections: noted, not waited for.
      moved.push(probe.firstBody(result.name, 30_000).then((at) => { event.probeMovedT = at !== undefined ? at - t0 : undefined; }));
    }
  } finally {
    wrkResult = await load$;
    await Promise.race([Promise.all(moved), sleep(5000)]);
    probeSamples = await probe.stop();
    slowSamples = await slow?.stop();
    await system.teardown();
  }
  const count = (samples: Sample[] | undefined) => samples && { requests: samples.length, failed: samples.filter((s) => !s.ok).length, errors: summarizeErrors(samples) };
  const result: HandoverRun = {
    system: system.name,
    load,
    seconds: CONFIG.handoverSeconds,
    wrk: wrkResult,
    probe: count(probeSamples)!,
    slow: count(slowSamples),
    slowSamples: slowSamples?.map((s) => [Math.round(s.t), Math.round(s.ms), s.ok ? 1 : 0, s.ok ? s.body ?? '' : s.err ?? `HTTP ${s.status}`]),
    events,
    // [t, ms, ok, who answered (container name) or the error]
    samples: probeSamples.map((s) => [Math.round(s.t), Math.round(s.ms * 100) / 100, s.ok ? 1 : 0, s.ok ? s.body ?? '' : s.err ?? `HTTP ${s.status}`]),
  };
  say(`  wrk ${wrkResult.requests} req, ${wrkResult.failed} failed (${wrkResult.socketErrors} socket, ${wrkResult.status} status), p99 ${(wrkResult.p99Us / 1000).toFixed(1)} ms;`
    + ` probe ${result.probe.failed}/${result.probe.requests} failed${result.slow ? `; slow ${result.slow.failed}/${result.slow.requests} failed` : ''};`
    + ` trigger->serving ${events.map((e) => (e.servedT !== undefined ? Math.round(e.servedT - e.triggerT) : 'never')).join(', ')} ms`);
  return result;
}

async function firstNewConnection(url: string, name: string, timeoutMs = 60_000): Promise<number | undefined> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    const started = now();
    const answer = await getBody(url, 1000);
    if (answer?.status === 200 && answer.body === name) return now();
    const wait = 10 - (now() - started);
    if (wait > 0) await sleep(wait);
  }
  return undefined;
}

/** Handovers with no load at all: the switch gap when hanoverd has the CPU to itself. */
async function idleHandovers(daemon: ReturnType<typeof startHanoverd>, count: number): Promise<HandoverEvent[]> {
  const system = hanoverdSystem(daemon);
  const events: HandoverEvent[] = [];
  for (let k = 1; k <= count; k++) {
    await system.setup();
    await sleep(500);
    const result = await system.trigger(k);
    events.push({ k, name: result.name, triggerT: 0, readyT: result.readyAt! - result.triggerAt, switchedT: result.switchedAt! - result.triggerAt, buildMs: result.buildMs });
    say(`  idle handover ${k}: readiness -> switch ${Math.round(result.switchedAt! - result.readyAt!)} ms`);
  }
  return events;
}

function summarizeErrors(samples: Sample[]): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const s of samples) if (!s.ok) errors[s.err ?? `HTTP ${s.status}`] = (errors[s.err ?? `HTTP ${s.status}`] ?? 0) + 1;
  return errors;
}

/**
 * Data path, no handover. The machine is small and shared, so throughput drifts by more than
 * the differences we look for: hanoverd's port and the container IP are measured in
 * back-to-back pairs (order alternating), and the ratio is the median of the pairs' ratios.
 * Docker's port and nginx, for reference, get fewer runs.
 */
async function dataPathRuns(targets: Array<{ target: string; client: 'local' | 'netns'; url: string }>, netns: string): Promise<DataRun[]> {
  const runs: DataRun[] = [];
  const one = async (t: { target: string; client: 'local' | 'netns'; url: string }, load: 'keepalive' | 'close', rep: number) => {
    const result = await wrk(t.url, { seconds: CONFIG.dataSeconds, close: load === 'close', netns: t.client === 'netns' ? netns : undefined });
    runs.push({ client: t.client, load, target: t.target, rep, url: t.url, wrk: result });
    say(`  data ${t.client}/${load}/${t.target} #${rep + 1}: ${Math.round(result.rps)} req/s, p99 ${(result.p99Us / 1000).toFixed(2)} ms, ${result.failed} failed`);
    await sleep(200);
  };
  for (const client of ['local', 'netns'] as const) {
    for (const load of ['keepalive', 'close'] as const) {
      const mine = targets.filter((t) => t.client === client);
      const direct = mine.find((t) => t.target === 'direct')!;
      const hanoverd = mine.find((t) => t.target === 'hanoverd')!;
      for (let rep = 0; rep < CONFIG.dataPairs; rep++) {
        for (const t of rep % 2 === 0 ? [direct, hanoverd] : [hanoverd, direct]) await one(t, load, rep);
      }
      for (let rep = 0; rep < CONFIG.dataReps; rep++) {
        for (const t of mine.filter((x) => x.target !== 'direct' && x.target !== 'hanoverd')) await one(t, load, rep);
      }
    }
  }
  return runs;
}

async function createNetns(): Promise<{ name: string; hostAddress: string }> {
  const ns = await createNamespace({ prefix: 'hvbench', network: 214, defaultRoute: true });
  onCleanup(`netns ${ns.name}`, () => ns.remove());
  await run('ip', ['netns', 'exec', ns.name, 'sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1']);
  return ns;
}

// ---------------------------------------------------------------- main

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'hvbench-'));
const HAS_STATE_DIR = await new Promise<boolean>((resolve) => execFile(process.execPath, [CLI, '--help'], (_e, out, err) => resolve(`${out}${err}`.includes('--state-dir'))));
let IMAGE = APP;

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  onCleanup('work dir', async () => fs.rmSync(WORK, { recursive: true, force: true }));
  wrkScript = path.join(WORK, 'summary.lua');
  fs.writeFileSync(wrkScript, WRK_LUA);
  if (!fs.existsSync(CLI)) throw new Error(`no hanoverd at ${CLI}; run bench/run.sh`);

  // The app: one image for every system. hanoverd rebuilds the same context on SIGHUP
  // (cached layers: the same image), as it would for a real deploy.
  const dir = path.join(WORK, APP);
  fs.mkdirSync(dir);
  writeNodeAppContext(dir);
  say(`building the app image ${APP}`);
  onCleanup('containers and image', async () => {
    const ids = [
      ...(await docker('ps', '-aq', '--filter', `label=hvbench=${id}`)).split('\n'),
      ...(await docker('ps', '-aq', '--filter', `label=hanoverd.app=${APP}`)).split('\n'),
    ].filter(Boolean);
    if (ids.length > 0) await run('docker', ['rm', '-f', '-v', ...ids], { allowFail: true });
    const nat = await run('iptables-save', ['-t', 'nat']);
    for (const rule of nat.split('\n').filter((l) => l.includes(`hanoverd:${APP}:`))) {
      await run('iptables-restore', ['--noflush'], { input: `*nat\n${rule.replace(/^-A /, '-D ')}\nCOMMIT\n`, allowFail: true });
    }
    await run('docker', ['rmi', '-f', APP], { allowFail: true });
    // Images hanoverd built and kept (labelled with the app by versions that label them).
    const kept = (await docker('images', '-q', '--filter', `label=hanoverd.built-as=${APP}`)).split('\n').filter(Boolean);
    if (kept.length > 0) await run('docker', ['rmi', '-f', ...new Set(kept)], { allowFail: true });
  });
  await docker('build', '-q', '-t', APP, dir);
  IMAGE = (await docker('image', 'inspect', '-f', '{{.Id}}', APP)).trim();

  const netns = await createNetns();
  say(`network namespace ${netns.name}, this host at ${netns.hostAddress}`);

  say(`starting hanoverd (${CLI}) on port ${PORTS.hanoverd}`);
  const daemon = startHanoverd(dir);
  onCleanup('hanoverd', () => daemon.stop());
  // The first deploy may fail for reasons outside the benchmark (an engine restarting):
  // try again a few times before giving up, as an operator would with SIGHUP.
  for (let attempt = 1, from = 0; ; attempt++) {
    const line = await daemon.waitLine(/traffic switched to |deploy failed/, from, 120_000);
    if (line.text.includes('traffic switched to ')) break;
    if (attempt === 3) throw new Error(`hanoverd could not deploy the first version: ${line.text}`);
    say(`hanoverd: ${line.text}; SIGHUP to try again`);
    from = daemon.lines.length;
    await sleep(2000);
    daemon.signal('SIGHUP');
  }

  const systems = [hanoverdSystem(daemon), naiveSystem(), nginxSystem()];
  const handovers: HandoverRun[] = [];
  for (const load of ['close', 'keepalive', 'slowmix'] as const) {
    for (const system of systems) handovers.push(await handoverRun(system, load));
  }

  say('handovers without load');
  const idle = await idleHandovers(daemon, QUICK ? 1 : 3);

  // Data path, no handover: the same live container behind each way in.
  say('data path');
  await hanoverdSystem(daemon).setup();
  const live = [...daemon.lines].reverse().find((l) => /traffic switched to (\S+)/.test(l.text))!.text.match(/traffic switched to (\S+)/)![1]!;
  const ip = await containerIp(live);
  const published = (await docker('port', live, `${NODE_APP_PORT}/tcp`)).split('\n').find((l) => l.startsWith('0.0.0.0:'))?.split(':')[1];
  if (!published) throw new Error(`${live} has no published port`);
  const nginx = await startNginx(`${ip}:${NODE_APP_PORT}`, [`127.0.0.1:${PORTS.nginx}`, `${netns.hostAddress}:${PORTS.nginx}`]);
  const targets = [
    { target: 'direct', client: 'local' as const, url: `http://${ip}:${NODE_APP_PORT}/` },
    { target: 'hanoverd', client: 'local' as const, url: `http://127.0.0.1:${PORTS.hanoverd}/` },
    { target: 'docker', client: 'local' as const, url: `http://127.0.0.1:${published}/` },
    { target: 'nginx', client: 'local' as const, url: `http://127.0.0.1:${PORTS.nginx}/` },
    { target: 'direct', client: 'netns' as const, url: `http://${ip}:${NODE_APP_PORT}/` },
    { target: 'hanoverd', client: 'netns' as const, url: `http://${netns.hostAddress}:${PORTS.hanoverd}/` },
    { target: 'docker', client: 'netns' as const, url: `http://${netns.hostAddress}:${published}/` },
    { target: 'nginx', client: 'netns' as const, url: `http://${netns.hostAddress}:${PORTS.nginx}/` },
  ];
  const dataPath = await dataPathRuns(targets, netns.name);
  await nginx.stop();

  const hanoverdLog = daemon.lines.map((l) => l.text);
  const results: BenchResults = {
    date: new Date().toISOString(),
    quick: QUICK,
    config: CONFIG,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '',
      kernel: os.release(),
      docker: (await docker('version', '--format', '{{.Server.Version}}')).trim(),
      node: process.version,
      wrk: (await run('wrk', ['-v'], { allowFail: true })).split('\n')[0]?.trim() ?? '',
      nginx: (await new Promise<string>((resolve) => execFile('nginx', ['-v'], (_e, _o, err) => resolve(String(err).trim())))),
      hanoverd: process.env.HANOVERD_BENCH_REV ?? CLI,
    },
    handovers,
    idleHandovers: idle,
    dataPath,
    hanoverdLog: hanoverdLog.filter((l) => / info | warn | error /.test(l)),
  };
  const stamp = results.date.replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(OUT, `results-${stamp}.json`), JSON.stringify(results));
  fs.writeFileSync(path.join(OUT, 'latest.json'), JSON.stringify(results));
  renderResults(results, BENCH);
  say(`wrote ${path.join(BENCH, 'RESULTS.md')}, ${path.join(BENCH, 'handover.svg')} and ${path.join(OUT, `results-${stamp}.json`)}`);
}

try {
  await main();
} catch (error) {
  say(`failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
