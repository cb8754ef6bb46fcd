import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { lineSplitter, type Logger } from '../log.js';

/**
 * Copies the container's stdout and stderr into the daemon's log, prefixed with its name.
 * Attaches before start, as `docker run` does, so that no early line is missed.
 */
export async function streamLogs(container: Docker.Container, name: string, log: Logger): Promise<void> {
  const stream = await container.attach({ stream: true, stdout: true, stderr: true });
  const lines = lineSplitter((line) => log.output(name, line));
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => lines.push(chunk));
  container.modem.demuxStream(stream, sink, sink);
  stream.on('end', () => lines.flush());
  stream.on('error', () => lines.flush());
}
