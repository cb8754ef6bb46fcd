/** The part of the compose specification (compose-spec.io) that `hanoverd export` writes. */
export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, { external: true }>;
  volumes?: Record<string, { name: string }>;
}

export type ComposeVolume =
  | string
  | {
    type: 'bind' | 'volume';
    source?: string;
    target: string;
    read_only?: boolean;
    bind?: { propagation: string };
    volume?: { nocopy: boolean };
  };

export interface ComposeHealthcheck {
  test?: string[];
  disable?: true;
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface ComposeService {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  init?: true;
  restart?: 'unless-stopped';
  ports?: string[];
  env_file?: string[];
  environment?: Record<string, string | null>;
  volumes?: ComposeVolume[];
  tmpfs?: string[];
  read_only?: true;
  labels?: Record<string, string>;
  user?: string;
  working_dir?: string;
  hostname?: string;
  network_mode?: 'bridge';
  networks?: string[] | Record<string, { aliases: string[] }>;
  extra_hosts?: string[];
  cap_add?: string[];
  cap_drop?: string[];
  ulimits?: Record<string, number | { soft: number; hard: number }>;
  logging?: { driver?: string; options?: Record<string, string> };
  stop_signal?: string;
  stop_grace_period?: string;
  healthcheck?: ComposeHealthcheck;
  mem_limit?: string;
  cpus?: number;
  deploy: {
    resources?: { limits: { memory?: string; cpus?: string } };
    update_config: { order: 'start-first' | 'stop-first'; failure_action: 'rollback'; monitor?: string };
    rollback_config: { order: 'start-first' | 'stop-first' };
  };
}

/**
 * A comment for the reader: about one key of the service (written above it), or about the
 * file as a whole (written at the top) when `key` is undefined.
 */
export interface ComposeNote {
  key?: keyof ComposeService;
  text: string;
}

/** The file, and what to tell its reader. */
export interface ComposeExport {
  file: ComposeFile;
  notes: ComposeNote[];
}
