import { UsageError } from '../errors.js';

/** The engine's HostConfig.Ulimits entry. */
export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

const NAMES = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

function invalid(spec: string, why: string): UsageError {
  return new UsageError(`--ulimit ${spec}: ${why}; use name=soft[:hard], e.g. --ulimit nofile=1024:4096`);
}

/** `--ulimit name=soft[:hard]`, as docker run (-1 is unlimited; the hard limit defaults to the soft one). */
export function parseUlimits(specs: readonly string[]): Ulimit[] {
  const ulimits: Ulimit[] = [];
  for (const spec of specs) {
    const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(spec.trim());
    if (!match) throw invalid(spec, 'not name=soft[:hard]');
    const [, name, softText, hardText] = match as unknown as [string, string, string, string | undefined];
    if (!NAMES.has(name)) throw invalid(spec, `"${name}" is not a ulimit (${[...NAMES].join(', ')})`);
    if (ulimits.some((ulimit) => ulimit.Name === name)) throw invalid(spec, `${name} is given twice`);
    const soft = Number(softText);
    const hard = hardText === undefined ? soft : Number(hardText);
    if (hard !== -1 && (soft === -1 || soft > hard)) throw invalid(spec, 'the soft limit is above the hard one');
    ulimits.push({ Name: name, Soft: soft, Hard: hard });
  }
  return ulimits;
}
