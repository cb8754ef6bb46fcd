import path from 'node:path';
import { UsageError } from '../errors.js';

/**
 * A name usable for containers (`<app>-<n>`), image tags and iptables comments,
 * derived from a directory or repository name.
 */
export function appNameFrom(text: string): string {
  const name = text.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  if (name === '') throw new UsageError(`cannot derive an app name from "${text}"; pass --name`);
  return name.slice(0, 40);
}

export function validateAppName(name: string): string {
  if (!/^[a-z0-9][a-z0-9_.-]{0,39}$/.test(name)) {
    throw new UsageError(`--name "${name}": use up to 40 lowercase letters, digits, "_", "." or "-", starting with a letter or digit`);
  }
  return name;
}

export function defaultAppName(cwd: string, repo: string | undefined): string {
  return appNameFrom(repo ? repo.slice(repo.lastIndexOf('/') + 1) : path.basename(cwd));
}
