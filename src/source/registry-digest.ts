import type Docker from 'dockerode';
import { GenerationLabel, listAppContainers } from '../labels.js';
import { HanoverdError } from '../errors.js';
import { pullReference, type ImageRef } from '../options/image-ref.js';
import { findRegistryAuth, type AuthConfig } from './registry-auth.js';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');
const TIMEOUT_MS = 30_000;

function isLoopback(host: string): boolean {
  const name = host.replace(/:[0-9]+$/, '');
  return name === 'localhost' || name.startsWith('127.') || name === '[::1]';
}

/** Where a reference lives: registry host (Docker Hub's API host for none) and repository path. */
export function registryLocation(ref: ImageRef): { host: string; path: string; reference: string } {
  const reference = pullReference(ref).slice(ref.repo.length + 1);
  if (ref.registry === undefined) {
    return { host: 'registry-1.docker.io', path: ref.repo.includes('/') ? ref.repo : `library/${ref.repo}`, reference };
  }
  return { host: ref.registry, path: ref.repo.slice(ref.registry.length + 1), reference };
}

function basic(auth: AuthConfig): string {
  return `Basic ${Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64')}`;
}

function challengeParams(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of header.matchAll(/(\w+)="([^"]*)"/g)) params[match[1]!] = match[2]!;
  return params;
}

async function bearerToken(challenge: string, auth: AuthConfig | undefined, signal: AbortSignal): Promise<string> {
  const { realm, service, scope } = challengeParams(challenge);
  if (!realm) throw new HanoverdError('the registry asked for a token without saying where to get one');
  const url = new URL(realm);
  if (service) url.searchParams.set('service', service);
  if (scope) url.searchParams.set('scope', scope);
  // An identity token (from a credential helper) is an OAuth2 refresh token, as the docker CLI sends it.
  const response = auth?.identitytoken
    ? await fetch(url.origin + url.pathname, {
      method: 'POST', signal,
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identitytoken, client_id: 'hanoverd', ...(service ? { service } : {}), ...(scope ? { scope } : {}) }),
    })
    : await fetch(url, { headers: auth ? { Authorization: basic(auth) } : {}, signal });
  if (!response.ok) throw new HanoverdError(`the registry's token service answered HTTP ${response.status}`);
  const body = await response.json() as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === 'string' ? body.token : body.access_token;
  if (typeof token !== 'string') throw new HanoverdError('the registry\'s token service gave no token');
  return token;
}

/**
 * The digest a tag names in its registry now (a HEAD on the manifest, with the registry's
 * token or basic auth when it asks), or undefined when the tag does not exist.
 */
export async function registryDigest(ref: ImageRef, signal: AbortSignal): Promise<string | undefined> {
  const { host, path, reference } = registryLocation(ref);
  if (reference.startsWith('sha256:')) return reference;
  const url = `${isLoopback(host) ? 'http' : 'https'}://${host}/v2/${path}/manifests/${reference}`;
  const timed = AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]);
  const head = (authorization?: string) => fetch(url, {
    method: 'HEAD',
    headers: { Accept: MANIFEST_TYPES, ...(authorization ? { Authorization: authorization } : {}) },
    signal: timed,
  });
  let response = await head();
  if (response.status === 401) {
    const challenge = response.headers.get('www-authenticate') ?? '';
    const auth = await findRegistryAuth(ref.registry);
    if (/^bearer /i.test(challenge)) response = await head(`Bearer ${await bearerToken(challenge, auth, timed)}`);
    else if (auth) response = await head(basic(auth));
  }
  if (response.status === 404) return undefined;
  if (!response.ok) throw new HanoverdError(`the registry answered HTTP ${response.status} for ${pullReference(ref)}`);
  const digest = response.headers.get('docker-content-digest');
  if (!digest) throw new HanoverdError(`the registry gave no digest for ${pullReference(ref)}`);
  return digest;
}

/** The registry digests of the image the newest running container of `app` was made from. */
export async function liveDigests(docker: Docker, app: string, ref: ImageRef): Promise<string[]> {
  const running = (await listAppContainers(docker, app)).filter((info) => info.State === 'running');
  running.sort((a, b) => Number(b.Labels[GenerationLabel] ?? 0) - Number(a.Labels[GenerationLabel] ?? 0));
  const newest = running[0];
  if (newest === undefined) return [];
  const image = await docker.getImage(newest.ImageID).inspect();
  return (image.RepoDigests ?? []).filter((entry) => entry.startsWith(`${ref.repo}@`)).map((entry) => entry.slice(entry.indexOf('@') + 1));
}
