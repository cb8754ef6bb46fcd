import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import {
  ControlHeadersTimeoutMs, ControlMaxConnections, ControlMaxHeaderBytes, ControlRequestTimeoutMs,
} from '../defaults.js';
import { describeError, HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import { answerRequest, type Answer, type Controller } from './control-routes.js';

export type { Controller } from './control-routes.js';

/** What one client may hold of the daemon: bounded, so that no client can wear it down. */
export interface ControlLimits {
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxHeaderBytes: number;
}

export const DefaultControlLimits: ControlLimits = {
  maxConnections: ControlMaxConnections,
  headersTimeoutMs: ControlHeadersTimeoutMs,
  requestTimeoutMs: ControlRequestTimeoutMs,
  maxHeaderBytes: ControlMaxHeaderBytes,
};

export interface ControlServerOptions {
  app: string;
  /** A group that may use the socket besides its owner. */
  gid?: number;
  log?: Logger;
  limits?: Partial<ControlLimits>;
}

async function isAnswering(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = net.connect(socket);
    connection.once('connect', () => { connection.destroy(); resolve(true); });
    connection.once('error', () => resolve(false));
  });
}

function send(response: http.ServerResponse, answer: Answer): void {
  if (response.headersSent || response.destroyed) return;
  // One request per connection: nothing to keep alive, and an unread body is dropped with it.
  response.writeHead(answer.status, {
    'content-type': answer.contentType ?? 'application/json',
    'content-length': Buffer.byteLength(answer.json),
    connection: 'close',
  }).end(answer.json);
}

/**
 * HTTP over a unix socket in the state directory, only for its owner (and `gid`, when
 * given). A socket that answers means another daemon uses this state directory: refuse
 * to start. Malformed, oversized, slow or too many requests are answered or dropped;
 * none of them reaches beyond the request it came with.
 */
export async function startControlServer(socket: string, controller: Controller, options: ControlServerOptions): Promise<http.Server> {
  const { app, gid, log } = options;
  const limits = { ...DefaultControlLimits, ...options.limits };
  if (fs.existsSync(socket)) {
    if (await isAnswering(socket)) {
      throw new HanoverdError(`another hanoverd is already using ${socket} (for ${app}?); stop it first or use another --state-dir`);
    }
    fs.rmSync(socket, { force: true });
  }
  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node looks for expired requests only this often (30s by default).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headersTimeoutMs / 4)),
  }, (request, response) => {
    try {
      void answerRequest(request.method, request.url, controller).then((answer) => send(response, answer));
    } catch (error) {
      log?.warn(`control socket: answering ${request.method} failed: ${describeError(error)}`);
      response.destroy();
    }
  });
  server.maxConnections = limits.maxConnections;
  // A connection that sends nothing at all is not a request yet: close it too.
  server.setTimeout(limits.requestTimeoutMs, (connection) => connection.destroy());
  // Created with no permissions for anyone else from the first instant.
  const previousMask = process.umask(gid === undefined ? 0o177 : 0o117);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previousMask);
  }
  server.on('error', (error) => log?.warn(`control socket: ${describeError(error)}`));
  if (gid !== undefined) fs.chownSync(socket, process.getuid?.() ?? 0, gid);
  return server;
}
