import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEngineOptions, type EngineFlags } from '../../../dist/options/engine-options.js';

const none: EngineFlags = { addHost: [], readOnly: false, tmpfs: [], capAdd: [], capDrop: [], ulimit: [], logOpt: [], health: { enabled: true } };

test('no flags, nothing for the engine', () => assert.deepEqual(parseEngineOptions(none), { config: {}, hostConfig: {} }));

test('every flag lands in its Engine API field', () => {
  assert.deepEqual(parseEngineOptions({
    user: '1000:1000', workdir: '/app', hostname: 'web', stopSignal: 'quit', memory: '64m', cpus: '0.5',
    addHost: ['db:10.0.0.5'], readOnly: true, tmpfs: ['/run'], capAdd: ['net_admin'], capDrop: ['ALL'], ulimit: ['nofile=10:20'],
    logDriver: 'local', logOpt: ['max-size=1m'], health: { enabled: true, cmd: 'true', retries: '2' },
  }), {
    config: { User: '1000:1000', WorkingDir: '/app', Hostname: 'web', StopSignal: 'SIGQUIT', Healthcheck: { Test: ['CMD-SHELL', 'true'], Retries: 2 } },
    hostConfig: {
      Memory: 64 * 1024 ** 2,
      NanoCpus: 500_000_000,
      ExtraHosts: ['db:10.0.0.5'],
      ReadonlyRootfs: true,
      Tmpfs: { '/run': '' },
      CapAdd: ['CAP_NET_ADMIN'],
      CapDrop: ['ALL'],
      Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 20 }],
      LogConfig: { Type: 'local', Config: { 'max-size': '1m' } },
    },
  });
});
