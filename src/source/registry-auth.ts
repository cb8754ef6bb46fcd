import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { CredentialHelperTimeoutMs } from '../defaults.js';
import { HanoverdError } from '../errors.js';

export interface AuthConfig {
  username?: string;
  password?: string;
  /** From a credential helper that answers with a token (its username is `<token>`). */
  identitytoken?: string;
  serveraddress: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

const DOCKER_HUB = 'https://index.docker.io/v1/';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

function stripScheme(address: string): string {
  return address.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

function readConfig(env: NodeJS.ProcessEnv): DockerConfig | undefined {
  const dir = env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as DockerConfig;
  } catch {
    return undefined;
  }
}

/**
 * Asks `docker-credential-<helper> get` for the credentials of `server`, as the docker CLI
 * does. Undefined when the helper has none. Its answer is a secret: no error here quotes it.
 */
async function fromHelper(helper: string, server: string, env: NodeJS.ProcessEnv, required: boolean): Promise<AuthConfig | undefined> {
  if (!/^[\w.-]+$/.test(helper)) throw new HanoverdError(`credential helper name "${helper}" in the docker config is not valid`);
  const program = `docker-credential-${helper}`;
  const result = await execa(program, ['get'], { input: server, env, reject: false, timeout: CredentialHelperTimeoutMs, stripFinalNewline: true });
  if ((result as { code?: string }).code === 'ENOENT') {
    // A credsStore copied from a desktop machine ("desktop", "osxkeychain") must not break
    // anonymous pulls; a helper named for this very registry must be there.
    if (!required) return undefined;
    throw new HanoverdError(`the docker config names credential helper ${helper}, but ${program} is not on PATH; install it or remove it from config.json`);
  }
  if (result.timedOut) throw new HanoverdError(`${program} did not answer within ${CredentialHelperTimeoutMs / 1000}s`);
  if (result.exitCode !== 0) {
    // "credentials not found in native keychain": nothing stored for this server.
    if (/not found/i.test(`${result.stdout} ${result.stderr}`)) return undefined;
    throw new HanoverdError(`${program} get failed (exit code ${result.exitCode}) for ${stripScheme(server)}`);
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(result.stdout) as typeof answer;
  } catch {
    throw new HanoverdError(`${program} get answered something other than JSON for ${stripScheme(server)}`);
  }
  if (typeof answer.Secret !== 'string' || answer.Secret === '') return undefined;
  if (answer.Username === '<token>') return { identitytoken: answer.Secret, serveraddress: server };
  return { username: typeof answer.Username === 'string' ? answer.Username : '', password: answer.Secret, serveraddress: server };
}

/**
 * Credentials for `registry` as the docker CLI finds them in its config (`$DOCKER_CONFIG`
 * or `~/.docker/config.json`): a `credHelpers` entry for the registry, inline `auths`, or
 * the `credsStore`. Never logged.
 */
export async function findRegistryAuth(registry: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<AuthConfig | undefined> {
  const config = readConfig(env);
  if (!config) return undefined;
  const hub = registry === undefined || DOCKER_HUB_ALIASES.has(registry);
  const serveraddress = hub ? DOCKER_HUB : registry;
  const wanted = stripScheme(serveraddress);
  const helper = Object.entries(config.credHelpers ?? {}).find(([address]) => stripScheme(address) === wanted)?.[1];
  if (helper) return fromHelper(helper, serveraddress, env, true);
  for (const [address, entry] of Object.entries(config.auths ?? {})) {
    if (stripScheme(address) !== wanted) continue;
    if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress };
    if (!entry.auth) continue;
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) continue;
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress };
  }
  if (config.credsStore) return fromHelper(config.credsStore, serveraddress, env, false);
  return undefined;
}
