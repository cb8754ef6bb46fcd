import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { Dockerfiles, makeApp, type TestApp } from './apps.ts';
import { startDaemon, type DaemonProcess } from './daemon.ts';
import { removeLeftovers } from './leftovers.ts';
import { startLoad, type Load } from './load.ts';
import { testPort } from './ports.ts';

/** The usual test bed: an app and a daemon serving it on a test port. */
export interface ServedApp {
  app: TestApp;
  daemon: DaemonProcess;
  port: number;
  /** http://127.0.0.1:<port> */
  base: string;
  stateDir: string;
  /** The daemon's arguments, for starting it again (after a kill). */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Continuous requests, when asked for: started once the daemon serves. */
  load: Load;
}

/**
 * Registers with node:test a `before` that builds the app and waits until the daemon
 * serves it, and an `after` that stops it and removes everything it made, even when a
 * test failed. The fields are filled in by `before`.
 */
export function serveApp(
  kind: string,
  options: { port?: number; dockerfile?: string; args?: string[]; env?: NodeJS.ProcessEnv; load?: { path: string; concurrency: number; maxMs: number } } = {},
): ServedApp {
  const port = options.port ?? testPort();
  const served = { port, base: `http://127.0.0.1:${port}`, env: options.env ?? {} } as ServedApp;
  before(async () => {
    served.app = makeApp(kind, options.dockerfile ?? Dockerfiles.hostname);
    served.stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-state-'));
    served.args = ['-p', `${port}:80`, '--state-dir', served.stateDir, ...(options.args ?? [])];
    served.daemon = startDaemon(served.app.dir, served.args, { env: served.env });
    await served.daemon.waitForLog(/traffic switched to/);
    // Here, not in a hook of the test file: node:test runs top-level hooks concurrently.
    if (options.load) served.load = startLoad(`${served.base}${options.load.path}`, options.load);
  });
  after(async () => {
    try {
      await served.load?.stop();
      await served.daemon?.stop();
    } finally {
      if (served.app) await removeLeftovers(served.app.name);
      served.app?.remove();
      if (served.stateDir) fs.rmSync(served.stateDir, { recursive: true, force: true });
    }
  });
  return served;
}
