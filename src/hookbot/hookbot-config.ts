import { appNameFrom, defaultAppName, validateAppName } from '../app-name.js';
import type { ImageSource } from '../trigger.js';
import { DefaultGitDir } from '../defaults.js';
import { UsageError } from '../errors.js';
import { parseImageRef, type ImageRef } from '../options/image-ref.js';
import { cloneUrl, gitRepo, haveSshKey } from '../source/git-mirror.js';
import { parseHookbotEndpoint, type HookbotEndpoint } from './hookbot-url.js';
import type { HookbotSettings } from './watch-hookbot.js';
import { parseWatchTarget } from './watch-target.js';

export interface HookbotConfig {
  app: string;
  source: ImageSource;
  settings: HookbotSettings;
}

/**
 * What a hookbot URL asks for, validated: the topic to listen on, the source it implies
 * (a git repository, a registry tag or the working directory) and the app name, which
 * comes from the repository unless `name` is given.
 */
export function resolveHookbot(url: string, flag: string, cwd: string, gitBase: string | undefined, name: string | undefined): HookbotConfig {
  const endpoint = parseHookbotEndpoint(url, 'sub', flag);
  const target = parseWatchTarget(endpoint.topic, endpoint.fragment, flag);
  const settings = { endpoint, target };
  switch (target.kind) {
    case 'git': {
      const app = name === undefined ? appNameFrom(target.repo) : validateAppName(name);
      const repo = gitRepo(cwd, DefaultGitDir, target.host, target.owner, target.repo, cloneUrl(target.host, target.owner, target.repo, gitBase, haveSshKey()));
      return { app, settings, source: { kind: 'git', repo, branch: target.branch, subdir: target.subdir, tag: app } };
    }
    case 'docker-pull': {
      const app = name === undefined ? defaultAppName(cwd, target.ref.repo) : validateAppName(name);
      return { app, settings, source: { kind: 'pull', ref: target.ref } };
    }
    case 'cwd': {
      const app = name === undefined ? defaultAppName(cwd, undefined) : validateAppName(name);
      return { app, settings, source: { kind: 'build', dir: cwd, tag: app } };
    }
  }
}

const NOTIFY_TOPIC = /^docker-pull\/(.+)\/tag\/([^/]+)$/;

/** `--docker-notify`: a /pub/docker-pull/<registry/repo>/tag/<tag> URL, and the image it names. */
export function resolveNotify(url: string, flag: string): { endpoint: HookbotEndpoint; image: ImageRef } {
  const endpoint = parseHookbotEndpoint(url, 'pub', flag);
  const match = NOTIFY_TOPIC.exec(endpoint.topic);
  if (!match) throw new UsageError(`${flag}: the path must be /pub/docker-pull/REGISTRY/REPO/tag/TAG, not /pub/${endpoint.topic}`);
  const name = `${match[1]}:${match[2]}`;
  try {
    return { endpoint, image: parseImageRef(name) };
  } catch {
    throw new UsageError(`${flag}: "${name}" is not an image reference`);
  }
}
