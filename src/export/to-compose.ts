import path from 'node:path';
import { imageEnv } from '../container/image-env.js';
import type { DaemonConfig } from '../daemon/config.js';
import { DefaultDrainTimeout, DefaultOverlapGrace, DefaultStatusUri, DefaultStopTimeout, DefaultWatchFailures } from '../defaults.js';
import { parseDuration } from '../duration.js';
import type { Healthcheck } from '../options/healthcheck.js';
import { pullReference } from '../options/image-ref.js';
import type { PortBinding } from '../options/publish.js';
import type { MountSpec } from '../options/volume.js';
import type { ComposeExport, ComposeFile, ComposeHealthcheck, ComposeNote, ComposeService, ComposeVolume } from './compose-file.js';

/** What `hanoverd export` turns into a compose file: the run command's validated config, and the flags it does not keep. */
export interface ExportInput {
  config: DaemonConfig;
  /** Where hanoverd would run: relative paths in the file are from here (`build: .`). */
  cwd: string;
  /** `-e` as given (validated): `NAME=value`, or `NAME` to pass through the value compose sees. */
  env: readonly string[];
  /** `--env-file` as given (read and validated): compose reads them itself. */
  envFiles: readonly string[];
  /** The built directory holds runtime/Dockerfile (a builder image), which compose cannot build. */
  runtimeDockerfile: boolean;
}

/** A derived healthcheck polls this often; the ready timeout becomes its start period. */
export const DerivedHealthInterval = '10s';
export const DerivedHealthTimeout = '5s';
export const DerivedHealthRetries = 3;

/** `90000` → `1m30s`, as compose (and Go) read durations. */
export function composeDuration(ms: number): string {
  if (ms === 0) return '0s';
  const units: Array<[string, number]> = [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}

/** Bytes as docker's sizes: `268435456` → `256m`. */
export function composeSize(bytes: number): string {
  for (const [unit, size] of [['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const) {
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}b`;
}

/** A path as compose should see it: `./x` when inside `cwd` (the project directory), else absolute. */
function projectPath(file: string, cwd: string): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  if (relative === '') return '.';
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : `./${relative}`;
}

/** Docker's short port syntax, consecutive ports joined into ranges again. */
export function composePorts(bindings: readonly PortBinding[]): string[] {
  const runs: Array<{ first: PortBinding; count: number }> = [];
  for (const binding of bindings) {
    const last = runs.at(-1);
    if (last && last.first.hostIp === binding.hostIp && last.first.protocol === binding.protocol &&
      binding.hostPort === last.first.hostPort + last.count && binding.containerPort === last.first.containerPort + last.count) {
      last.count++;
    } else {
      runs.push({ first: binding, count: 1 });
    }
  }
  return runs.map(({ first, count }) => {
    const range = (port: number) => (count === 1 ? `${port}` : `${port}-${port + count - 1}`);
    const ip = first.hostIp === undefined ? '' : `${first.hostIp}:`;
    const protocol = first.protocol === 'tcp' ? '' : `/${first.protocol}`;
    return `${ip}${range(first.hostPort)}:${range(first.containerPort)}${protocol}`;
  });
}

/** `-e` specs as compose's environment map: a bare NAME (null) passes the value compose sees. */
function environment(specs: readonly string[], image: string | undefined): Record<string, string | null> {
  const env: Record<string, string | null> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq === -1 ? spec : spec.slice(0, eq);
    delete env[name]; // a later -e of a name wins, and takes its place in the order
    env[name] = eq === -1 ? null : spec.slice(eq + 1);
  }
  // hanoverd sets these in every container, after the user's.
  for (const entry of image === undefined ? [] : imageEnv(image)) {
    const eq = entry.indexOf('=');
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

function tmpfsOptions(mount: MountSpec): string {
  const options = [
    ...(mount.ReadOnly ? ['ro'] : []),
    ...(mount.TmpfsOptions?.SizeBytes === undefined ? [] : [`size=${composeSize(mount.TmpfsOptions.SizeBytes)}`]),
    ...(mount.TmpfsOptions?.Mode === undefined ? [] : [`mode=${mount.TmpfsOptions.Mode.toString(8).padStart(4, '0')}`]),
  ];
  return options.length === 0 ? mount.Target : `${mount.Target}:${options.join(',')}`;
}

/** A mount as compose's short syntax when it says everything, else the long one. */
function composeVolume(mount: MountSpec, cwd: string): ComposeVolume {
  const ro = mount.ReadOnly ? ':ro' : '';
  if (mount.Type === 'bind') {
    const source = projectPath(mount.Source, cwd);
    if (mount.BindOptions === undefined) return `${source}:${mount.Target}${ro}`;
    return { type: 'bind', source, target: mount.Target, ...(mount.ReadOnly ? { read_only: true } : {}), bind: { propagation: mount.BindOptions.Propagation } };
  }
  if (mount.VolumeOptions === undefined) return mount.Source === '' ? `${mount.Target}${ro}` : `${mount.Source}:${mount.Target}${ro}`;
  return {
    type: 'volume',
    ...(mount.Source === '' ? {} : { source: mount.Source }),
    target: mount.Target,
    ...(mount.ReadOnly ? { read_only: true } : {}),
    volume: { nocopy: mount.VolumeOptions.NoCopy },
  };
}

const nsDuration = (ns: number): string => (ns % 1e6 === 0 ? composeDuration(ns / 1e6) : `${Math.round(ns / 1000)}us`);

function explicitHealthcheck(check: Healthcheck): ComposeHealthcheck {
  if (check.Test?.[0] === 'NONE') return { disable: true };
  return {
    ...(check.Test === undefined ? {} : { test: check.Test }),
    ...(check.Interval === undefined ? {} : { interval: nsDuration(check.Interval) }),
    ...(check.Timeout === undefined ? {} : { timeout: nsDuration(check.Timeout) }),
    ...(check.Retries === undefined ? {} : { retries: check.Retries }),
    ...(check.StartPeriod === undefined ? {} : { start_period: nsDuration(check.StartPeriod) }),
  };
}

/** What hanoverd polled before a switch (the status URI on one port) as a Docker health check. */
function derivedHealthcheck(config: DaemonConfig): { check?: ComposeHealthcheck; note: string } {
  const port = config.statusPort ?? config.bindings.find((binding) => binding.protocol === 'tcp')?.containerPort;
  if (port === undefined) {
    return { note: 'no healthcheck: hanoverd polled --status-uri on every exposed port; give --status-port (or -p) to derive one, or --health-cmd' };
  }
  const url = `http://127.0.0.1:${port}${config.statusUri}`;
  return {
    check: {
      test: ['CMD-SHELL', `wget -q -O /dev/null ${url} || curl -fsS -o /dev/null ${url} || exit 1`],
      interval: DerivedHealthInterval,
      timeout: DerivedHealthTimeout,
      retries: DerivedHealthRetries,
      start_period: composeDuration(config.readyTimeoutMs),
    },
    note: `derived from --status-uri ${config.statusUri}${config.statusPort === undefined ? ` on port ${port}` : ` --status-port ${port}`} and --ready-timeout (start_period): it replaces the image's HEALTHCHECK, needs wget or curl in the image, and fails only on 4xx and 5xx answers (hanoverd waited for --ready-status, 200 by default); drop it to keep the image's own`,
  };
}

/** The image (or build) of the service, with what hanoverd sets in the container from it. */
function imageOf(input: ExportInput, service: ComposeService, notes: ComposeNote[]): string | undefined {
  const { config } = input;
  const source = config.source;
  switch (source.kind) {
    case 'pull':
      service.image = source.ref.name;
      return pullReference(source.ref);
    case 'build':
    case 'image':
      service.image = config.app;
      service.build = projectPath(source.kind === 'build' ? source.dir : input.cwd, input.cwd);
      notes.push({ key: 'build', text: 'docker stack deploy does not build: build and push the image (docker compose build && docker compose push) under a registry name in image:' });
      if (input.runtimeDockerfile) {
        notes.push({ key: 'build', text: 'runtime/Dockerfile: hanoverd built ./Dockerfile, ran it and built its output as the deployed image; compose builds ./Dockerfile only: build the runtime image in CI and name it in image:' });
      }
      return config.app;
    case 'git': {
      const ref = source.subdir === '' ? source.branch : `${source.branch}:${source.subdir}`;
      service.image = config.app;
      service.build = { context: `${source.repo.url}#${ref}` };
      notes.push({ key: 'build', text: `hanoverd built the exact commit each push named (tag ${config.app}:<commit>, also in HANOVERD_IMAGE*); compose builds the branch head when told to build` });
      return undefined;
    }
  }
}

/** Notes for what compose cannot express: hanoverd's own behaviour around the container. */
function unmappedNotes(config: DaemonConfig): ComposeNote[] {
  const notes: ComposeNote[] = [];
  const observe = config.observe;
  if (config.hookbot) notes.push({ text: '--hookbot: hanoverd deployed on each hookbot message; compose has no trigger: run docker compose pull (or build) && docker compose up -d, or docker stack deploy, from CI' });
  if (observe?.pollMs !== undefined) notes.push({ text: `--poll ${composeDuration(observe.pollMs)}: hanoverd deployed when the tag moved; compose does not watch registries: deploy from CI (or a registry watcher)` });
  if (observe?.preSwitch) notes.push({ text: `--pre-switch: no compose equivalent; run it before the update, e.g. docker compose run --rm ${config.app} ${observe.preSwitch.argv[0] ?? ''}${observe.preSwitch.argv.length > 1 ? ' …' : ''}` });
  if (observe?.postDeploy) notes.push({ text: '--post-deploy: no compose equivalent; run it after docker compose up -d (or docker stack deploy) returns' });
  if (observe !== undefined && observe.notify.length > 0) notes.push({ text: '--notify: no compose equivalent; docker events (or swarm service events) tell what changed' });
  if (observe?.metricsListen) notes.push({ text: '--metrics-listen: hanoverd\'s deploy metrics have no compose equivalent' });
  if (config.drainTimeoutMs !== parseDuration(DefaultDrainTimeout, '--drain-timeout') || config.overlapGraceMs !== parseDuration(DefaultOverlapGrace, '--overlap-grace-duration')) {
    notes.push({ text: '--drain-timeout, --overlap-grace-duration: no compose equivalent; the old container gets stop_signal, then stop_grace_period to finish' });
  }
  if ((config.watchFailures ?? DefaultWatchFailures) !== DefaultWatchFailures) notes.push({ key: 'deploy', text: '--watch-failures: swarm judges the new task by the healthcheck\'s retries instead' });
  return notes;
}

/** The compose file for one service that runs the app as `hanoverd [flags] [image] [command]` would. */
export function toCompose(input: ExportInput): ComposeExport {
  const { config, cwd } = input;
  const container = config.container;
  const engine = container.engine;
  const notes: ComposeNote[] = [{ text: `hanoverd export of ${config.app}: save it in ${cwd} (relative paths are from there)` }];
  const service: Partial<ComposeService> = {};
  const image = imageOf(input, service as ComposeService, notes);
  if (container.command.length > 0) service.command = [...container.command];
  if (container.init) service.init = true;
  // hanoverd starts the live image again when its container dies.
  service.restart = 'unless-stopped';
  if (config.bindings.length > 0) service.ports = composePorts(config.bindings);
  if (input.envFiles.length > 0) {
    service.env_file = input.envFiles.map((file) => projectPath(file, cwd));
    notes.push({ key: 'env_file', text: 'compose reads these when it creates the container; unlike hanoverd (and docker run) it may strip quotes and expand ${VARS} in values' });
  }
  const env = environment(input.env, image);
  if (Object.keys(env).length > 0) service.environment = env;
  const volumes = container.mounts.filter((mount) => mount.Type !== 'tmpfs').map((mount) => composeVolume(mount, cwd));
  if (volumes.length > 0) service.volumes = volumes;
  const tmpfs = [
    ...Object.entries(engine.hostConfig.Tmpfs ?? {}).map(([target, options]) => (options === '' ? target : `${target}:${options}`)),
    ...container.mounts.filter((mount) => mount.Type === 'tmpfs').map(tmpfsOptions),
  ];
  if (tmpfs.length > 0) service.tmpfs = tmpfs;
  if (engine.hostConfig.ReadonlyRootfs) service.read_only = true;
  if (Object.keys(container.labels).length > 0) service.labels = { ...container.labels };
  if (engine.config.User !== undefined) service.user = engine.config.User;
  if (engine.config.WorkingDir !== undefined) service.working_dir = engine.config.WorkingDir;
  if (engine.config.Hostname !== undefined) service.hostname = engine.config.Hostname;
  const networks = container.networks.filter((name) => name !== 'bridge');
  if (container.networks.length > 0 && networks.length === 0) {
    service.network_mode = 'bridge';
  } else if (networks.length > 0) {
    service.networks = container.networkAliases.length === 0
      ? networks
      : Object.fromEntries(networks.map((name) => [name, { aliases: [...container.networkAliases] }]));
    notes.push({ key: 'networks', text: `made with docker network create, outside compose${networks.length > 1 ? `; hanoverd sent traffic to the first, ${networks[0]}` : ''}; for swarm they must be overlay networks (docker network create -d overlay --attachable NAME)` });
    if (container.networks.includes('bridge')) notes.push({ key: 'networks', text: '--network bridge: a compose service cannot join the default bridge beside other networks; left out' });
  }
  if (engine.hostConfig.ExtraHosts) service.extra_hosts = [...engine.hostConfig.ExtraHosts];
  const capability = (name: string) => name.replace(/^CAP_/, '');
  if (engine.hostConfig.CapAdd) service.cap_add = engine.hostConfig.CapAdd.map(capability);
  if (engine.hostConfig.CapDrop) service.cap_drop = engine.hostConfig.CapDrop.map(capability);
  if (engine.hostConfig.Ulimits) {
    service.ulimits = Object.fromEntries(engine.hostConfig.Ulimits.map((ulimit) => [ulimit.Name, ulimit.Soft === ulimit.Hard ? ulimit.Soft : { soft: ulimit.Soft, hard: ulimit.Hard }]));
  }
  const log = engine.hostConfig.LogConfig;
  if (log) {
    service.logging = { ...(log.Type === '' ? {} : { driver: log.Type }), ...(Object.keys(log.Config).length === 0 ? {} : { options: { ...log.Config } }) };
  }
  if (engine.config.StopSignal !== undefined) service.stop_signal = engine.config.StopSignal;
  if (config.stopTimeoutMs !== parseDuration(DefaultStopTimeout, '--stop-timeout')) service.stop_grace_period = composeDuration(config.stopTimeoutMs);
  if (engine.config.Healthcheck) {
    service.healthcheck = explicitHealthcheck(engine.config.Healthcheck);
    if (config.statusUri !== DefaultStatusUri || config.statusPort !== undefined) {
      notes.push({ key: 'healthcheck', text: 'hanoverd also polled --status-uri before the switch; compose and swarm wait for this healthcheck alone' });
    }
  } else {
    const derived = derivedHealthcheck(config);
    if (derived.check) service.healthcheck = derived.check;
    notes.push(derived.check ? { key: 'healthcheck', text: derived.note } : { text: derived.note });
  }
  const memory = engine.hostConfig.Memory === undefined ? undefined : composeSize(engine.hostConfig.Memory);
  const cpus = engine.hostConfig.NanoCpus === undefined ? undefined : engine.hostConfig.NanoCpus / 1e9;
  if (memory !== undefined) service.mem_limit = memory;
  if (cpus !== undefined) service.cpus = cpus;
  const order = config.overlap ? 'start-first' : 'stop-first';
  service.deploy = {
    ...(memory === undefined && cpus === undefined ? {} : {
      resources: { limits: { ...(memory === undefined ? {} : { memory }), ...(cpus === undefined ? {} : { cpus: String(cpus) }) } },
    }),
    update_config: { order, failure_action: 'rollback', ...(config.watchMs ? { monitor: composeDuration(config.watchMs) } : {}) },
    rollback_config: { order },
  };
  notes.push({
    key: 'deploy',
    text: `swarm (docker stack deploy) only: ${config.overlap ? 'start the new task, wait until it is healthy, then stop the old one, as hanoverd' : 'stop the old task first, as --disable-overlap'}${config.watchMs ? `; --watch: roll back if the new task fails within ${composeDuration(config.watchMs)}` : ''}; plain docker compose up replaces the container in place`,
  });
  notes.push(...unmappedNotes(config));
  const file: ComposeFile = { services: { [config.app]: service as ComposeService } };
  if (networks.length > 0) file.networks = Object.fromEntries(networks.map((name) => [name, { external: true }]));
  const named = [...new Set(container.mounts.filter((mount) => mount.Type === 'volume' && mount.Source !== '').map((mount) => mount.Source))];
  // name: keeps the volume hanoverd used, instead of a new one prefixed with the project name.
  if (named.length > 0) file.volumes = Object.fromEntries(named.map((name) => [name, { name }]));
  return { file, notes };
}
