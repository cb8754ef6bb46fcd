import type Docker from 'dockerode';

/** Labels that let hanoverd find its own containers again. */
export const AppLabel = 'hanoverd.app';
export const GenerationLabel = 'hanoverd.generation';
/** As the original hanoverd labelled its containers, for tools that look for those. */
export const OrchestratorLabel = 'orchestrator';
export const NameLabel = 'hanoverd-name';
/** The network whose address the traffic switch targets (the first --network). */
export const NetworkLabel = 'hanoverd.network';
/** Labels only hanoverd may set: a --label cannot take them over. */
export const ReservedLabels: readonly string[] = [AppLabel, GenerationLabel, OrchestratorLabel, NameLabel, NetworkLabel];
/** On images hanoverd built: the repository they were built as. */
export const BuiltAsLabel = 'hanoverd.built-as';
/** On images hanoverd built: the hash of the build context and settings they were built from (an unchanged source reuses the image). */
export const ContextHashLabel = 'hanoverd.context-hash';

/** The labels of `<app>-<generation>`: the user's, then hanoverd's own. */
export function versionLabels(app: string, generation: number, network: string | undefined, user: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    ...user,
    [AppLabel]: app,
    [GenerationLabel]: String(generation),
    [OrchestratorLabel]: 'hanoverd',
    [NameLabel]: `${app}-${generation}`,
    ...(network === undefined ? {} : { [NetworkLabel]: network }),
  };
}

export async function listAppContainers(docker: Docker, app: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${AppLabel}=${app}`] } });
}

/** The next free generation number, so that `<app>-<n>` never clashes with a leftover. */
export function nextGeneration(containers: readonly Docker.ContainerInfo[]): number {
  const generations = containers.map((info) => Number(info.Labels[GenerationLabel] ?? 0)).filter(Number.isFinite);
  return Math.max(0, ...generations) + 1;
}
