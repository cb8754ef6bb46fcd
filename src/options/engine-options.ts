import { parseAddHost } from './add-host.js';
import { parseCapabilities } from './capability.js';
import { parseHealthcheck, type Healthcheck, type HealthFlags } from './healthcheck.js';
import { parseHostname } from './hostname.js';
import { parseLogConfig, type LogConfig } from './log-config.js';
import { parseCpus, parseMemory } from './resources.js';
import { parseStopSignal } from './stop-signal.js';
import { parseTmpfs } from './tmpfs.js';
import { parseUlimits, type Ulimit } from './ulimit.js';
import { parseUser, parseWorkdir } from './user.js';

/**
 * docker run options that go to the engine as they are, in its create call's own shape
 * (Engine API ContainerConfig and HostConfig fields). Only the ones given are present.
 */
export interface EngineOptions {
  config: {
    User?: string;
    WorkingDir?: string;
    Hostname?: string;
    StopSignal?: string;
    Healthcheck?: Healthcheck;
  };
  hostConfig: {
    Memory?: number;
    NanoCpus?: number;
    ExtraHosts?: string[];
    ReadonlyRootfs?: boolean;
    Tmpfs?: Record<string, string>;
    CapAdd?: string[];
    CapDrop?: string[];
    Ulimits?: Ulimit[];
    LogConfig?: LogConfig;
  };
}

/** The flags, as given on the command line. */
export interface EngineFlags {
  user?: string | undefined;
  workdir?: string | undefined;
  hostname?: string | undefined;
  stopSignal?: string | undefined;
  memory?: string | undefined;
  cpus?: string | undefined;
  addHost: readonly string[];
  readOnly: boolean;
  tmpfs: readonly string[];
  capAdd: readonly string[];
  capDrop: readonly string[];
  ulimit: readonly string[];
  logDriver?: string | undefined;
  logOpt: readonly string[];
  health: HealthFlags;
}

/** Validates every flag (one-line UsageError for a bad one) and shapes it for the engine. */
export function parseEngineOptions(flags: EngineFlags): EngineOptions {
  const healthcheck = parseHealthcheck(flags.health);
  const logConfig = parseLogConfig(flags.logDriver, flags.logOpt);
  return {
    config: {
      ...(flags.user === undefined ? {} : { User: parseUser(flags.user) }),
      ...(flags.workdir === undefined ? {} : { WorkingDir: parseWorkdir(flags.workdir) }),
      ...(flags.hostname === undefined ? {} : { Hostname: parseHostname(flags.hostname) }),
      ...(flags.stopSignal === undefined ? {} : { StopSignal: parseStopSignal(flags.stopSignal) }),
      ...(healthcheck === undefined ? {} : { Healthcheck: healthcheck }),
    },
    hostConfig: {
      ...(flags.memory === undefined ? {} : { Memory: parseMemory(flags.memory) }),
      ...(flags.cpus === undefined ? {} : { NanoCpus: parseCpus(flags.cpus) }),
      ...(flags.addHost.length === 0 ? {} : { ExtraHosts: flags.addHost.map(parseAddHost) }),
      ...(flags.readOnly ? { ReadonlyRootfs: true } : {}),
      ...(flags.tmpfs.length === 0 ? {} : { Tmpfs: parseTmpfs(flags.tmpfs) }),
      ...(flags.capAdd.length === 0 ? {} : { CapAdd: parseCapabilities(flags.capAdd, '--cap-add') }),
      ...(flags.capDrop.length === 0 ? {} : { CapDrop: parseCapabilities(flags.capDrop, '--cap-drop') }),
      ...(flags.ulimit.length === 0 ? {} : { Ulimits: parseUlimits(flags.ulimit) }),
      ...(logConfig === undefined ? {} : { LogConfig: logConfig }),
    },
  };
}
