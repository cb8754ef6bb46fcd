// What every part of one benchmark run shares: its settings, names, ports, scratch space
// and clean-ups. Made once by run.ts and passed down; nothing here runs at import time.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Cleanups } from './cleanups.ts';
import { say } from './say.ts';

export function benchConfig(quick: boolean) {
  return {
    handoverSeconds: quick ? 10 : 26,
    handovers: quick ? 2 : 5,
    firstTriggerS: 2,
    lastTriggerBeforeEndS: 5,
    threads: 2,
    connections: 64,
    wrkTimeout: '5s',
    slowMs: 3000,
    slowWorkers: 8,
    probeWorkers: 4,
    probeIntervalMs: 10,
    dataSeconds: quick ? 2 : 3,
    // 10 pairs: the 2nd and 9th of the sorted ratios bound their median with 97.9 % confidence.
    dataPairs: quick ? 3 : 10,
    dataReps: quick ? 1 : 2,
    /** Trigger → serving without load, and the docker run floor: each this many times. */
    likeForLike: quick ? 2 : 5,
    overlapGrace: '1s',
    drainTimeout: '2s',
    stopTimeout: '10s',
    nginxGraceMs: 1000,
    nginxDrainMs: 2000,
  };
}
export type BenchConfig = ReturnType<typeof benchConfig>;

export interface BenchContext {
  config: BenchConfig;
  quick: boolean;
  /** Short random id: every container, image, namespace and rule of the run carries it. */
  id: string;
  /** hanoverd's app name, and the prefix of every other container name. */
  app: string;
  ports: { hanoverd: number; naive: number; nginx: number; pull: number; docker: number };
  /** Scratch space, removed at the end. */
  work: string;
  /** Where raw results and logs go (bench/out). */
  out: string;
  /** hanoverd under test (its dist/cli.js). */
  cli: string;
  /** The app image, by ID (set once built). */
  image: string;
  cleanups: Cleanups;
  say: (message: string) => void;
}

export function createContext(options: { quick: boolean; out: string; cli: string }): BenchContext {
  const id = randomBytes(3).toString('hex');
  const base = 21_000 + Math.floor(Math.random() * 900);
  const cleanups = new Cleanups(say);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hvbench-'));
  cleanups.add('work dir', async () => fs.rmSync(work, { recursive: true, force: true }));
  fs.mkdirSync(options.out, { recursive: true });
  return {
    config: benchConfig(options.quick),
    quick: options.quick,
    id,
    app: `hvbench-${id}`,
    ports: { hanoverd: base, naive: base + 1, nginx: base + 2, pull: base + 3, docker: base + 4 },
    work,
    out: options.out,
    cli: options.cli,
    image: '',
    cleanups,
    say,
  };
}
