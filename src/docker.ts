import Docker from 'dockerode';
import { HanoverdError } from './errors.js';

/** A Docker client configured as the docker CLI is: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH. */
export function createDocker(): Docker {
  return new Docker();
}

export async function checkDocker(docker: Docker): Promise<void> {
  try {
    await docker.ping();
  } catch (error) {
    const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
    if ((error as { code?: string }).code === 'EACCES') {
      throw new HanoverdError(`no permission to use the Docker engine at ${where}; run hanoverd as root or as a user in the docker group`, { cause: error });
    }
    throw new HanoverdError(`cannot reach the Docker engine at ${where}; start dockerd or set DOCKER_HOST`, { cause: error });
  }
}

/** An image ID as `docker images` shows it: 12 hex digits, without `sha256:`. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Reads a Docker JSON-lines progress stream (build, pull, push), yielding each message. */
export async function* readJsonLines(stream: NodeJS.ReadableStream): AsyncGenerator<Record<string, unknown>> {
  let pending = '';
  for await (const chunk of stream) {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() !== '') yield JSON.parse(line) as Record<string, unknown>;
    }
  }
  if (pending.trim() !== '') yield JSON.parse(pending) as Record<string, unknown>;
}

/** The message of an `{error, errorDetail}` entry of a progress stream, if it is one. */
export function progressError(message: Record<string, unknown>): string | undefined {
  const detail = message.errorDetail as { message?: unknown } | undefined;
  const text = detail?.message ?? message.error;
  return typeof text === 'string' ? text.trim() : undefined;
}
