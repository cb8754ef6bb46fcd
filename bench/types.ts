export type LoadKind = 'close' | 'keepalive' | 'slowmix';

/** wrk's own summary (from its Lua `done` hook), latencies in microseconds. */
export interface WrkResult {
  requests: number;
  durationUs: number;
  bytes: number;
  connect: number;
  read: number;
  write: number;
  /** Responses with status >= 400 (wrk's "Non-2xx or 3xx"). */
  status: number;
  timeout: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
  rps: number;
  socketErrors: number;
  /** Socket errors + error statuses. */
  failed: number;
}

/** One probe request: sent `t` ms after the run started, took `ms`. */
export interface Sample {
  t: number;
  ms: number;
  ok: boolean;
  status?: number;
  body?: string;
  err?: string;
}

/** Times in ms since the run started (probe clock); ready/switched where the system reports them. */
export interface HandoverEvent {
  k: number;
  name: string;
  triggerT: number;
  readyT?: number;
  switchedT?: number;
  /** First new connection (one tried every 10 ms from the trigger on) answered by the new version. */
  servedT?: number;
  /** First answer from the new version to the probe's own clients (keep-alive: once their connections moved). */
  probeMovedT?: number;
  /** hanoverd: building the (cached) image, from its log. */
  buildMs?: number;
}

export interface Counted {
  requests: number;
  failed: number;
  errors: Record<string, number>;
}

export interface HandoverRun {
  system: string;
  load: LoadKind;
  seconds: number;
  wrk: WrkResult;
  probe: Counted;
  slow?: Counted;
  events: HandoverEvent[];
  /** Probe samples as [t ms, latency ms, ok 1/0, container that answered or the error]. */
  samples: Array<[number, number, number, string?]>;
  /** Slow requests (slow mix), the same way. */
  slowSamples?: Array<[number, number, number, string?]>;
}

export interface DataRun {
  client: 'local' | 'netns';
  load: 'keepalive' | 'close';
  target: string;
  rep: number;
  url: string;
  wrk: WrkResult;
}

export interface BenchResults {
  date: string;
  quick: boolean;
  config: Record<string, number | string | boolean>;
  machine: Record<string, string | number>;
  handovers: HandoverRun[];
  /** hanoverd handovers with no load; times relative to the SIGHUP (runs before the like-for-like part). */
  idleHandovers?: HandoverEvent[];
  /** Handovers with no load, by system; times relative to the trigger. */
  idle?: Record<string, HandoverEvent[]>;
  /** `docker run` of the app image until its first 200 (ms), without load and under the close load; and with `-P`, as hanoverd publishes. */
  floor?: { idle: number[]; load: number[]; idlePublished?: number[]; loadPublished?: number[] };
  dataPath: DataRun[];
  hanoverdLog: string[];
}
