import type Docker from 'dockerode';
import type { RunningContainer } from '../../dist/container/start-container.js';
import type { DaemonConfig } from '../../dist/daemon/config.js';
import type { ImageSource } from '../../dist/trigger.js';
import type { AppContainer, Engine } from '../../dist/daemon/engine.js';
import type { JournalStore } from '../../dist/daemon/journal.js';
import type { Check } from '../../dist/daemon/watch-window.js';
import type { Traffic } from '../../dist/daemon/traffic.js';
import type { Backend } from '../../dist/firewall/rules.js';
import type { HistoryEntry } from '../../dist/state/history.js';
import type { LiveState } from '../../dist/state/live-state.js';

type Step = 'obtain' | 'start' | 'retire' | 'remove' | 'list';

interface FakeContainer {
  version: RunningContainer;
  running: boolean;
  exit: (code: number) => void;
}

/** The Docker engine in memory, with faults injected per step. */
export class FakeEngine implements Engine {
  containers = new Map<string, FakeContainer>();
  fail: Partial<Record<Step, (what: string) => Error | undefined>> = {};
  /** Holds `start` until released, to send signals mid-phase. */
  startGate: Promise<void> | undefined;
  obtained: ImageSource[] = [];
  /** Every build gives this image (an unchanged source), when set. */
  fixedImage: string | undefined;
  #ip = 2;

  #check(step: Step, what: string) {
    const error = this.fail[step]?.(what);
    if (error) throw error;
  }

  async obtain(source: ImageSource) {
    this.obtained.push(source);
    this.#check('obtain', source.kind);
    if (source.kind === 'image') return { id: source.id, name: source.name };
    const name = source.kind === 'pull' ? source.ref.name : 'app';
    return { id: this.fixedImage ?? `sha256:${name}-${this.obtained.length}`, name };
  }

  async start(image: { id: string; name: string }, generation: number, phases: unknown[], signal: AbortSignal, whileWarming: (v: RunningContainer) => Promise<void>) {
    const name = `app-${generation}`;
    let exit: (code: number) => void = () => {};
    const exited = new Promise<number>((resolve) => { exit = resolve; });
    const version: RunningContainer = {
      container: {} as Docker.Container, id: name, name, generation, image, ip: `172.17.0.${this.#ip++}`, bridge: 'docker0', pid: 1, tcpPorts: [80], exited,
    };
    const fake: FakeContainer = { version, running: true, exit: (code) => { fake.running = false; exit(code); } };
    this.containers.set(name, fake);
    try {
      if (this.startGate) await this.startGate;
      signal.throwIfAborted();
      this.#check('start', name);
      await whileWarming(version);
      return version;
    } catch (error) {
      this.containers.delete(name);
      throw error;
    }
  }

  async retire(version: RunningContainer) {
    this.#check('retire', version.name);
    this.containers.get(version.name)?.exit(0);
    this.containers.delete(version.name);
  }

  async remove(version: Pick<RunningContainer, 'container'> & { name?: string }) {
    const name = (version as RunningContainer).name;
    this.#check('remove', name);
    this.containers.get(name)?.exit(137);
    this.containers.delete(name);
  }

  async list(): Promise<AppContainer[]> {
    this.#check('list', '');
    return [...this.containers.values()].map(({ version, running }) => ({ id: version.name, name: version.name, running, generation: version.generation, image: version.image }));
  }

  async describe(listed: AppContainer) {
    const found = this.containers.get(listed.name);
    return found?.running ? found.version : undefined;
  }

  async removeById(id: string) {
    this.containers.delete(id);
  }

  async isRunning(version: RunningContainer) {
    return this.containers.get(version.name)?.running ?? false;
  }

  async answers() { return true; }
  async waitUntilAnswers() {}
  rewatch() {}

  async info(version: RunningContainer) {
    return { container: version.name, image: version.image.name, imageId: version.image.id, since: new Date().toISOString() };
  }

  async prune(built: readonly string[]) { return [...built]; }

  /** What `check` answers per container (default: fine). */
  checks = new Map<string, Check>();
  async check(version: RunningContainer): Promise<Check> {
    if (!(this.containers.get(version.name)?.running ?? false)) return { ok: false, reason: `${version.name} is not running` };
    return this.checks.get(version.name) ?? { ok: true };
  }

  /** The container crashes, as `docker kill` does. */
  kill(name: string, code = 137) {
    this.containers.get(name)?.exit(code);
  }

  running(): string[] {
    return [...this.containers.values()].filter((c) => c.running).map((c) => c.version.name).sort();
  }
}

/** Where traffic goes, in memory, with restore failures on demand. */
export class FakeTraffic implements Traffic {
  backends: Backend[] = [];
  adopted: Array<{ name: string; percent?: number }> = [];
  failSwitch = 0;
  removed = false;
  async adopt() { return this.adopted; }
  async prepare() {}
  async switchTo(backends: readonly Backend[]) {
    if (this.failSwitch > 0) {
      this.failSwitch--;
      throw new Error('iptables-restore: injected failure');
    }
    this.backends = [...backends];
  }
  async stopTraffic() { this.backends = []; }
  async reconcile() { return undefined; }
  async removeAll() { this.backends = []; this.removed = true; }
  get target(): string | undefined { return this.backends[0]?.name; }
  /** "app-3:50,app-2" */
  get shares(): string { return this.backends.map((b) => `${b.name}${b.percent !== undefined ? `:${b.percent}` : ''}`).join(','); }
}

/** A journal store whose writes fail while `full` is set (a full disk). */
export class FakeStore implements JournalStore {
  state: LiveState | undefined;
  entries: HistoryEntry[] = [];
  full = false;
  writeState(state: LiveState) {
    if (this.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    this.state = structuredClone(state);
  }
  append(entry: HistoryEntry) {
    if (this.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    this.entries.push(entry);
  }
  read(limit: number) { return this.entries.slice(-limit); }
}

export function testConfig(overrides: Partial<DaemonConfig> = {}): DaemonConfig {
  return {
    app: 'app',
    source: { kind: 'build', dir: '/nonexistent', tag: 'app' },
    container: { app: 'app', env: [], mounts: [], bindings: [], command: [], init: true, labels: {}, engine: { config: {}, hostConfig: {} }, networks: [], networkAliases: [] },
    bindings: [{ hostIp: undefined, hostPort: 18080, containerPort: 80, protocol: 'tcp' }],
    statusUri: '/',
    isReady: (status) => status === 200,
    readyTimeoutMs: 1000,
    overlap: true,
    overlapGraceMs: 0,
    drainTimeoutMs: 0,
    stopTimeoutMs: 0,
    stateDir: '/nonexistent',
    ...overrides,
  };
}
