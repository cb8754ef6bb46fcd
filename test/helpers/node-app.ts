import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A keep-alive app: an image built FROM scratch with this host's `node` binary and the
 * shared libraries `ldd` lists for it copied in (nothing is pulled), running a small
 * HTTP/1.1 server with keep-alive on. It listens on port 8000 (PORT) and answers
 *
 *   /           its hostname (the container name under hanoverd), at once
 *   /slow?ms=N  its hostname after N milliseconds (default 3000)
 *
 * On SIGTERM it shuts down gracefully, as a well-behaved server does: it stops accepting,
 * every response from then on carries `Connection: close` (so busy keep-alive connections
 * end cleanly after their current request), connections still idle after a short grace
 * (DRAIN_GRACE_MS, default 500 ms) are closed, in-flight requests complete, and it exits 0
 * once the last connection is gone.
 */
export const NODE_APP_PORT = 8000;

export const SERVER_SOURCE = String.raw`import http from 'node:http';
import net from 'node:net';
import os from 'node:os';

const port = Number(process.env.PORT ?? 8000);
const graceMs = Number(process.env.DRAIN_GRACE_MS ?? 500);
const name = os.hostname();
let draining = false;

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://app');
  const send = () => {
    // Decided when the response is written: a request that was in flight at SIGTERM gets
    // Connection: close, so its client opens its next connection elsewhere.
    if (draining) res.setHeader('Connection', 'close');
    res.setHeader('Content-Type', 'text/plain');
    res.end(name + '\n');
  };
  if (url.pathname === '/slow') {
    const timer = setTimeout(send, Number(url.searchParams.get('ms') ?? 3000));
    res.on('close', () => clearTimeout(timer));
  } else {
    send();
  }
});
server.keepAliveTimeout = 5000;

process.on('SIGTERM', () => {
  if (draining) return;
  draining = true;
  console.log(name + ': SIGTERM, draining');
  // Stop accepting now, without touching the open connections (http.Server#close would
  // also close the idle ones at once, racing a request a client is sending right now).
  net.Server.prototype.close.call(server, () => {
    console.log(name + ': all connections closed, exiting');
    process.exit(0);
  });
  // Busy keep-alive connections get Connection: close on their next response; the ones
  // still idle after the grace have no client sending on them: close those.
  setTimeout(() => {
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 250).unref();
  }, graceMs).unref();
  setTimeout(() => {
    console.log(name + ': connections still open after 30s, exiting anyway');
    process.exit(0);
  }, 30_000).unref();
});

server.listen(port, () => console.log(name + ': listening on ' + port));
`;

export const NODE_APP_DOCKERFILE = [
  'FROM scratch',
  'COPY rootfs/ /',
  `EXPOSE ${NODE_APP_PORT}`,
  'ENTRYPOINT ["/bin/node", "/app/server.mjs"]',
  '',
].join('\n');

/** The libraries `ldd` says `binary` loads, with the dynamic loader itself. */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libraries: string[] = [];
  for (const line of out.split('\n')) {
    const match = line.match(/=>\s*(\/\S+)/) ?? line.match(/^\s*(\/\S+)\s+\(/);
    if (match?.[1]) libraries.push(match[1]);
  }
  return libraries;
}

/**
 * Writes the build context (Dockerfile, rootfs/ with node, its libraries and the server)
 * into `dir`. `node` defaults to the binary running this process.
 */
export function writeNodeAppContext(dir: string, node = process.execPath): void {
  const rootfs = path.join(dir, 'rootfs');
  fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(rootfs, 'app'), { recursive: true });
  fs.copyFileSync(node, path.join(rootfs, 'bin', 'node'));
  for (const library of sharedLibraries(node)) {
    // Same path inside the image; copyFileSync follows symlinks, so the file is real.
    const target = path.join(rootfs, library);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(library, target);
  }
  fs.mkdirSync(path.join(rootfs, 'tmp'), { recursive: true });
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  fs.writeFileSync(path.join(rootfs, 'app', 'server.mjs'), SERVER_SOURCE);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), NODE_APP_DOCKERFILE);
}

export interface NodeApp {
  name: string;
  /** The build context: run hanoverd here, or `docker build` it. */
  dir: string;
  remove(): void;
}

/** A fresh build context in a temporary directory named like the app (`<prefix>-<kind>-<hex>`). */
export function makeNodeApp(kind: string, prefix = 'hte2e'): NodeApp {
  const name = `${prefix}-${kind}-${randomBytes(3).toString('hex')}`;
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), `hanoverd-${prefix}-`));
  const dir = path.join(parent, name);
  fs.mkdirSync(dir);
  writeNodeAppContext(dir);
  return { name, dir, remove: () => fs.rmSync(parent, { recursive: true, force: true }) };
}
