import type { Argv } from 'yargs';
import type { BuilderConfig } from '../builder/run-builder.js';
import { UsageError } from '../errors.js';
import { resolveHookbot, resolveNotify } from '../hookbot/hookbot-config.js';

export function builderOptions(argv: Argv) {
  return argv
    .option('listen', { type: 'string', describe: 'hookbot /sub/ URL whose messages trigger a build [env: HOOKBOT_MONITOR_URL]' })
    .option('docker-notify', { type: 'string', describe: 'hookbot /pub/docker-pull/REPO/tag/TAG URL: where to push, and whom to tell [env: HOOKBOT_DOCKER_NOTIFY_URL]' })
    .option('name', { type: 'string', describe: 'name for built images [default: repository name]' })
    .option('git-url-base', { type: 'string', describe: 'fetch github.com/repo/OWNER/REPO from <base>/OWNER/REPO.git instead [env: HANOVERD_GIT_BASE]' })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'text for people, json (one object per line) for log shippers' });
}

export function toBuilderConfig(args: Awaited<ReturnType<typeof builderOptions>['argv']>, cwd: string, env: NodeJS.ProcessEnv): BuilderConfig {
  const listen = args.listen ?? env.HOOKBOT_MONITOR_URL;
  const notify = args['docker-notify'] ?? env.HOOKBOT_DOCKER_NOTIFY_URL;
  if (!listen) throw new UsageError('builder needs --listen wss://TOKEN@hookbot/sub/github.com/repo/OWNER/REPO/branch/BRANCH');
  if (!notify) throw new UsageError('builder needs --docker-notify https://TOKEN@hookbot/pub/docker-pull/REGISTRY/REPO/tag/TAG');
  const { app, source, settings } = resolveHookbot(listen, '--listen', cwd, args['git-url-base'] ?? env.HANOVERD_GIT_BASE, args.name);
  if (settings.target.kind === 'docker-pull') throw new UsageError('--listen: a builder builds; listen on a github.com/repo/… or hanoverd/cwd topic, not docker-pull');
  const { endpoint, image } = resolveNotify(notify, '--docker-notify');
  return { app, source, listen: settings, notify: endpoint, image };
}
