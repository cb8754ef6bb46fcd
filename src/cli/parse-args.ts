import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import {
  DefaultDrainTimeout, DefaultHistoryLimit, DefaultOverlapGrace, DefaultReadyStatus, DefaultReadyTimeout, DefaultStatusUri, DefaultStopTimeout,
} from '../defaults.js';
import type { DaemonConfig, ImageSource } from '../daemon/config.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { resolveEnv } from '../options/env.js';
import { parseImageRef } from '../options/image-ref.js';
import { parseMount } from '../options/mount.js';
import { parsePublishList } from '../options/publish.js';
import { parseStatusCodes } from '../options/status-codes.js';
import { parseVolume } from '../options/volume.js';
import { defaultStateDir } from '../state/state-dir.js';
import { defaultAppName, validateAppName } from './app-name.js';
import { builderOptions, toBuilderConfig } from './builder-args.js';
import type { BuilderConfig } from '../builder/run-builder.js';
import { resolveHookbot } from '../hookbot/hookbot-config.js';
import { findStateDir, groupId } from './find-daemon.js';

export type LogFormat = 'text' | 'json';
export type ClientAction = 'status' | 'history' | 'deploy' | 'rollback';

export type Command =
  | { kind: 'run'; config: DaemonConfig; logFormat: LogFormat }
  | { kind: 'client'; action: ClientAction; stateDir: string; json: boolean; limit: number }
  | { kind: 'builder'; config: BuilderConfig; logFormat: LogFormat }
  | { kind: 'version' };

const EPILOG = `Examples:
  hanoverd -p 8080:8000 --status-uri /healthz     build ./Dockerfile and serve it on :8080
  kill -HUP $(pidof hanoverd)                      rebuild and hand over
  hanoverd localhost:5000/team/app:prod -p 80:8000 -- --workers 4`;

function runOptions(argv: Argv) {
  return argv
    .positional('image', { type: 'string', describe: 'image to pull (repo[:tag] or repo@digest); "@" or none builds ./Dockerfile' })
    .positional('command', { type: 'string', array: true, describe: 'arguments passed to the container' })
    .option('publish', { alias: 'p', type: 'string', array: true, default: [] as string[], describe: 'host port to hand over: [ip:]hostPort:containerPort[/tcp|udp]' })
    .option('env', { alias: 'e', type: 'string', array: true, default: [] as string[], describe: 'container environment: NAME=value, or NAME to pass it through' })
    .option('volume', { alias: 'v', type: 'string', array: true, default: [] as string[], describe: 'bind mount or volume: /host:/container[:ro], name:/path, /path' })
    .option('mount', { type: 'string', array: true, default: [] as string[], describe: 'docker --mount syntax: type=bind,source=/a,target=/b[,readonly]' })
    .option('name', { type: 'string', describe: 'app name for containers (<name>-<n>) and rules [default: directory or repository name]' })
    .option('status-uri', { type: 'string', default: DefaultStatusUri, describe: 'path polled on each exposed port until it answers a ready status' })
    .option('ready-status', { type: 'string', default: DefaultReadyStatus, describe: 'statuses that mean ready, e.g. 200, 2xx or 200,204' })
    .option('ready-timeout', { type: 'string', default: DefaultReadyTimeout, describe: 'give up on a new version not ready after this long' })
    .option('disable-overlap', { type: 'boolean', default: false, describe: 'stop the old container before starting the new one' })
    .option('overlap-grace-duration', { type: 'string', default: DefaultOverlapGrace, describe: 'keep the old container at least this long after the switch' })
    .option('drain-timeout', { type: 'string', default: DefaultDrainTimeout, describe: 'wait at most this long for the old container\'s connections to finish' })
    .option('stop-timeout', { type: 'string', default: DefaultStopTimeout, describe: 'between SIGTERM and SIGKILL when stopping a container' })
    .option('init', { type: 'boolean', default: true, describe: 'run an init process in the container that forwards signals (--no-init to disable)' })
    .option('state-dir', { type: 'string', describe: 'history, live state and control socket [default: /var/lib/hanoverd/<name> as root, else ~/.local/state/hanoverd/<name>]' })
    .option('control-group', { type: 'string', describe: 'group that may use the control socket besides its owner' })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'text for people, json (one object per line) for log shippers' })
    .option('hookbot', { type: 'string', describe: 'hookbot websocket URL to listen on for deploys [env: HOOKBOT_URL]' })
    .option('git-url-base', { type: 'string', describe: 'fetch github.com/repo/OWNER/REPO from <base>/OWNER/REPO.git instead [env: HANOVERD_GIT_BASE]' });
}

function toConfig(args: Awaited<ReturnType<typeof runOptions>['argv']>, cwd: string, env: NodeJS.ProcessEnv): DaemonConfig {
  const hookbotUrl = args.hookbot ?? env.HOOKBOT_URL;
  const hookbot = hookbotUrl ? resolveHookbot(hookbotUrl, '--hookbot', cwd, args['git-url-base'] ?? env.HANOVERD_GIT_BASE, args.name) : undefined;
  // With --hookbot the topic names the image; every positional argument is the container's, as in the original.
  const image = hookbot || args.image === '@' ? undefined : args.image;
  const ref = image === undefined ? undefined : parseImageRef(image);
  const app = hookbot?.app ?? (args.name === undefined ? defaultAppName(cwd, ref?.repo) : validateAppName(args.name));
  const source: ImageSource = hookbot?.source ?? (ref ? { kind: 'pull', ref } : { kind: 'build', dir: cwd, tag: app });
  const bindings = parsePublishList(args.publish);
  const statusUri = args['status-uri'];
  if (!statusUri.startsWith('/')) throw new UsageError(`--status-uri "${statusUri}": a path starting with "/" is needed, e.g. /healthz`);
  const extra = ((args as { '--'?: unknown[] })['--'] ?? []).map(String);
  const controlGroup = args['control-group'];
  const controlGid = controlGroup === undefined ? undefined : groupId(controlGroup);
  if (controlGroup !== undefined && controlGid === undefined) throw new UsageError(`--control-group "${controlGroup}": no such group`);
  return {
    app,
    source,
    bindings,
    container: {
      app,
      env: resolveEnv(args.env, env),
      mounts: [...args.volume.map((spec) => parseVolume(spec, cwd)), ...args.mount.map((spec) => parseMount(spec, cwd))],
      bindings,
      command: [...(hookbot && args.image !== undefined ? [args.image] : []), ...(args.command ?? []), ...extra],
      init: args.init,
    },
    statusUri,
    isReady: parseStatusCodes(args['ready-status']),
    readyTimeoutMs: parseDuration(args['ready-timeout'], '--ready-timeout'),
    overlap: !args['disable-overlap'],
    overlapGraceMs: parseDuration(args['overlap-grace-duration'], '--overlap-grace-duration'),
    drainTimeoutMs: parseDuration(args['drain-timeout'], '--drain-timeout'),
    stopTimeoutMs: parseDuration(args['stop-timeout'], '--stop-timeout'),
    stateDir: args['state-dir'] ? path.resolve(cwd, args['state-dir']) : defaultStateDir(app, env),
    ...(controlGid === undefined ? {} : { controlGid }),
    ...(hookbot ? { hookbot: hookbot.settings } : {}),
  };
}

function clientOptions(argv: Argv) {
  return argv
    .option('state-dir', { type: 'string', describe: 'state directory of the daemon [default: the daemon started in this directory]' })
    .option('name', { type: 'string', describe: 'app name of the daemon' })
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
    .option('limit', { type: 'number', default: DefaultHistoryLimit, describe: 'history entries to show (newest)' });
}

const CLIENT_COMMANDS: Array<[ClientAction, string]> = [
  ['status', 'what is live, since when, from which image, and the last deploy'],
  ['history', 'every deploy: when, trigger, image, phases, outcome'],
  ['deploy', 'deploy a new version now (as SIGHUP)'],
  ['rollback', 'hand back to the previously live image, zero downtime'],
];

/**
 * Parses the command line into a validated command. Throws UsageError (one line)
 * for anything wrong; prints help itself.
 */
export async function parseArgs(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Command | undefined> {
  let command: Command | undefined;
  const parser = yargs([...argv])
    .scriptName('hanoverd')
    .parserConfiguration({ 'populate--': true })
    .command('version', 'print the version', {}, () => { command = { kind: 'version' }; })
    .command('builder', 'build on each hookbot event, push the image and notify a docker-pull topic', builderOptions, (args) => {
      command = { kind: 'builder', config: toBuilderConfig(args, cwd, env), logFormat: args['log-format'] };
    });
  for (const [action, describe] of CLIENT_COMMANDS) {
    parser.command(action, describe, clientOptions, (args) => {
      const stateDir = findStateDir({ ...(args['state-dir'] ? { stateDir: args['state-dir'] } : {}), ...(args.name ? { name: args.name } : {}) }, cwd, env);
      command = { kind: 'client', action, stateDir, json: args.json, limit: args.limit };
    });
  }
  await parser
    .command('$0 [image] [command..]', 'build or pull an image and hand traffic over to each new version', runOptions, (args) => {
      command = { kind: 'run', config: toConfig(args, cwd, env), logFormat: args['log-format'] };
    })
    .strict()
    .epilog(EPILOG)
    .wrap(Math.min(110, process.stdout.columns || 110))
    .version(false)
    .help()
    .fail((message, error) => {
      throw error ?? new UsageError(`${message}; see hanoverd --help`);
    })
    .parseAsync();
  return command;
}
