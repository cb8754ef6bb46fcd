import { UsageError } from '../errors.js';

/** An image named on the command line, split the way Docker and the original hanoverd do. */
export interface ImageRef {
  /** As given, e.g. `localhost:5000/team/app:prod`. */
  name: string;
  /** Everything before the tag or digest, e.g. `localhost:5000/team/app`. */
  repo: string;
  /** The tag or digest, or "" when neither was given. */
  tagDigest: string;
  /** Registry host for credentials, or undefined for Docker Hub. */
  registry: string | undefined;
}

// Docker's reference grammar, without the domain/path split subtleties we do not need.
const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?';
const REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);

export function parseImageRef(name: string): ImageRef {
  if (name.startsWith('-')) {
    throw new UsageError(`"${name}" is where the image goes: flags go before the image, and arguments for the image built here after @ (hanoverd [flags] @ ARGS)`);
  }
  const match = REFERENCE.exec(name);
  if (!match) {
    throw new UsageError(`image "${name}" is not a valid reference; use repo[:tag] or repo@sha256:digest, e.g. localhost:5000/team/app:prod`);
  }
  const repo = match[1]!;
  const tag = match[2];
  const digest = match[3];
  const first = repo.split('/')[0]!;
  const hasRegistry = repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return {
    name,
    repo,
    tagDigest: digest ?? tag ?? '',
    registry: hasRegistry ? first : undefined,
  };
}

/** The reference to pull: Docker pulls every tag when none is given, we pull `latest`. */
export function pullReference(ref: ImageRef): string {
  return ref.tagDigest === '' ? `${ref.repo}:latest` : ref.name;
}
