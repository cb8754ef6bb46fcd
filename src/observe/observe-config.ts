import { parseCommand } from '../deploy-hooks/parse-command.js';
import { DefaultPreSwitchTimeout, PostDeployTimeoutMs } from '../defaults.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import type { ImageRef } from '../options/image-ref.js';
import { parseListenAddress, type ListenAddress } from './metrics-server.js';
import { parseNotifyUrl, type NotifyTarget } from './notify.js';

/** A hook command, split into argv (no shell), with its time limit. */
export interface HookCommand {
  argv: string[];
  timeoutMs: number;
}

/** Watching and reacting to deploys: metrics, notifications, hooks, registry polling. Validated. */
export interface ObserveConfig {
  /** --metrics-listen: where to serve Prometheus text at /metrics. */
  metricsListen?: ListenAddress;
  /** --notify: webhooks that get every deploy event. Hold secrets: log only `label`. */
  notify: NotifyTarget[];
  /** --pre-switch: runs inside the ready new container before it takes traffic. */
  preSwitch?: HookCommand;
  /** --post-deploy: runs on the host after a version went live. */
  postDeploy?: HookCommand;
  /** --poll: how often to ask the registry for the tag's digest. */
  pollMs?: number;
}

/** The flags as yargs hands them over (a flag given twice arrives as an array). */
export interface ObserveArgs {
  'metrics-listen'?: string | string[] | undefined;
  notify?: string | string[] | undefined;
  'pre-switch'?: string | string[] | undefined;
  'pre-switch-timeout'?: string | string[] | undefined;
  'post-deploy'?: string | string[] | undefined;
  poll?: string | string[] | undefined;
}

/** The shortest --poll: checking more often only loads the registry. */
const MinPollMs = 1000;

function once(args: ObserveArgs, flag: Exclude<keyof ObserveArgs, 'notify'>): string | undefined {
  const value = args[flag];
  if (Array.isArray(value)) throw new UsageError(`--${flag} was given ${value.length} times; give it once`);
  return value;
}

/**
 * Validates the observing flags. `source` is what the daemon deploys: --poll needs a
 * pulled image named by tag.
 */
export function parseObserveOptions(args: ObserveArgs, source: { kind: string; ref?: ImageRef }): ObserveConfig {
  const listen = once(args, 'metrics-listen');
  const preSwitch = once(args, 'pre-switch');
  const preSwitchTimeout = once(args, 'pre-switch-timeout');
  const postDeploy = once(args, 'post-deploy');
  const poll = once(args, 'poll');
  if (preSwitchTimeout !== undefined && preSwitch === undefined) throw new UsageError('--pre-switch-timeout needs --pre-switch; give the command too');
  const config: ObserveConfig = { notify: [args.notify ?? []].flat().map((url) => parseNotifyUrl(url, '--notify')) };
  if (listen !== undefined) config.metricsListen = parseListenAddress(listen, '--metrics-listen');
  if (preSwitch !== undefined) {
    const timeoutMs = parseDuration(preSwitchTimeout ?? DefaultPreSwitchTimeout, '--pre-switch-timeout');
    if (timeoutMs <= 0) throw new UsageError('--pre-switch-timeout must be more than 0, e.g. 5m');
    config.preSwitch = { argv: parseCommand(preSwitch, '--pre-switch'), timeoutMs };
  }
  if (postDeploy !== undefined) config.postDeploy = { argv: parseCommand(postDeploy, '--post-deploy'), timeoutMs: PostDeployTimeoutMs };
  if (poll !== undefined) {
    if (source.kind !== 'pull' || source.ref === undefined) {
      throw new UsageError('--poll needs an image to pull (e.g. registry.example/shop:prod); a built image has no registry tag to watch');
    }
    if (source.ref.tagDigest.includes(':')) throw new UsageError(`--poll: ${source.ref.name} names a digest, which never changes; name a tag`);
    const pollMs = parseDuration(poll, '--poll');
    if (pollMs < MinPollMs) throw new UsageError(`--poll ${poll}: poll at most once a second, e.g. 30s or 5m`);
    config.pollMs = pollMs;
  }
  return config;
}
