import type Docker from 'dockerode';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { EngineOptions } from '../options/engine-options.js';
import type { PortBinding } from '../options/publish.js';
import type { MountSpec } from '../options/volume.js';
import type { BuiltImage } from '../source/build-image.js';
import { defaultGateway } from './default-gateway.js';
import { imageEnv } from './image-env.js';
import { GenerationLabel, NetworkLabel, versionLabels } from '../labels.js';
import { streamLogs } from './stream-logs.js';

export interface ContainerSettings {
  app: string;
  env: string[];
  mounts: MountSpec[];
  bindings: PortBinding[];
  command: string[];
  init: boolean;
  /** --label: the user's labels; hanoverd adds its own. */
  labels: Record<string, string>;
  /** docker run options the engine takes as they are: --user, --memory, --read-only, ... */
  engine: EngineOptions;
  /** --network: the networks to join, in order; the switch targets the address on the first. Empty: the default bridge. */
  networks: string[];
  /** --network-alias: the container's DNS aliases, on each user-defined network. */
  networkAliases: string[];
}

/** A started container and what the switch needs to reach it. */
export interface RunningContainer {
  container: Docker.Container;
  id: string;
  name: string;
  generation: number;
  image: BuiltImage;
  /** Address on the Docker bridge network (the first --network): where traffic is switched to. */
  ip: string;
  /** The bridge interface the address is on (docker0, or br-<id> for a user-defined network). */
  bridge: string;
  /** Host pid of the container's first process, to look into its network namespace. */
  pid: number;
  /** Exposed TCP ports, the candidates for readiness polling. */
  tcpPorts: number[];
  /** Resolves when the container exits, with its exit code. */
  exited: Promise<number>;
}

function exposedPorts(image: Docker.ImageInspectInfo, bindings: readonly PortBinding[]): Record<string, object> {
  const ports: Record<string, object> = { ...(image.Config.ExposedPorts ?? {}) };
  // A port named in -p is exposed even when the Dockerfile forgot EXPOSE.
  for (const binding of bindings) ports[`${binding.containerPort}/${binding.protocol}`] = {};
  return ports;
}

/**
 * Creates and starts `<app>-<generation>` from `image`, every exposed port published to
 * an ephemeral host port (which also opens Docker's FORWARD rules for remote traffic).
 */
export async function startContainer(
  docker: Docker,
  image: BuiltImage,
  generation: number,
  settings: ContainerSettings,
  log: Logger,
): Promise<RunningContainer> {
  const name = `${settings.app}-${generation}`;
  const imageInfo = await docker.getImage(image.id).inspect();
  const ports = exposedPorts(imageInfo, settings.bindings);
  if (!Object.keys(ports).some((key) => key.endsWith('/tcp'))) {
    throw new HanoverdError(`image ${image.name} exposes no TCP port; add EXPOSE to the Dockerfile or publish one with -p`);
  }
  const [primary, ...others] = settings.networks;
  const endpoint = (network: string) => (settings.networkAliases.length > 0 && network !== 'bridge' ? { Aliases: settings.networkAliases } : {});
  const container = await docker.createContainer({
    name,
    Hostname: name,
    ...settings.engine.config,
    Image: image.id,
    ...(settings.command.length > 0 ? { Cmd: settings.command } : {}),
    Env: [...settings.env, ...imageEnv(image.name)],
    Labels: versionLabels(settings.app, generation, primary, settings.labels),
    ExposedPorts: ports,
    HostConfig: {
      ...settings.engine.hostConfig,
      PublishAllPorts: true,
      Init: settings.init,
      // The engine takes partial option objects; @types/dockerode marks every field required.
      Mounts: settings.mounts as Docker.MountSettings[],
      ...(primary === undefined ? {} : { NetworkMode: primary }),
    },
    // The engine (before API 1.44) joins one network at create; the others are connected before start.
    ...(primary === undefined ? {} : { NetworkingConfig: { EndpointsConfig: { [primary]: endpoint(primary) } } }),
  }).catch((error: unknown) => {
    throw missingNetwork(error) ?? error;
  });
  const exited = waitForExit(container);
  try {
    for (const network of others) {
      await docker.getNetwork(network).connect({ Container: container.id, EndpointConfig: endpoint(network) });
    }
    await streamLogs(container, name, log);
    await container.start();
    const running = await describeRunning(docker, container, image, exited);
    if (primary !== undefined && others.length > 0) await warnOnOtherGateway(running, primary, log);
    return running;
  } catch (error) {
    await container.remove({ force: true, v: true }).catch(() => {});
    throw error instanceof HanoverdError ? error : missingNetwork(error) ?? new HanoverdError(`starting container ${name} failed`, { cause: error });
  }
}

/** Resolves with the exit code when the container next exits (-1 if the engine went away). */
export function waitForExit(container: Docker.Container): Promise<number> {
  return container.wait({ condition: 'next-exit' }).then((result: { StatusCode: number }) => result.StatusCode, () => -1);
}

/** What the switch and the drain need to know of a running container. */
export async function describeRunning(docker: Docker, container: Docker.Container, image: BuiltImage, exited: Promise<number>): Promise<RunningContainer> {
  const info = await container.inspect();
  const name = info.Name.replace(/^\//, '');
  if (!info.State.Running) {
    throw new HanoverdError(`${name} exited with code ${info.State.ExitCode} before it was ready; see its output above`);
  }
  // The first --network, recorded in a label so that an adopted container is read the same way.
  const wanted = info.Config.Labels?.[NetworkLabel];
  const networks = Object.entries(info.NetworkSettings.Networks);
  const network = networks.find(([networkName]) => networkName === wanted) ?? networks[0];
  const ip = network?.[1].IPAddress ?? '';
  if (ip === '') throw new HanoverdError(`container ${name} has no IP address on ${wanted ? `network ${wanted}` : 'a Docker network'}`);
  const bridge = await bridgeInterface(docker, network![0]);
  const tcpPorts = Object.keys(info.Config.ExposedPorts ?? {}).filter((key) => key.endsWith('/tcp')).map((key) => Number.parseInt(key, 10));
  const generation = Number(info.Config.Labels?.[GenerationLabel] ?? 0);
  return { container, id: info.Id, name, generation, image, ip, bridge, pid: info.State.Pid, tcpPorts, exited };
}

/** The host interface of a bridge network: the traffic switch works on it. */
async function bridgeInterface(docker: Docker, network: string): Promise<string> {
  const info = (await docker.getNetwork(network).inspect()) as { Id: string; Driver?: string; Options?: Record<string, string> };
  if (info.Driver !== undefined && info.Driver !== 'bridge') {
    throw new HanoverdError(`network ${network} uses the ${info.Driver} driver; hanoverd switches traffic on a host bridge, so use a bridge network`);
  }
  return info.Options?.['com.docker.network.bridge.name'] ?? `br-${info.Id.slice(0, 12)}`;
}

/** The engine's "network X not found" (at create, connect or start), as one line that says what to do. */
function missingNetwork(error: unknown): HanoverdError | undefined {
  const { statusCode, message } = error as { statusCode?: unknown; message?: unknown };
  const network = statusCode === 404 && typeof message === 'string' ? /network (\S+) not found/.exec(message)?.[1] : undefined;
  return network === undefined ? undefined : new HanoverdError(`network ${network} does not exist; create it with docker network create ${network}`, { cause: error });
}

/**
 * Docker routes a container on several networks through one of them (the first by name
 * that is not --internal) and publishes its ports there only, so the FORWARD chain lets
 * other hosts reach the first --network's address only when that is the one.
 */
async function warnOnOtherGateway(running: RunningContainer, primary: string, log: Logger): Promise<void> {
  const info = await running.container.inspect();
  const expected = info.NetworkSettings.Networks[primary]?.Gateway;
  const actual = await defaultGateway(running.pid);
  if (expected === undefined || actual === undefined || actual === expected) return;
  const via = Object.entries(info.NetworkSettings.Networks).find(([, network]) => network.Gateway === actual)?.[0] ?? actual;
  log.warn(`${running.name} routes through network ${via}, not ${primary}: clients on other hosts may not reach it; name the networks so that ${primary} sorts first, or make the others --internal`);
}
