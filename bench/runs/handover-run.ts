// Handovers under load: wrk and the probe run for a fixed time while the system is
// triggered at planned moments; every request is counted, every handover timed.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../harness/bench-context.ts';
import { now } from '../harness/say.ts';
import { firstNewConnection, startProbe, summarizeErrors } from '../load/probe.ts';
import { wrk } from '../load/wrk.ts';
import type { System } from '../systems/system.ts';
import type { HandoverEvent, HandoverRun, LoadKind, Sample, WrkResult } from '../types.ts';

type Packed = Array<[number, number, number, string?]>;
// [t, ms, ok, who answered (container name) or the error]
const pack = (samples: readonly Sample[], digits = 0): Packed => samples.map((s) => [
  Math.round(s.t), Math.round(s.ms * 10 ** digits) / 10 ** digits, s.ok ? 1 : 0, s.ok ? s.body ?? '' : s.err ?? `HTTP ${s.status}`,
]);

export async function handoverRun(ctx: BenchContext, system: System, load: LoadKind): Promise<HandoverRun> {
  const c = ctx.config;
  ctx.say(`${system.name} / ${load}: ${c.handoverSeconds}s, ${c.handovers} handovers`);
  await system.setup();
  const t0 = now();
  const probe = startProbe(system.url, t0, { keepAlive: load === 'keepalive', workers: c.probeWorkers, intervalMs: c.probeIntervalMs, timeoutMs: 10_000 });
  const slow = load === 'slowmix'
    ? startProbe(`${system.url}slow?ms=${c.slowMs}`, t0, { keepAlive: false, workers: c.slowWorkers, intervalMs: 0, timeoutMs: 20_000, staggerMs: c.slowMs / c.slowWorkers })
    : undefined;
  const load$ = wrk(ctx, system.url, { seconds: c.handoverSeconds, close: load !== 'keepalive' });
  const events: HandoverEvent[] = [];
  const moved: Promise<void>[] = [];
  let wrkResult: WrkResult;
  let probeSamples: Sample[];
  let slowSamples: Sample[] | undefined;
  const span = c.handoverSeconds - c.firstTriggerS - c.lastTriggerBeforeEndS;
  try {
    for (let k = 1; k <= c.handovers; k++) {
      const planned = t0 + 1000 * (c.firstTriggerS + (c.handovers === 1 ? 0 : (span * (k - 1)) / (c.handovers - 1)));
      if (planned > now()) await sleep(planned - now());
      const event = await timedHandover(system, k, t0);
      events.push(event);
      // Keep-alive clients move only when the old version closes their connections: noted, not waited for.
      moved.push(probe.firstBody(event.name, 30_000).then((at) => { event.probeMovedT = at !== undefined ? at - t0 : undefined; }));
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
    seconds: c.handoverSeconds,
    wrk: wrkResult,
    probe: count(probeSamples)!,
    slow: count(slowSamples),
    slowSamples: slowSamples && pack(slowSamples),
    events,
    samples: pack(probeSamples, 2),
  };
  ctx.say(`  wrk ${wrkResult.requests} req, ${wrkResult.failed} failed (${wrkResult.socketErrors} socket, ${wrkResult.status} status), p99 ${(wrkResult.p99Us / 1000).toFixed(1)} ms;`
    + ` probe ${result.probe.failed}/${result.probe.requests} failed${result.slow ? `; slow ${result.slow.failed}/${result.slow.requests} failed` : ''};`
    + ` trigger->serving ${events.map((e) => (e.servedT !== undefined ? Math.round(e.servedT - e.triggerT) : 'never')).join(', ')} ms`);
  return result;
}

/**
 * One handover, timed: from the trigger on, a new connection every 10 ms until one is
 * answered by the new version. Times are relative to `t0`.
 */
export async function timedHandover(system: System, k: number, t0: number): Promise<HandoverEvent> {
  const served = firstNewConnection(system.url, system.nextName(k));
  const result = await system.trigger(k);
  const servedAt = await served;
  const rel = (at: number | undefined) => (at !== undefined ? at - t0 : undefined);
  return {
    k,
    name: result.name,
    triggerT: result.triggerAt - t0,
    readyT: rel(result.readyAt),
    switchedT: rel(result.switchedAt),
    servedT: rel(servedAt),
    buildMs: result.buildMs,
  };
}

/** Handovers with no load at all, times relative to each trigger. */
export async function idleHandovers(ctx: BenchContext, system: System, count: number): Promise<HandoverEvent[]> {
  const events: HandoverEvent[] = [];
  await system.setup();
  for (let k = 1; k <= count; k++) {
    await sleep(500);
    const event = await timedHandover(system, k, now());
    // Relative to the trigger, which timedHandover stamped just after `now()` above.
    const shift = event.triggerT;
    events.push({ ...event, triggerT: 0, readyT: event.readyT === undefined ? undefined : event.readyT - shift, switchedT: event.switchedT === undefined ? undefined : event.switchedT - shift, servedT: event.servedT === undefined ? undefined : event.servedT - shift });
    ctx.say(`  ${system.name} idle handover ${k}: trigger -> serving ${Math.round((event.servedT ?? Number.NaN) - shift)} ms${event.readyT !== undefined && event.switchedT !== undefined ? `, readiness -> switch ${Math.round(event.switchedT - event.readyT)} ms` : ''}`);
    await system.settle();
  }
  await system.teardown();
  return events;
}
