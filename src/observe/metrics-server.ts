import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { describeError, HanoverdError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { renderMetrics, type DaemonMetrics } from './metrics.js';

/** Where the metrics port listens; no host means every interface. */
export interface ListenAddress {
  host?: string;
  port: number;
}

/** Parses `127.0.0.1:9100`, `[::1]:9100`, `localhost:9100` or `:9100` (every interface). */
export function parseListenAddress(text: string, flag: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  const hostOk = host !== undefined && (host === '' || host === 'localhost' || (match?.[1] ? net.isIPv6(host) : net.isIPv4(host)));
  if (!match || !hostOk || port < 1 || port > 65535) {
    throw new UsageError(`${flag} "${text}": use IP:PORT, [IPv6]:PORT or :PORT (every interface), e.g. 127.0.0.1:9100`);
  }
  return host === '' ? { port } : { host: host!, port };
}

export function formatListenAddress(address: ListenAddress): string {
  if (address.host === undefined) return `:${address.port}`;
  return net.isIPv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

function answer(response: http.ServerResponse, status: number, contentType: string, body: string): void {
  if (response.headersSent) return void response.destroy();
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }).end(body);
}

async function handle(request: http.IncomingMessage, response: http.ServerResponse, metrics: DaemonMetrics): Promise<void> {
  // Only the path matters; anything unparsable is simply not /metrics.
  const pathname = (request.url ?? '').split('?')[0];
  if (pathname !== '/metrics') return answer(response, 404, 'text/plain; charset=utf-8', 'not found; metrics are at /metrics\n');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return answer(response, 405, 'text/plain; charset=utf-8', 'use GET /metrics\n');
  }
  const { contentType, body } = await renderMetrics(metrics);
  if (request.method === 'HEAD') return void response.writeHead(200, { 'content-type': contentType }).end();
  answer(response, 200, contentType, body);
}

/**
 * Serves `GET /metrics` on `address` until `signal` aborts; anything else is a 404. Garbage
 * on the socket gets a 400 and a closed connection, never an exception.
 */
export async function startMetricsServer(address: ListenAddress, metrics: DaemonMetrics, log: Logger, signal: AbortSignal): Promise<AddressInfo> {
  const server = http.createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (request, response) => {
    handle(request, response, metrics).catch((error: unknown) => {
      log.warn(`metrics: rendering failed: ${describeError(error)}`);
      answer(response, 500, 'text/plain; charset=utf-8', 'rendering the metrics failed\n');
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('error', (error) => log.warn(`metrics: ${describeError(error)}`));
  const where = formatListenAddress(address);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: address.port, ...(address.host ? { host: address.host } : {}) }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw new HanoverdError(`cannot serve metrics on ${where}; pick a free port for --metrics-listen`, { cause: error });
  }
  const close = () => {
    server.close();
    server.closeAllConnections();
  };
  if (signal.aborted) close();
  else signal.addEventListener('abort', close, { once: true });
  log.info(`metrics at http://${where.startsWith(':') ? `*${where}` : where}/metrics`);
  return server.address() as AddressInfo;
}
