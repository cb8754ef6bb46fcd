import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { HanoverdError } from '../errors.js';
import type { HistoryEntry } from '../state/history.js';
import type { LiveState } from '../state/live-state.js';

/** What the control API can ask of the daemon. */
export interface Controller {
  status(): LiveState;
  history(): HistoryEntry[];
  deploy(): void;
  /** Throws a HanoverdError saying why when there is nothing to roll back to. */
  rollback(): string;
}

async function isAnswering(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = net.connect(socket);
    connection.once('connect', () => { connection.destroy(); resolve(true); });
    connection.once('error', () => resolve(false));
  });
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}

/**
 * HTTP over a unix socket in the state directory, only for its owner (and `gid`, when
 * given). A socket that answers means another daemon runs this app: refuse to start.
 */
export async function startControlServer(socket: string, controller: Controller, app: string, gid?: number): Promise<http.Server> {
  if (fs.existsSync(socket)) {
    if (await isAnswering(socket)) {
      throw new HanoverdError(`another hanoverd is already running ${app} (its control socket ${socket} answers); stop it first or use another --name`);
    }
    fs.rmSync(socket, { force: true });
  }
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://hanoverd');
    try {
      if (request.method === 'GET' && url.pathname === '/status') return send(response, 200, controller.status());
      if (request.method === 'GET' && url.pathname === '/history') return send(response, 200, controller.history());
      if (request.method === 'POST' && url.pathname === '/deploy') {
        controller.deploy();
        return send(response, 202, { message: 'deploy started' });
      }
      if (request.method === 'POST' && url.pathname === '/rollback') {
        return send(response, 202, { message: controller.rollback() });
      }
      send(response, 404, { error: `no such endpoint: ${request.method} ${url.pathname}` });
    } catch (error) {
      send(response, error instanceof HanoverdError ? 409 : 500, { error: error instanceof Error ? error.message : String(error) });
    }
  });
  // Created with no permissions for anyone else from the first instant.
  const previousMask = process.umask(gid === undefined ? 0o177 : 0o117);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, () => resolve());
    });
  } finally {
    process.umask(previousMask);
  }
  if (gid !== undefined) fs.chownSync(socket, process.getuid?.() ?? 0, gid);
  return server;
}
