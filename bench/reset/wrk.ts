// wrk as the issue ran it (`-t2 -c32 -H 'Connection: close'`, or keep-alive), in back-to-back segments so
// that its error counts (which wrk gives only as totals) can be put next to the handovers
// each segment spans.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface WrkSegment { start: number; end: number; requests: number; connect: number; read: number; write: number; timeout: number; status: number }

const LUA = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, e.connect, e.read, e.write, e.status, e.timeout))
end
`;

export function wrkFailures(segment: WrkSegment): number {
  return segment.connect + segment.read + segment.write + segment.timeout + segment.status;
}

export function startWrkSegments(url: string, dir: string, segmentSeconds: number, connections: number, keepAlive = false) {
  const script = path.join(dir, 'summary.lua');
  fs.writeFileSync(script, LUA);
  const segments: WrkSegment[] = [];
  let stopped = false;
  let current: ReturnType<typeof execFile> | undefined;
  const one = () => new Promise<void>((resolve) => {
    const start = Date.now();
    current = execFile('wrk', ['-t2', `-c${connections}`, `-d${segmentSeconds}s`, '--timeout', '5s', ...(keepAlive ? [] : ['-H', 'Connection: close']), '-s', script, url],
      { timeout: (segmentSeconds + 30) * 1000 }, (_error, stdout) => {
        const line = String(stdout).split('\n').find((l) => l.startsWith('WRKJSON '));
        if (line) segments.push({ start, end: Date.now(), ...(JSON.parse(line.slice(8)) as Omit<WrkSegment, 'start' | 'end'>) });
        resolve();
      });
  });
  const loop = (async () => {
    while (!stopped) await one();
  })();
  return {
    segments,
    async stop() {
      stopped = true;
      // SIGINT makes wrk print its summary for the part it ran.
      current?.kill('SIGINT');
      await loop;
    },
  };
}
