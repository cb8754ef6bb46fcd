import type Docker from 'dockerode';
import { HanoverdError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PortBinding } from '../options/publish.js';
import type { MountSpec } from '../options/volume.js';
import type { BuiltImage } from '../source/build-image.js';
import { imageEnv } from './image-env.js';
import { AppLabel, GenerationLabel } from './labels.js';
import { streamLogs } from './stream-logs.js';

export interface ContainerSettings {
  app: string;
  env: string[];
  mounts: MountSpec[];
  bindings: PortBinding[];
  command: string[];
  init: boolean;
}

/** A started container and what the switch needs to reach it. */
export interface RunningContainer {
  container: Docker.Container;
  id: string;
  name: string;
  generation: number;
  image: BuiltImage;
  /** Address on the Docker bridge. */
  ip: string;
  /** The bridge interface the address is on (e.g. docker0). */
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
  const container = await docker.createContainer({
    name,
    Hostname: name,
    Image: image.id,
    ...(settings.command.length > 0 ? { Cmd: settings.command } : {}),
    Env: [...settings.env, ...imageEnv(image.name)],
    Labels: { [AppLabel]: settings.app, [GenerationLabel]: String(generation) },
    ExposedPorts: ports,
    HostConfig: {
      PublishAllPorts: true,
      Init: settings.init,
      // The engine takes partial option objects; @types/dockerode marks every field required.
      Mounts: settings.mounts as Docker.MountSettings[],
    },
  });
  const exited = waitForExit(container);
  try {
    await streamLogs(container, name, log);
    await container.start();
    return await describeRunning(docker, container, image, exited);
  } catch (error) {
    await container.remove({ force: true, v: true }).catch(() => {});
    throw error instanceof HanoverdError ? error : new HanoverdError(`starting container ${name} failed`, { cause: error });
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
  const network = Object.entries(info.NetworkSettings.Networks)[0];
  const ip = network?.[1].IPAddress ?? '';
  if (ip === '') throw new HanoverdError(`container ${name} has no IP address on a Docker network`);
  const bridge = await bridgeInterface(docker, network![0]);
  const tcpPorts = Object.keys(info.Config.ExposedPorts ?? {}).filter((key) => key.endsWith('/tcp')).map((key) => Number.parseInt(key, 10));
  const generation = Number(info.Config.Labels?.[GenerationLabel] ?? 0);
  return { container, id: info.Id, name, generation, image, ip, bridge, pid: info.State.Pid, tcpPorts, exited };
}

async function bridgeInterface(docker: Docker, network: string): Promise<string> {
  const info = (await docker.getNetwork(network).inspect()) as { Id: string; Options?: Record<string, string> };
  return info.Options?.['com.docker.network.bridge.name'] ?? `br-${info.Id.slice(0, 12)}`;
}
