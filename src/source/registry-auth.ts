import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface AuthConfig {
  username: string;
  password: string;
  serveraddress: string;
}

const DOCKER_HUB = 'https://index.docker.io/v1/';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

function stripScheme(address: string): string {
  return address.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

/**
 * Credentials for `registry` from the docker CLI's config (`$DOCKER_CONFIG` or
 * `~/.docker/config.json`), when it holds them inline. Never logged.
 */
export function findRegistryAuth(registry: string | undefined, env: NodeJS.ProcessEnv = process.env): AuthConfig | undefined {
  const dir = env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
  let config: { auths?: Record<string, { auth?: string }> };
  try {
    config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as typeof config;
  } catch {
    return undefined;
  }
  const hub = registry === undefined || DOCKER_HUB_ALIASES.has(registry);
  const wanted = stripScheme(hub ? DOCKER_HUB : registry);
  for (const [address, entry] of Object.entries(config.auths ?? {})) {
    if (stripScheme(address) !== wanted || !entry.auth) continue;
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) continue;
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: hub ? DOCKER_HUB : registry };
  }
  return undefined;
}
