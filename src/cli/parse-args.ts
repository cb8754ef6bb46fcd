import yargs, { type Argv } from 'yargs';
import {
  DefaultDrainTimeout, DefaultOverlapGrace, DefaultReadyStatus, DefaultReadyTimeout, DefaultStatusUri, DefaultStopTimeout,
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
import { defaultAppName, validateAppName } from './app-name.js';

export type Command = { kind: 'run'; config: DaemonConfig } | { kind: 'version' };

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
    .option('hookbot', { type: 'string', describe: 'hookbot websocket URL to listen on for deploys [env: HOOKBOT_URL]' });
}

function toConfig(args: Awaited<ReturnType<typeof runOptions>['argv']>, cwd: string, env: NodeJS.ProcessEnv): DaemonConfig {
  const hookbot = args.hookbot ?? env.HOOKBOT_URL;
  if (hookbot) throw new UsageError('--hookbot is not supported by this version yet; trigger deploys with SIGHUP');
  const image = args.image === '@' ? undefined : args.image;
  const ref = image === undefined ? undefined : parseImageRef(image);
  const app = args.name === undefined ? defaultAppName(cwd, ref?.repo) : validateAppName(args.name);
  const source: ImageSource = ref ? { kind: 'pull', ref } : { kind: 'build', dir: cwd, tag: app };
  const bindings = parsePublishList(args.publish);
  const statusUri = args['status-uri'];
  if (!statusUri.startsWith('/')) throw new UsageError(`--status-uri "${statusUri}": a path starting with "/" is needed, e.g. /healthz`);
  const extra = ((args as { '--'?: unknown[] })['--'] ?? []).map(String);
  return {
    app,
    source,
    bindings,
    container: {
      app,
      env: resolveEnv(args.env, env),
      mounts: [...args.volume.map((spec) => parseVolume(spec, cwd)), ...args.mount.map((spec) => parseMount(spec, cwd))],
      bindings,
      command: [...(args.command ?? []), ...extra],
      init: args.init,
    },
    statusUri,
    isReady: parseStatusCodes(args['ready-status']),
    readyTimeoutMs: parseDuration(args['ready-timeout'], '--ready-timeout'),
    overlap: !args['disable-overlap'],
    overlapGraceMs: parseDuration(args['overlap-grace-duration'], '--overlap-grace-duration'),
    drainTimeoutMs: parseDuration(args['drain-timeout'], '--drain-timeout'),
    stopTimeoutMs: parseDuration(args['stop-timeout'], '--stop-timeout'),
  };
}

/**
 * Parses the command line into a validated command. Throws UsageError (one line)
 * for anything wrong; prints help itself.
 */
export async function parseArgs(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Command | undefined> {
  let command: Command | undefined;
  await yargs([...argv])
    .scriptName('hanoverd')
    .parserConfiguration({ 'populate--': true })
    .command('version', 'print the version', {}, () => { command = { kind: 'version' }; })
    .command('$0 [image] [command..]', 'build or pull an image and hand traffic over to each new version', runOptions, (args) => {
      command = { kind: 'run', config: toConfig(args, cwd, env) };
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
