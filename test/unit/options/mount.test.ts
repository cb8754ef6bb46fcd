import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMount } from '../../../dist/options/mount.js';
import type { MountSpec } from '../../../dist/options/volume.js';
import { throwsUsage } from '../expect-usage-error.ts';

const cwd = '/srv/app';

describe('parseMount', () => {
  const valid: Array<[string, MountSpec]> = [
    ['type=bind,source=/srv/data,target=/data', { Type: 'bind', Source: '/srv/data', Target: '/data' }],
    ['type=bind,src=./conf,dst=/etc/app,readonly', { Type: 'bind', Source: '/srv/app/conf', Target: '/etc/app', ReadOnly: true }],
    ['type=bind,source=/a,destination=/b,ro=false', { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: false }],
    ['type=bind,source=/a,target=/b,readonly=1,bind-propagation=rslave', { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true, BindOptions: { Propagation: 'rslave' } }],
    ['target=/data', { Type: 'volume', Source: '', Target: '/data' }],
    ['type=volume,source=pgdata,target=/var/lib/pg,volume-nocopy', { Type: 'volume', Source: 'pgdata', Target: '/var/lib/pg', VolumeOptions: { NoCopy: true } }],
    ['type=volume,src=v,target=/v,volume-nocopy=0', { Type: 'volume', Source: 'v', Target: '/v', VolumeOptions: { NoCopy: false } }],
    ['type=tmpfs,target=/tmp,tmpfs-size=65536,tmpfs-mode=1777', { Type: 'tmpfs', Source: '', Target: '/tmp', TmpfsOptions: { SizeBytes: 65536, Mode: 0o1777 } }],
    ['TYPE=tmpfs,Target=/tmp,,', { Type: 'tmpfs', Source: '', Target: '/tmp' }],
    // Sizes with docker's units (binary, as go-units RAMInBytes).
    ['type=tmpfs,target=/t,tmpfs-size=64m', { Type: 'tmpfs', Source: '', Target: '/t', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024 } }],
    ['type=tmpfs,target=/t,tmpfs-size=1.5g', { Type: 'tmpfs', Source: '', Target: '/t', TmpfsOptions: { SizeBytes: 1.5 * 1024 ** 3 } }],
    ['type=tmpfs,target=/t,tmpfs-size=512KiB', { Type: 'tmpfs', Source: '', Target: '/t', TmpfsOptions: { SizeBytes: 512 * 1024 } }],
  ];
  for (const [spec, expected] of valid) {
    test(`accepts ${spec}`, () => assert.deepEqual(parseMount(spec, cwd), expected));
  }

  const invalid: Array<[string, string]> = [
    ['type=nfs,target=/a', 'type "nfs" is not bind, volume or tmpfs'],
    ['type=bind,source=/a', 'target is missing'],
    ['type=bind,source=/a,target=rel', 'target "rel" must be absolute'],
    ['type=bind,target=/a', 'a bind mount needs a source'],
    ['type=tmpfs,source=/a,target=/t', 'a tmpfs mount takes no source'],
    ['type=bind,source=/a,target=/b,readonly=yes', 'readonly=yes is not true or false'],
    ['type=volume,target=/b,bind-propagation=shared', 'bind-propagation needs type=bind'],
    ['type=bind,source=/a,target=/b,bind-propagation=everywhere', 'bind-propagation=everywhere is not a propagation mode'],
    ['type=bind,source=/a,target=/b,volume-nocopy', 'volume-nocopy needs type=volume'],
    ['type=volume,target=/b,tmpfs-size=10', 'tmpfs-size needs type=tmpfs'],
    ['type=tmpfs,target=/t,tmpfs-size=64q', 'tmpfs-size needs type=tmpfs and a size'],
    ['type=tmpfs,target=/t,tmpfs-size=', 'tmpfs-size needs type=tmpfs and a size'],
    ['type=tmpfs,target=/t,tmpfs-size=0', 'tmpfs-size'],
    ['type=tmpfs,target=/t,tmpfs-mode=rwx', 'an octal mode'],
    ['type=bind,source=/a,target=/b,consistency=cached', 'unknown key "consistency"'],
  ];
  for (const [spec, why] of invalid) {
    test(`rejects ${spec}`, () => throwsUsage(() => parseMount(spec, cwd), `--mount ${spec}:`, why));
  }

  // BUG (src/options/mount.ts:54): Number.parseInt stops at the first non-octal digit, so
  // "1778" becomes 0o177 and "17z" 0o17. Fix: check /^[0-7]+$/.test(value) before parsing.
  test('rejects a tmpfs-mode that is not entirely octal', () => {
    throwsUsage(() => parseMount('type=tmpfs,target=/t,tmpfs-mode=1778', cwd), 'octal mode');
  });
});
