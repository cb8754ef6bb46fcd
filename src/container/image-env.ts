/**
 * The variables hanoverd injects into each container, split as the original did
 * (Docker's ParseRepositoryTag): a digest after "@", else a tag after the last ":"
 * that is not part of a registry host:port. No tag means `latest`, as the original gave.
 */
export function imageEnv(image: string): string[] {
  let repo = image;
  let tagDigest = 'latest';
  const at = image.indexOf('@');
  if (at !== -1) {
    repo = image.slice(0, at);
    tagDigest = image.slice(at + 1);
  } else {
    const colon = image.lastIndexOf(':');
    if (colon !== -1 && !image.slice(colon + 1).includes('/')) {
      repo = image.slice(0, colon);
      tagDigest = image.slice(colon + 1);
    }
  }
  return [`HANOVERD_IMAGE=${image}`, `HANOVERD_IMAGE_REPO=${repo}`, `HANOVERD_IMAGE_TAGDIGEST=${tagDigest}`];
}
