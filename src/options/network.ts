import { UsageError } from '../errors.js';
import { isHostname } from './hostname.js';

/** `--network` and `--network-alias`, validated: the networks in order, the first the one traffic goes to. */
export interface NetworkChoice {
  networks: string[];
  networkAliases: string[];
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * The container joins each named network (the first is where the traffic switch finds it);
 * aliases apply on each, so they need user-defined networks, as in docker.
 */
export function parseNetworks(names: readonly string[], aliases: readonly string[]): NetworkChoice {
  for (const [index, name] of names.entries()) {
    if (name === 'host' || name === 'none' || name.startsWith('container:')) {
      throw new UsageError(`--network ${name}: hanoverd switches traffic to the container's own address, which ${name} does not give; use a bridge network (the default, or docker network create NAME)`);
    }
    if (!NAME.test(name)) throw new UsageError(`--network "${name}": not a network name; use the name of a network from docker network ls`);
    if (names.indexOf(name) !== index) throw new UsageError(`--network ${name}: given twice; name each network once`);
  }
  for (const alias of aliases) {
    if (!isHostname(alias)) throw new UsageError(`--network-alias "${alias}": not a host name; use letters, digits, "-" and ".", e.g. api`);
  }
  if (aliases.length > 0 && !names.some((name) => name !== 'bridge')) {
    throw new UsageError('--network-alias needs a user-defined --network (the default bridge has no aliases); create one with docker network create NAME');
  }
  return { networks: [...names], networkAliases: [...aliases] };
}
