import net from 'node:net';
import { HanoverdError } from '../errors.js';

/** Who holds an app's lock: told to a second daemon, so that its error can name them. */
export interface LockHolder {
  pid: number;
  stateDir: string;
}

export interface AppLock {
  /** Gives the lock up (the kernel does it anyway when the process dies). */
  release(): Promise<void>;
}

/** Answering who holds the lock takes little; nobody should hold its connections. */
const MAX_ASKERS = 8;
const ASK_TIMEOUT_MS = 2000;

/**
 * The lock's name in Linux's abstract socket namespace: one per app, whatever the
 * --state-dir or the user (containers and rules are per app on the one engine).
 */
export const lockName = (app: string) => `\0hanoverd/app/${app}`;

function listen(server: net.Server, name: string): Promise<'bound' | 'taken'> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') resolve('taken');
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve('bound');
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(name);
  });
}

/** Asks the holder who it is; undefined when it does not say (it just exited, or it is not hanoverd). */
function askHolder(name: string): Promise<LockHolder | undefined> {
  return new Promise((resolve) => {
    const connection = net.connect(name);
    let text = '';
    const done = (holder: LockHolder | undefined) => {
      clearTimeout(timer);
      connection.destroy();
      resolve(holder);
    };
    const timer = setTimeout(() => done(undefined), ASK_TIMEOUT_MS);
    connection.setEncoding('utf8');
    connection.on('data', (chunk: string) => { text += chunk; if (text.length > 4096) done(undefined); });
    connection.on('error', () => done(undefined));
    connection.on('end', () => {
      try {
        const holder = JSON.parse(text) as Partial<LockHolder>;
        done(typeof holder.pid === 'number' && typeof holder.stateDir === 'string' ? { pid: holder.pid, stateDir: holder.stateDir } : undefined);
      } catch {
        done(undefined);
      }
    });
  });
}

/**
 * Takes the lock of `app` for this process's life, or throws a HanoverdError naming the
 * daemon that holds it. The lock is a listening socket in the abstract namespace: binding
 * it is atomic (two daemons started at once cannot both win) and the kernel releases it
 * when the process dies, even by SIGKILL, so a killed daemon never blocks the next start.
 */
export async function lockApp(app: string, holder: LockHolder): Promise<AppLock> {
  const name = lockName(app);
  const about = `${JSON.stringify(holder)}\n`;
  // The holder that refused us may have exited since: try again once or twice.
  for (let attempt = 0; attempt < 3; attempt++) {
    const server = net.createServer((connection) => {
      connection.on('error', () => {});
      connection.end(about);
    });
    server.maxConnections = MAX_ASKERS;
    if (await listen(server, name) === 'bound') {
      // The lock must never be what keeps the process running.
      server.unref();
      server.on('error', () => {});
      return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    }
    const other = await askHolder(name);
    if (other !== undefined) {
      throw new HanoverdError(`another hanoverd is already running ${app} (pid ${other.pid}, state ${other.stateDir}); stop it first or use another --name`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new HanoverdError(`another process holds the hanoverd lock for ${app} (abstract socket @${name.slice(1)}); stop it first or use another --name`);
}
