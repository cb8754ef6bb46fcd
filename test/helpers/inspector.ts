import fs from 'node:fs';
import { request } from 'undici';
import WebSocket from 'ws';

/**
 * A look inside a node process started with `--inspect=127.0.0.1:<port>`, through the
 * DevTools protocol: a forced full GC, its heap figures, a heap snapshot. For finding
 * what grows; a process under test runs without it.
 */
export interface Inspector {
  /** process.memoryUsage() in MiB, after a full GC. */
  memoryAfterGc(): Promise<Record<string, number>>;
  /** Writes a .heapsnapshot (Chrome DevTools' Memory tab opens it). */
  heapSnapshot(file: string): Promise<void>;
  evaluate(expression: string): Promise<unknown>;
  close(): void;
}

export async function connectInspector(port: number): Promise<Inspector> {
  const targets = await (await request(`http://127.0.0.1:${port}/json/list`)).body.json() as Array<{ webSocketDebuggerUrl: string }>;
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl, { maxPayload: 1 << 30 });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 1;
  const pending = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  const events = new Map<string, (params: Record<string, unknown>) => void>();
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown> };
    if (message.id !== undefined) {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
    } else if (message.method) {
      events.get(message.method)?.(message.params ?? {});
    }
  });
  const send = (method: string, params: Record<string, unknown> = {}) => new Promise<unknown>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    socket.send(JSON.stringify({ id, method, params }));
  });
  const evaluate = async (expression: string) => {
    const result = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }) as { result: { value?: unknown }; exceptionDetails?: { text: string } };
    if (result.exceptionDetails) throw new Error(`${expression}: ${result.exceptionDetails.text}`);
    return result.result.value;
  };
  return {
    evaluate,
    async memoryAfterGc() {
      await send('HeapProfiler.collectGarbage');
      const usage = await evaluate('JSON.stringify(process.memoryUsage())') as string;
      return Object.fromEntries(Object.entries(JSON.parse(usage) as Record<string, number>).map(([key, bytes]) => [key, Math.round(bytes / 104_857.6) / 10]));
    },
    async heapSnapshot(file) {
      const out = fs.createWriteStream(file);
      events.set('HeapProfiler.addHeapSnapshotChunk', (params) => out.write(params.chunk as string));
      await send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      events.delete('HeapProfiler.addHeapSnapshotChunk');
      await new Promise<void>((resolve) => out.end(resolve));
    },
    close: () => socket.close(),
  };
}
