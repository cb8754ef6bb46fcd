import fs from 'node:fs';
import path from 'node:path';
import { renderCompose } from '../export/render-compose.js';
import { toCompose, type ExportInput } from '../export/to-compose.js';

/** `hanoverd export`: prints the compose file; touches neither Docker nor iptables. */
export function exportCommand(input: Omit<ExportInput, 'runtimeDockerfile'>, out: NodeJS.WritableStream = process.stdout): number {
  const source = input.config.source;
  const runtimeDockerfile = source.kind === 'build' && fs.existsSync(path.join(source.dir, 'runtime', 'Dockerfile'));
  out.write(renderCompose(toCompose({ ...input, runtimeDockerfile })));
  return 0;
}
