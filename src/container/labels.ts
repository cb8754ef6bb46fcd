import type Docker from 'dockerode';

/** Labels that let hanoverd find its own containers again. */
export const AppLabel = 'hanoverd.app';
export const GenerationLabel = 'hanoverd.generation';
/** On images hanoverd built: the repository they were built as. */
export const BuiltAsLabel = 'hanoverd.built-as';

export async function listAppContainers(docker: Docker, app: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${AppLabel}=${app}`] } });
}

/** The next free generation number, so that `<app>-<n>` never clashes with a leftover. */
export function nextGeneration(containers: readonly Docker.ContainerInfo[]): number {
  const generations = containers.map((info) => Number(info.Labels[GenerationLabel] ?? 0)).filter(Number.isFinite);
  return Math.max(0, ...generations) + 1;
}
