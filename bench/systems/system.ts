// A way to hand an app over (hanoverd, naive, nginx), as the handover runs drive it, and
// the plain `docker run` of the app image that the naive and nginx systems build on.
import { execa } from 'execa';
import { NODE_APP_PORT } from '../../test/helpers/node-app.ts';
import type { BenchContext } from '../harness/bench-context.ts';

export interface TriggerResult { name: string; triggerAt: number; readyAt?: number; switchedAt?: number; buildMs?: number }

export interface System {
  name: string;
  url: string;
  /** The container name the k-th handover starts (its hostname, what it answers). */
  nextName(k: number): string;
  setup(): Promise<void>;
  trigger(k: number): Promise<TriggerResult>;
  /** Waits until the last handover's old version is gone, so the next one starts on a quiet machine. */
  settle(): Promise<void>;
  teardown(): Promise<void>;
}

export const docker = async (...args: string[]) => (await execa('docker', args)).stdout;

export const containerIp = async (name: string) => (await docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name)).trim();

/** Starts the app image as `name` (its hostname too), labelled for the run's clean-up; `publish` is a `-p` value, or 'all' for `-P`. */
export async function runApp(ctx: BenchContext, name: string, publish?: string): Promise<void> {
  const ports = publish === 'all' ? ['-P'] : publish ? ['-p', publish] : [];
  await docker('run', '-d', '--init', '--name', name, '--hostname', name, '--label', `hvbench=${ctx.id}`, ...ports, ctx.image);
}

/** The app's own port in the container. */
export const APP_PORT = NODE_APP_PORT;
