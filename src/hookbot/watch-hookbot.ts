import type Docker from 'dockerode';
import type { ImageSource, Trigger } from '../trigger.js';
import { HookbotCheckTimeoutMs } from '../defaults.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { missedGitUpdate, missedPullUpdate, type MissedUpdate } from '../source/missed-update.js';
import { parseGithubPush } from './github-push.js';
import type { HookbotEndpoint } from './hookbot-url.js';
import { singleFlight } from './single-flight.js';
import { subscribe, type HookbotMessage, type HookbotTiming } from './subscribe.js';
import type { WatchTarget } from './watch-target.js';

export interface HookbotSettings {
  endpoint: HookbotEndpoint;
  target: WatchTarget;
}

export interface WatchOptions {
  settings: HookbotSettings;
  /** The configured source: messages deploy from it (a git one at the pushed commit). */
  source: ImageSource;
  docker: Docker;
  /** The app whose live container tells which digest is deployed. */
  app: string;
  log: Logger;
  deploy(trigger: Trigger): void;
  signal: AbortSignal;
  timing?: Partial<HookbotTiming>;
  /** A missed-update check gives up after this long (HookbotCheckTimeoutMs). */
  checkTimeoutMs?: number;
}

/**
 * Turns hookbot messages into deploys. Hookbot delivers at most once and keeps nothing for
 * a listener that is away, so after every reconnect this asks the git host or the registry
 * whether an update was missed, and deploys it if so. Resolves once `signal` aborts.
 */
export function watchHookbot(options: WatchOptions): Promise<void> {
  const { settings: { endpoint, target }, source, log, signal } = options;
  // The newest commit asked for, so that a check after a reconnect knows what is current.
  let lastSha: string | undefined;

  const onMessage = (message: HookbotMessage) => {
    if (target.kind !== 'git' || source.kind !== 'git') {
      options.deploy({ reason: `hookbot: ${message.topic}` });
      return;
    }
    const push = parseGithubPush(message.payload, target.branch);
    switch (push.kind) {
      case 'invalid':
        log.warn(`hookbot: ignoring a malformed message on ${message.topic}: ${push.problem}`);
        return;
      case 'deleted':
        log.info(`hookbot: ${push.who} deleted branch ${push.branch}; ignored, the live version keeps serving`);
        return;
      case 'push':
        lastSha = push.sha;
        options.deploy({ reason: `hookbot: ${push.who} pushed ${push.sha.slice(0, 12)} to ${push.branch}`, source: { ...source, sha: push.sha } });
    }
  };

  const check = async (): Promise<MissedUpdate | undefined> => {
    // A registry or git host that never answers must not hold the next check back forever.
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(options.checkTimeoutMs ?? HookbotCheckTimeoutMs)]);
    if (source.kind === 'git' && target.kind === 'git') return missedGitUpdate(source.repo, target.branch, lastSha, bounded);
    if (source.kind === 'pull') return missedPullUpdate(options.docker, options.app, source.ref, bounded);
    return undefined;
  };

  const checkOnce = async (): Promise<void> => {
    let result: MissedUpdate | undefined;
    try {
      result = await check();
    } catch (error) {
      if (signal.aborted) return;
      // Deploying once too often costs a handover; missing an update costs more.
      log.warn(`hookbot: could not check for an update missed while disconnected: ${describeError(error)}; deploying to be sure`);
      options.deploy({ reason: 'hookbot: reconnected, update check failed' });
      return;
    }
    if (signal.aborted) return;
    if (result === undefined) {
      log.info('hookbot: cannot tell whether an update was missed while disconnected for this source; send SIGHUP to redeploy');
    } else if (!result.missed) {
      log.info(`hookbot: no update missed while disconnected (${result.why})`);
    } else {
      if (result.sha !== undefined) lastSha = result.sha;
      const from = result.sha !== undefined && source.kind === 'git' ? { source: { ...source, sha: result.sha } } : {};
      options.deploy({ reason: `hookbot: update missed while disconnected (${result.why})`, ...from });
    }
  };
  // One check at a time: reconnects in quick succession queue at most one more, never a pile.
  const checkForMissed = singleFlight(checkOnce);

  const onConnect = (reconnected: boolean) => {
    if (reconnected) void checkForMissed();
  };

  return subscribe({ endpoint, log, signal, onMessage, onConnect, ...(options.timing ? { timing: options.timing } : {}) });
}
