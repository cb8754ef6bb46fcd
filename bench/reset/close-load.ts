// A Connection: close load that records every failed request: when its connection was
// opened, when it failed, how, and its client port (to find it in conntrack and the capture).
// Nothing retries; each worker opens its next connection as soon as the last one ends.
import net from 'node:net';

export type FailureKind = 'refused' | 'reset' | 'closed' | 'timeout' | 'non-200';

export interface Failure {
  /** When the connection was opened and when the request failed (ms since the epoch). */
  start: number;
  at: number;
  kind: FailureKind;
  /** The client's port, when the connection got one. */
  port?: number;
  connected: boolean;
  bytes: number;
  detail: string;
}

export interface LoadCounts {
  requests: number;
  ok: number;
  failed: number;
  /** Per container name (what the app answers): responses, and the latest connection start it answered. */
  answered: Record<string, { count: number; lastStart: number }>;
}

export interface CloseLoad {
  counts: LoadCounts;
  failures: Failure[];
  onFailure(listener: (failure: Failure) => void): void;
  stop(): Promise<void>;
}

const request = (target: string) => `GET ${target} HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n`;

/** One request on a new connection; resolves with the answering body or a failure. */
function oneRequest(host: string, port: number, target: string, timeoutMs: number): Promise<{ body: string; start: number } | Failure> {
  const start = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let connected = false;
    let clientPort: number | undefined;
    let settled = false;
    const finish = (result: { body: string; start: number } | Failure) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const fail = (kind: FailureKind, detail: string) => finish({ start, at: Date.now(), kind, ...(clientPort ? { port: clientPort } : {}), connected, bytes, detail });
    const timer = setTimeout(() => fail('timeout', `no complete response within ${timeoutMs} ms`), timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      connected = true;
      clientPort = socket.localPort;
      socket.write(request(target));
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      bytes += chunk.length;
    });
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      if (head < 0) return fail('closed', `connection closed after ${bytes} bytes, before a complete response`);
      const status = Number(text.slice(9, 12));
      const length = Number(text.slice(0, head).match(/\r\ncontent-length:\s*(\d+)/i)?.[1] ?? Number.NaN);
      const body = text.slice(head + 4);
      if (Number.isFinite(length) && Buffer.byteLength(body, 'latin1') < length) return fail('closed', `connection closed after ${bytes} bytes, inside the body`);
      if (status !== 200) return fail('non-200', `HTTP ${status}`);
      finish({ body: body.trim(), start });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? String(error);
      if (code === 'ECONNREFUSED') fail('refused', code);
      else if (code === 'ETIMEDOUT') fail('timeout', code);
      else fail(code === 'ECONNRESET' || code === 'EPIPE' ? 'reset' : 'closed', `${code} after ${bytes} bytes${connected ? '' : ', before connect'}`);
    });
  });
}

export function startCloseLoad(host: string, port: number, workers: number, timeoutMs: number, target = '/'): CloseLoad {
  const counts: LoadCounts = { requests: 0, ok: 0, failed: 0, answered: {} };
  const failures: Failure[] = [];
  const listeners: Array<(failure: Failure) => void> = [];
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const result = await oneRequest(host, port, target, timeoutMs);
      counts.requests++;
      if ('kind' in result) {
        counts.failed++;
        failures.push(result);
        for (const listener of listeners) listener(result);
        // A port nothing listens on refuses at once: do not spin.
        await new Promise((resolve) => setTimeout(resolve, 1));
      } else {
        counts.ok++;
        const seen = (counts.answered[result.body] ??= { count: 0, lastStart: 0 });
        seen.count++;
        seen.lastStart = Math.max(seen.lastStart, result.start);
      }
    }
  };
  const running = Promise.all(Array.from({ length: workers }, () => worker()));
  return {
    counts,
    failures,
    onFailure: (listener) => listeners.push(listener),
    async stop() {
      stopped = true;
      await running;
    },
  };
}
