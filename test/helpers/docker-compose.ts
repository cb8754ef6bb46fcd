import { execFileSync } from 'node:child_process';

function works(): boolean {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure `docker-compose` (Debian's package, as scripts/setup.sh installs it) runs,
 * installing it when missing. Returns why it cannot, for t.skip, or undefined when it runs.
 */
export function ensureDockerCompose(): string | undefined {
  if (works()) return undefined;
  if (process.getuid?.() !== 0) return 'docker-compose is not installed and installing it needs root (scripts/setup.sh installs it)';
  const install = ['install', '-y', '-qq', '--no-install-recommends', 'docker-compose'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    try {
      execFileSync('apt-get', install, { stdio: 'ignore', env, timeout: 600_000 });
    } catch {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 600_000 });
      execFileSync('apt-get', install, { stdio: 'ignore', env, timeout: 600_000 });
    }
  } catch (error) {
    return `docker-compose is not installed and apt-get could not install it (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  return works() ? undefined : 'docker-compose was installed but does not run';
}
