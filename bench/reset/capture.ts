// Evidence gathered while the soak runs, each bounded: conntrack events for the published
// port (the last WINDOW_MS kept in memory), a live stream of SYNs and RSTs on the bridge
// (every RST kept; SYNs for the last WINDOW_MS), a ring of pcap files on the bridge
// (RING_FILES × RING_MB), and the socket states of retiring containers.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { lines } from './lines.ts';

const WINDOW_MS = 20_000;
const RING_FILES = 8;
const RING_MB = 25;

function keepRecent<T extends { t: number }>(items: T[], now: number): void {
  let drop = 0;
  while (drop < items.length && items[drop]!.t < now - WINDOW_MS) drop++;
  if (drop > 0) items.splice(0, drop);
}

export interface ConntrackEvent { t: number; kind: string; sport: number; replyIp: string; replyPort: number; userspace: boolean; text: string }

/** `conntrack -E` for new connections to `port`: what each was DNATed to, and when. */
export function parseConntrackEvent(text: string, receivedAt: number): ConntrackEvent | undefined {
  const stamp = text.match(/^\[(\d+)\.(\d+)\]/);
  const kind = text.match(/\[(NEW|UPDATE|DESTROY)\]/)?.[1];
  const sources = [...text.matchAll(/src=(\S+)/g)].map((m) => m[1]!);
  const sports = [...text.matchAll(/sport=(\d+)/g)].map((m) => Number(m[1]));
  const dports = [...text.matchAll(/dport=(\d+)/g)].map((m) => Number(m[1]));
  if (!kind || sports.length < 1) return undefined;
  const t = stamp ? Number(stamp[1]) * 1000 + Number(stamp[2]!.padEnd(6, '0').slice(0, 6)) / 1000 : receivedAt;
  return { t, kind, sport: sports[0]!, replyIp: sources[1] ?? '', replyPort: dports[1] ?? 0, userspace: text.includes('[USERSPACE]'), text };
}

export interface Packet { t: number; src: string; sport: number; dst: string; dport: number; flags: string; text: string }

/** A `tcpdump -n -tt` line: `1732345678.123456 IP 172.17.0.1.39000 > 172.17.0.3.8000: Flags [S], …`. */
export function parsePacket(text: string): Packet | undefined {
  const m = text.match(/^(\d+\.\d+) IP (\d+\.\d+\.\d+\.\d+)\.(\d+) > (\d+\.\d+\.\d+\.\d+)\.(\d+): Flags \[([^\]]*)\]/);
  if (!m) return undefined;
  return { t: Number(m[1]) * 1000, src: m[2]!, sport: Number(m[3]), dst: m[4]!, dport: Number(m[5]), flags: m[6]!, text };
}

export interface SocketSample {
  t: number;
  /** Connections waiting in the listener's accept queue (Recv-Q of the LISTEN line); -1 without a listener. */
  acceptQueue: number;
  states: Record<string, number>;
}

/** `ss -tanH` lines of one namespace, reduced to counts per state and the listener's queue. */
export function summarizeSockets(text: string, t: number): SocketSample {
  const sample: SocketSample = { t, acceptQueue: -1, states: {} };
  for (const line of text.split('\n')) {
    const [state, recvQ] = line.trim().split(/\s+/);
    if (!state || recvQ === undefined) continue;
    sample.states[state] = (sample.states[state] ?? 0) + 1;
    if (state === 'LISTEN') sample.acceptQueue = Math.max(0, sample.acceptQueue) + Number(recvQ);
  }
  return sample;
}

export interface Capture {
  conntrack: ConntrackEvent[];
  syns: Packet[];
  resets: Packet[];
  /** Starts sampling a container's sockets every `everyMs` until `stopSampling(pid)`. */
  sample(pid: number, port: number, everyMs: number): SocketSample[];
  stopSampling(pid: number): void;
  /** Packets of one client port from the pcap ring, as tcpdump prints them. */
  packetsOf(clientPort: number): Promise<string>;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve) => execFile(cmd, args, { maxBuffer: 64 << 20, timeout: timeoutMs }, (_error, stdout) => resolve(stdout)));
}

export function startCapture(hostPort: number, containerPort: number, bridge: string, dir: string): Capture {
  const children: ChildProcess[] = [];
  const conntrack: ConntrackEvent[] = [];
  const syns: Packet[] = [];
  const resets: Packet[] = [];

  const events = spawn('conntrack', ['-E', '-p', 'tcp', '--orig-port-dst', String(hostPort), '-e', 'NEW,DESTROY', '-o', 'timestamp', '-b', String(64 << 20)], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(events);
  lines(events.stdout!, (text) => {
    const event = parseConntrackEvent(text, Date.now());
    if (!event) return;
    conntrack.push(event);
    if (conntrack.length % 1000 === 0) keepRecent(conntrack, Date.now());
  });

  const filter = `tcp port ${containerPort} and (tcp[tcpflags] & tcp-rst != 0 or tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn)`;
  const live = spawn('tcpdump', ['-i', bridge, '-n', '-tt', '-l', '-Q', 'inout', filter], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(live);
  lines(live.stdout!, (text) => {
    const packet = parsePacket(text);
    if (!packet) return;
    if (packet.flags.includes('R')) resets.push(packet);
    else {
      syns.push(packet);
      if (syns.length % 1000 === 0) keepRecent(syns, Date.now());
    }
  });

  const ring = path.join(dir, 'ring.pcap');
  const dump = spawn('tcpdump', ['-i', bridge, '-n', '-Z', 'root', '-s', '128', '-C', String(RING_MB), '-W', String(RING_FILES), '-w', ring, `tcp port ${containerPort}`], { stdio: 'ignore' });
  children.push(dump);

  const samplers = new Map<number, { stop: boolean }>();
  return {
    conntrack,
    syns,
    resets,
    sample(pid, port, everyMs) {
      const samples: SocketSample[] = [];
      const state = { stop: false };
      samplers.set(pid, state);
      void (async () => {
        while (!state.stop) {
          const started = Date.now();
          const out = await run('nsenter', ['-t', String(pid), '-n', 'ss', '-tanH', 'exclude', 'time-wait', `( sport = :${port} )`], 2000);
          if (state.stop) break;
          samples.push(summarizeSockets(out, Date.now()));
          const wait = everyMs - (Date.now() - started);
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        }
      })();
      return samples;
    },
    stopSampling(pid) {
      const state = samplers.get(pid);
      if (state) state.stop = true;
      samplers.delete(pid);
    },
    async packetsOf(clientPort) {
      const files = fs.readdirSync(dir).filter((f) => f.startsWith('ring.pcap')).sort();
      const out: string[] = [];
      for (const file of files) out.push(await run('tcpdump', ['-r', path.join(dir, file), '-n', '-tt', `tcp port ${clientPort}`]));
      return out.join('');
    },
    async stop() {
      for (const state of samplers.values()) state.stop = true;
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.on('exit', resolve)))));
    },
  };
}
