import { UsageError } from '../errors.js';

// Linux capabilities (capabilities(7)); the engine refuses others too, but only once a version starts.
const CAPABILITIES = new Set([
  'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'BPF', 'CHECKPOINT_RESTORE', 'CHOWN',
  'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE',
  'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE', 'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST',
  'NET_RAW', 'PERFMON', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_CHROOT',
  'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_RESOURCE', 'SYS_TIME',
  'SYS_TTY_CONFIG', 'SYSLOG', 'WAKE_ALARM',
]);

/** `--cap-add` / `--cap-drop`: names with or without CAP_, any case, or ALL; as the engine spells them. */
export function parseCapabilities(specs: readonly string[], flag: '--cap-add' | '--cap-drop'): string[] {
  return specs.map((spec) => {
    const name = spec.trim().toUpperCase().replace(/^CAP_/, '');
    if (name === 'ALL') return 'ALL';
    if (!CAPABILITIES.has(name)) throw new UsageError(`${flag} ${spec}: not a Linux capability; use a name from capabilities(7), e.g. ${flag} NET_ADMIN`);
    return `CAP_${name}`;
  });
}
