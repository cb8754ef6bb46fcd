import path from 'node:path';
import { UsageError } from '../errors.js';

export type MountPropagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';

/** What `-v` and `--mount` turn into: the Docker API's Mount object. */
export interface MountSpec {
  Type: 'bind' | 'volume' | 'tmpfs';
  Source: string;
  Target: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation: MountPropagation };
  VolumeOptions?: { NoCopy: boolean };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

const VOLUME_MODES = new Set(['ro', 'rw', 'z', 'Z', 'nocopy', 'shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate']);

function invalidVolume(spec: string, why: string): UsageError {
  return new UsageError(`--volume ${spec}: ${why}; use -v /host/path:/container/path[:ro], -v name:/path or -v /path`);
}

/**
 * Parses `-v`: `/dst` (anonymous volume), `src:dst[:opts]` where an absolute or
 * `./`-relative src is a bind mount (relative to `cwd`) and anything else a named volume.
 */
export function parseVolume(spec: string, cwd: string): MountSpec {
  const parts = spec.split(':');
  if (parts.some((part) => part === '')) throw invalidVolume(spec, 'empty field');
  if (parts.length === 1) {
    const target = parts[0]!;
    if (!path.isAbsolute(target)) throw invalidVolume(spec, 'the container path must be absolute');
    return { Type: 'volume', Source: '', Target: target };
  }
  if (parts.length > 3) throw invalidVolume(spec, 'too many ":"');
  const [source, target, modeText] = parts as [string, string, string | undefined];
  if (!path.isAbsolute(target)) throw invalidVolume(spec, `container path "${target}" must be absolute`);
  const modes = modeText === undefined ? [] : modeText.split(',');
  for (const mode of modes) {
    if (!VOLUME_MODES.has(mode)) throw invalidVolume(spec, `unknown option "${mode}"`);
  }
  const readOnly = modes.includes('ro');
  const isPath = path.isAbsolute(source) || source.startsWith('./') || source.startsWith('../') || source === '.' || source === '..';
  if (isPath) {
    const propagation = modes.find((mode) => /shared|slave|private/.test(mode)) as MountPropagation | undefined;
    return {
      Type: 'bind',
      Source: path.resolve(cwd, source),
      Target: target,
      ReadOnly: readOnly,
      ...(propagation ? { BindOptions: { Propagation: propagation } } : {}),
    };
  }
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(source)) {
    throw invalidVolume(spec, `"${source}" is neither an absolute path nor a volume name`);
  }
  return {
    Type: 'volume',
    Source: source,
    Target: target,
    ReadOnly: readOnly,
    ...(modes.includes('nocopy') ? { VolumeOptions: { NoCopy: true } } : {}),
  };
}
