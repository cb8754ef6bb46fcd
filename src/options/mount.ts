import path from 'node:path';
import { UsageError } from '../errors.js';
import { sizeInBytes } from './size.js';
import type { MountPropagation, MountSpec } from './volume.js';

function invalidMount(spec: string, why: string): UsageError {
  return new UsageError(`--mount ${spec}: ${why}; use e.g. --mount type=bind,source=/srv/data,target=/data,readonly`);
}

function parseBoolean(spec: string, key: string, value: string | undefined): boolean {
  if (value === undefined || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalidMount(spec, `${key}=${value} is not true or false`);
}

/** Parses docker's `--mount` syntax: comma-separated key=value pairs. */
export function parseMount(spec: string, cwd: string): MountSpec {
  const fields = new Map<string, string | undefined>();
  for (const field of spec.split(',')) {
    if (field === '') continue;
    const eq = field.indexOf('=');
    const key = (eq === -1 ? field : field.slice(0, eq)).trim().toLowerCase();
    fields.set(key, eq === -1 ? undefined : field.slice(eq + 1));
  }
  const type = fields.get('type') ?? 'volume';
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') {
    throw invalidMount(spec, `type "${type}" is not bind, volume or tmpfs`);
  }
  const source = fields.get('source') ?? fields.get('src');
  const target = fields.get('target') ?? fields.get('destination') ?? fields.get('dst');
  if (!target) throw invalidMount(spec, 'target is missing');
  if (!path.isAbsolute(target)) throw invalidMount(spec, `target "${target}" must be absolute`);
  const mount: MountSpec = { Type: type, Source: '', Target: target };
  for (const [key, value] of fields) {
    switch (key) {
      case 'type': case 'source': case 'src': case 'target': case 'destination': case 'dst':
        break;
      case 'readonly': case 'ro':
        mount.ReadOnly = parseBoolean(spec, key, value);
        break;
      case 'bind-propagation':
        if (type !== 'bind') throw invalidMount(spec, 'bind-propagation needs type=bind');
        if (!['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'].includes(value ?? '')) throw invalidMount(spec, `bind-propagation=${value} is not a propagation mode`);
        mount.BindOptions = { Propagation: value as MountPropagation };
        break;
      case 'volume-nocopy':
        if (type !== 'volume') throw invalidMount(spec, 'volume-nocopy needs type=volume');
        mount.VolumeOptions = { NoCopy: parseBoolean(spec, key, value) };
        break;
      case 'tmpfs-size': {
        const size = sizeInBytes(value ?? '');
        if (type !== 'tmpfs' || size === undefined || size <= 0) throw invalidMount(spec, 'tmpfs-size needs type=tmpfs and a size, in bytes or as 64m, 1g');
        mount.TmpfsOptions = { ...mount.TmpfsOptions, SizeBytes: size };
        break;
      }
      case 'tmpfs-mode': {
        const mode = Number.parseInt(value ?? '', 8);
        if (type !== 'tmpfs' || !/^[0-7]+$/.test(value ?? '')) throw invalidMount(spec, 'tmpfs-mode needs type=tmpfs and an octal mode');
        mount.TmpfsOptions = { ...mount.TmpfsOptions, Mode: mode };
        break;
      }
      default:
        throw invalidMount(spec, `unknown key "${key}"`);
    }
  }
  if (type === 'bind') {
    if (!source) throw invalidMount(spec, 'a bind mount needs a source');
    mount.Source = path.resolve(cwd, source);
  } else if (type === 'volume') {
    if (source) mount.Source = source;
  } else if (source) {
    throw invalidMount(spec, 'a tmpfs mount takes no source');
  }
  return mount;
}
