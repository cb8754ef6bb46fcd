// wrk, with its summary read from a Lua `done` hook as JSON.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { BenchContext } from '../harness/bench-context.ts';
import type { WrkResult } from '../types.ts';

const SUMMARY_LUA = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"durationUs":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
`;

/** `wrk -t T -c C` on `url` for `seconds`, from this host or from inside `netns`. */
export async function wrk(ctx: BenchContext, url: string, options: { seconds: number; close: boolean; netns?: string }): Promise<WrkResult> {
  const script = path.join(ctx.work, 'summary.lua');
  if (!fs.existsSync(script)) fs.writeFileSync(script, SUMMARY_LUA);
  const args = ['-t', String(ctx.config.threads), '-c', String(ctx.config.connections), '-d', `${options.seconds}s`, '--timeout', ctx.config.wrkTimeout, '-s', script];
  if (options.close) args.push('-H', 'Connection: close');
  args.push(url);
  const [cmd, full] = options.netns ? ['ip', ['netns', 'exec', options.netns, 'wrk', ...args]] : ['wrk', args];
  const { stdout } = await execa(cmd, full, { timeout: (options.seconds + 30) * 1000 });
  const line = stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
  const raw = JSON.parse(line.slice(8)) as Omit<WrkResult, 'rps' | 'socketErrors' | 'failed'>;
  const socketErrors = raw.connect + raw.read + raw.write + raw.timeout;
  return { ...raw, rps: raw.requests / (raw.durationUs / 1e6), socketErrors, failed: socketErrors + raw.status };
}
