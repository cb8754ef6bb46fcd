import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A hookbot-compatible server for tests, as the real one behaves: /sub/<topic> websockets
 * and POST /pub/<topic>, both behind `Authorization: Basic base64("TOKEN:")`; messages are
 * binary frames, and a recursive subscription (topic ending in "/") gets topic + "\0" +
 * body. It can also misbehave: drop every connection, refuse new ones, stop answering pings.
 */
export interface HookbotServer {
  /** http://127.0.0.1:port */
  base: string;
  token: string;
  /** ws://TOKEN@127.0.0.1:port/sub/<topic> */
  subUrl(topic: string): string;
  /** http://TOKEN@127.0.0.1:port/pub/<topic> */
  pubUrl(topic: string): string;
  publish(topic: string, body: string | Buffer): number;
  /** Current subscribers to exactly `topic`. */
  subscribers(topic: string): number;
  waitForSubscribers(topic: string, count?: number, timeoutMs?: number): Promise<void>;
  /** Every connection attempt so far: the request path and whether it was authorised. */
  attempts: Array<{ url: string; authorized: boolean; authorization: string | undefined }>;
  pings: number;
  published: Array<{ topic: string; body: string }>;
  dropAll(): void;
  /** Drops the connections subscribed to `topic` (every one when none is given). */
  drop(topic?: string): void;
  /** While on, new subscriptions (to `topic`, or to any) are refused with HTTP 503. */
  refuse(on: boolean, topic?: string): void;
  /** While true, pings get no pong (and nothing else is sent): the connection looks dead. */
  silence(on: boolean): void;
  close(): Promise<void>;
}

export async function startHookbotServer(token = 'test-token-3141'): Promise<HookbotServer> {
  const expected = `Basic ${Buffer.from(`${token}:`).toString('base64')}`;
  const subs = new Set<{ topic: string; ws: WebSocket }>();
  const waiters = new Set<() => void>();
  const refusing = new Set<string>();
  let silent = false;
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  const state = { pings: 0 };
  const attempts: HookbotServer['attempts'] = [];
  const published: HookbotServer['published'] = [];

  const publish = (topic: string, body: string | Buffer): number => {
    published.push({ topic, body: body.toString() });
    let sent = 0;
    for (const sub of subs) {
      if (sub.topic === topic) {
        sub.ws.send(Buffer.from(body), { binary: true });
        sent++;
      } else if (sub.topic.endsWith('/') && topic.startsWith(sub.topic)) {
        sub.ws.send(Buffer.concat([Buffer.from(topic), Buffer.from([0]), Buffer.from(body)]), { binary: true });
        sent++;
      }
    }
    return sent;
  };

  const server = http.createServer((request, response) => {
    const match = /^\/pub\/(.+)$/.exec(request.url ?? '');
    if (request.method !== 'POST' || !match) return void response.writeHead(404).end('404 Not Found\n');
    if (request.headers.authorization !== expected) return void response.writeHead(401).end('401 Unauthorized\n');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      publish(decodeURIComponent(match[1]!), Buffer.concat(chunks));
      response.writeHead(200).end('OK\n');
    });
  });
  server.on('upgrade', (request, socket, head) => {
    const authorized = request.headers.authorization === expected;
    attempts.push({ url: request.url ?? '', authorized, authorization: request.headers.authorization });
    const match = /^\/sub\/(.+)$/.exec(request.url ?? '');
    const fail = (status: string) => socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    if (!match) return fail('404 Not Found');
    if (!authorized) return fail('401 Unauthorized');
    if (refusing.has('*') || refusing.has(decodeURIComponent(match[1]!))) return fail('503 Service Unavailable');
    wss.handleUpgrade(request, socket, head, (ws) => {
      const sub = { topic: decodeURIComponent(match[1]!), ws };
      subs.add(sub);
      ws.on('ping', (data) => {
        state.pings++;
        if (!silent) ws.pong(data);
      });
      ws.on('close', () => subs.delete(sub));
      ws.on('error', () => subs.delete(sub));
      for (const waiter of waiters) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const count = (topic: string) => [...subs].filter((sub) => sub.topic === topic && sub.ws.readyState === sub.ws.OPEN).length;

  return {
    base: `http://127.0.0.1:${port}`,
    token,
    subUrl: (topic) => `ws://${token}@127.0.0.1:${port}/sub/${topic}`,
    pubUrl: (topic) => `http://${token}@127.0.0.1:${port}/pub/${topic}`,
    publish,
    subscribers: count,
    waitForSubscribers: (topic, wanted = 1, timeoutMs = 30_000) => new Promise<void>((resolve, reject) => {
      const check = () => {
        if (count(topic) < wanted) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${wanted} subscriber(s) to ${topic} within ${timeoutMs}ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    }),
    attempts,
    get pings() { return state.pings; },
    published,
    dropAll() {
      for (const sub of subs) sub.ws.terminate();
      subs.clear();
    },
    drop(topic) {
      for (const sub of subs) {
        if (topic !== undefined && sub.topic !== topic) continue;
        sub.ws.terminate();
        subs.delete(sub);
      }
    },
    refuse(on, topic = '*') {
      if (on) refusing.add(topic);
      else refusing.delete(topic);
    },
    silence(on) { silent = on; },
    async close() {
      for (const sub of subs) sub.ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
