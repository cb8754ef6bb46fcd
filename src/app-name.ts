import path from 'node:path';
import { UsageError } from './errors.js';

/**
 * A name usable for containers (`<app>-<n>`), image tags and iptables comments,
 * derived from a directory or repository name.
 */
export function appNameFrom(text: string): string {
  const name = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 40).replace(/^-+|-+$/g, '');
  if (name === '') throw new UsageError(`cannot derive an app name from "${text}"; pass --name`);
  return name;
}

export function validateAppName(name: string): string {
  // Docker's rule for an image name component, since the name tags built images.
  if (name.length > 40 || !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(name)) {
    throw new UsageError(`--name "${name}": use up to 40 lowercase letters and digits, separated by single "-", "." or "_"`);
  }
  return name;
}

export function defaultAppName(cwd: string, repo: string | undefined): string {
  return appNameFrom(repo ? repo.slice(repo.lastIndexOf('/') + 1) : path.basename(cwd));
}
