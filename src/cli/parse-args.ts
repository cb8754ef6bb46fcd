import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import {
  DefaultWatchFailures, DefaultDrainTimeout, DefaultHistoryLimit, DefaultOverlapGrace, DefaultReadyStatus, DefaultReadyTimeout, DefaultStatusUri, DefaultStopTimeout,
} from '../defaults.js';
import type { DaemonConfig } from '../daemon/config.js';
import type { ImageSource } from '../trigger.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { ReservedLabels } from '../labels.js';
import { parseEngineOptions } from '../options/engine-options.js';
import { resolveEnv } from '../options/env.js';
import { mergeEnv, readEnvFiles } from '../options/env-file.js';
import { parseLabels } from '../options/label.js';
import { parseNetworks } from '../options/network.js';
import { parsePort } from '../options/port.js';
import { parseImageRef } from '../options/image-ref.js';
import { parseMount } from '../options/mount.js';
import { parsePublishList } from '../options/publish.js';
import { parseStatusCodes } from '../options/status-codes.js';
import { parseVolume } from '../options/volume.js';
import { defaultStateDir } from '../state/state-dir.js';
import { readLiveState } from '../state/live-state.js';
import { defaultAppName, validateAppName } from '../app-name.js';
import { builderOptions, toBuilderConfig } from './builder-args.js';
import type { BuilderConfig } from '../builder/run-builder.js';
import { resolveHookbot } from '../hookbot/hookbot-config.js';
import { withTokenFile } from '../hookbot/hookbot-token.js';
import { findStateDir, groupId } from './find-daemon.js';
import { parseObserveOptions } from '../observe/observe-config.js';

export type LogFormat = 'text' | 'json';
export type ClientAction = 'status' | 'history' | 'deploy' | 'rollback' | 'promote';

export type Command =
  | { kind: 'run'; config: DaemonConfig; logFormat: LogFormat }
  | { kind: 'client'; action: ClientAction; stateDir: string; json: boolean; limit: number; canary?: number }
  | { kind: 'builder'; config: BuilderConfig; logFormat: LogFormat }
  /** The run command's flags and image, as a compose file: -e and --env-file as given, since compose reads them itself. */
  | { kind: 'export'; config: DaemonConfig; cwd: string; env: string[]; envFiles: string[] }
  | { kind: 'version' };

const EPILOG = `Examples:
  hanoverd -p 8080:8000 --status-uri /healthz     build ./Dockerfile and serve it on :8080
  kill -HUP $(pidof hanoverd)                      rebuild and hand over
  hanoverd -p 80:8000 -e MODE=prod localhost:5000/team/app:prod --workers 4
                                                   flags first, as docker run: after the image, every
                                                   argument is the container's (@ builds ./Dockerfile)`;

/** A flag given once per value, as docker run's: `-p 1:2 -p 3:4 IMAGE`, never `-p 1:2 3:4`. */
const repeatable = (describe: string) => ({ type: 'string', array: true, nargs: 1, default: [] as string[], describe }) as const;

const DOCKER_RUN = 'As docker run:';

/** The container's options, with docker run's names and meaning. */
function dockerRunOptions<T>(argv: Argv<T>) {
  return argv
    .option('publish', { alias: 'p', ...repeatable('host port to hand over: [ip:]hostPort:containerPort[/tcp|udp]') })
    .option('env', { alias: 'e', ...repeatable('container environment: NAME=value, or NAME to pass it through') })
    .option('env-file', repeatable('read NAME=value lines (docker\'s format) into the environment, before -e'))
    .option('volume', { alias: 'v', ...repeatable('bind mount or volume: /host:/container[:ro], name:/path, /path') })
    .option('mount', { alias: 'm', ...repeatable('docker --mount syntax: type=bind,source=/a,target=/b[,readonly]') })
    .option('tmpfs', repeatable('tmpfs mount: /path[:size=64m,mode=1777]'))
    .option('read-only', { type: 'boolean', default: false, describe: 'mount the container\'s root filesystem read-only' })
    .option('label', { alias: 'l', ...repeatable('container label key=value') })
    .option('user', { alias: 'u', type: 'string', requiresArg: true, describe: 'run as name|uid[:group|gid]' })
    .option('workdir', { alias: 'w', type: 'string', requiresArg: true, describe: 'working directory inside the container' })
    .option('hostname', { type: 'string', requiresArg: true, describe: 'container host name [default: <name>-<n>]' })
    .option('memory', { type: 'string', requiresArg: true, describe: 'memory limit, e.g. 512m, 2g' })
    .option('cpus', { type: 'string', requiresArg: true, describe: 'CPU limit, e.g. 0.5 or 2' })
    .option('add-host', repeatable('/etc/hosts entry host:ip (host-gateway for the host)'))
    .option('cap-add', repeatable('add a Linux capability, e.g. NET_ADMIN'))
    .option('cap-drop', repeatable('drop a Linux capability, or ALL'))
    .option('ulimit', repeatable('ulimit name=soft[:hard], e.g. nofile=1024:4096'))
    .option('log-driver', { type: 'string', requiresArg: true, describe: 'engine log driver for the container (hanoverd\'s log shows its output whatever the driver)' })
    .option('log-opt', repeatable('log driver option key=value'))
    .option('stop-signal', { type: 'string', requiresArg: true, describe: 'signal that stops the container [default: the image\'s, else SIGTERM]' })
    .option('network', repeatable('join this network (the first given is where traffic goes) [default: bridge]'))
    .option('network-alias', repeatable('DNS alias of the container on its user-defined networks'))
    .option('health-cmd', { type: 'string', requiresArg: true, describe: 'health check command (run by a shell in the container)' })
    .option('health-interval', { type: 'string', requiresArg: true, describe: 'time between health checks, e.g. 1s' })
    .option('health-timeout', { type: 'string', requiresArg: true, describe: 'a health check taking longer fails' })
    .option('health-retries', { type: 'string', requiresArg: true, describe: 'failures in a row that make the container unhealthy' })
    .option('health-start-period', { type: 'string', requiresArg: true, describe: 'failures meanwhile do not count' })
    .option('healthcheck', { type: 'boolean', default: true, describe: 'use the image\'s HEALTHCHECK (--no-healthcheck to switch it off)' })
    .group(['publish', 'env', 'env-file', 'volume', 'mount', 'tmpfs', 'read-only', 'label', 'user', 'workdir', 'hostname', 'memory', 'cpus', 'add-host',
      'cap-add', 'cap-drop', 'ulimit', 'log-driver', 'log-opt', 'stop-signal', 'network', 'network-alias', 'health-cmd', 'health-interval',
      'health-timeout', 'health-retries', 'health-start-period', 'healthcheck', 'init'], DOCKER_RUN);
}

function runOptions(argv: Argv) {
  return dockerRunOptions(argv
    // As docker run: flags end at the image (or at "--"); what follows is the container's.
    .parserConfiguration({ 'populate--': true, 'halt-at-non-option': true, 'greedy-arrays': false })
    .positional('image', { type: 'string', describe: 'image to pull (repo[:tag] or repo@digest); "@" or none builds ./Dockerfile' })
    .positional('command', { type: 'string', array: true, describe: 'arguments passed to the container' }))
    .option('name', { type: 'string', requiresArg: true, describe: 'app name for containers (<name>-<n>) and rules [default: directory or repository name]' })
    .option('status-uri', { type: 'string', requiresArg: true, default: DefaultStatusUri, describe: 'path polled on each exposed port until it answers a ready status' })
    .option('status-port', { type: 'string', requiresArg: true, describe: 'the one container port to poll [default: every exposed port]' })
    .option('ready-status', { type: 'string', requiresArg: true, default: DefaultReadyStatus, describe: 'statuses that mean ready, e.g. 200, 2xx or 200,204' })
    .option('ready-timeout', { type: 'string', requiresArg: true, default: DefaultReadyTimeout, describe: 'give up on a new version not ready after this long' })
    .option('disable-overlap', { type: 'boolean', default: false, describe: 'stop the old container before starting the new one' })
    .option('overlap-grace-duration', { type: 'string', requiresArg: true, default: DefaultOverlapGrace, describe: 'keep the old container at least this long after the switch' })
    .option('drain-timeout', { type: 'string', requiresArg: true, default: DefaultDrainTimeout, describe: 'wait at most this long for the old container\'s connections to finish' })
    .option('stop-timeout', { type: 'string', requiresArg: true, default: DefaultStopTimeout, describe: 'between SIGTERM and SIGKILL when stopping a container' })
    .option('init', { type: 'boolean', default: true, describe: 'run an init process in the container that forwards signals (--no-init to disable)' })
    .option('state-dir', { type: 'string', requiresArg: true, describe: 'history, live state and control socket [default: /var/lib/hanoverd/<name> as root, else ~/.local/state/hanoverd/<name>]' })
    .option('control-group', { type: 'string', requiresArg: true, describe: 'group that may use the control socket besides its owner' })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'text for people, json (one object per line) for log shippers' })
    .option('hookbot', { type: 'string', requiresArg: true, describe: 'hookbot websocket URL to listen on for deploys [env: HOOKBOT_URL]' })
    .option('hookbot-token-file', { type: 'string', requiresArg: true, describe: 'file holding the hookbot token, put into the URL (keeps it out of the process list)' })
    .option('git-url-base', { type: 'string', requiresArg: true, describe: 'fetch github.com/repo/OWNER/REPO from <base>/OWNER/REPO.git instead [env: HANOVERD_GIT_BASE]' })
    .option('watch', { type: 'string', requiresArg: true, describe: 'after a switch keep the previous version ready this long, and go back to it if the new one exits, turns unhealthy or fails its status URI [default: off]' })
    .option('watch-failures', { type: 'number', requiresArg: true, default: DefaultWatchFailures, describe: 'status checks failed in a row that send traffic back during --watch' })
    // Observing deploys (issue 10): validated by parseObserveOptions in src/observe/observe-config.ts.
    .option('metrics-listen', { type: 'string', requiresArg: true, describe: 'serve Prometheus metrics at /metrics on IP:PORT, [IPv6]:PORT or :PORT (every interface)' })
    .option('notify', { type: 'string', array: true, nargs: 1, requiresArg: true, describe: 'POST each deploy event as JSON to this http(s) URL (repeatable)' })
    .option('pre-switch', { type: 'string', requiresArg: true, describe: 'command run inside the ready new container before it takes traffic; non-zero fails it' })
    .option('pre-switch-timeout', { type: 'string', requiresArg: true, describe: 'a pre-switch command still running after this fails the version [default: 5m]' })
    .option('post-deploy', { type: 'string', requiresArg: true, describe: 'command run on the host after a version is live (HANOVERD_APP, _CONTAINER, _IMAGE, _DIGEST)' })
    .option('poll', { type: 'string', requiresArg: true, describe: 'ask the registry for the pulled tag\'s digest this often and deploy when it changes' });
}

function toConfig(args: Awaited<ReturnType<typeof runOptions>['argv']>, cwd: string, env: NodeJS.ProcessEnv): DaemonConfig {
  const hookbotUrl = withTokenFile(args.hookbot ?? env.HOOKBOT_URL, args['hookbot-token-file'], cwd, '--hookbot-token-file', '--hookbot');
  const hookbot = hookbotUrl ? resolveHookbot(hookbotUrl, '--hookbot', cwd, args['git-url-base'] ?? env.HANOVERD_GIT_BASE, args.name) : undefined;
  // Everything from the first argument that is not a flag: the image, then the container's arguments.
  const rest = ((args as { '--'?: unknown[] })['--'] ?? []).map(String);
  // With --hookbot the topic names the image; every positional argument is the container's, as in the original.
  const named = hookbot ? undefined : rest[0];
  const containerArgs = hookbot ? rest : rest.slice(1);
  const image = named === '@' ? undefined : named;
  const ref = image === undefined ? undefined : parseImageRef(image);
  const app = hookbot?.app ?? (args.name === undefined ? defaultAppName(cwd, ref?.repo) : validateAppName(args.name));
  const source: ImageSource = hookbot?.source ?? (ref ? { kind: 'pull', ref } : { kind: 'build', dir: cwd, tag: app });
  const bindings = parsePublishList(args.publish);
  const statusUri = args['status-uri'];
  if (!statusUri.startsWith('/')) throw new UsageError(`--status-uri "${statusUri}": a path starting with "/" is needed, e.g. /healthz`);
  const controlGroup = args['control-group'];
  const controlGid = controlGroup === undefined ? undefined : groupId(controlGroup);
  if (controlGroup !== undefined && controlGid === undefined) throw new UsageError(`--control-group "${controlGroup}": no such group`);
  const observe = parseObserveOptions(args, source);
  const watchMs = args.watch === undefined ? 0 : parseDuration(args.watch, '--watch');
  const watchFailures = args['watch-failures'];
  if (!Number.isInteger(watchFailures) || watchFailures < 1) throw new UsageError(`--watch-failures ${watchFailures}: give a whole number of checks, 1 or more`);
  return {
    app,
    source,
    bindings,
    observe,
    watchMs,
    watchFailures,
    container: {
      app,
      // As docker run: the env files first, then -e; a later value of a name wins.
      env: mergeEnv(readEnvFiles(args['env-file'], cwd, env), resolveEnv(args.env, env)),
      mounts: [...args.volume.map((spec) => parseVolume(spec, cwd)), ...args.mount.map((spec) => parseMount(spec, cwd))],
      bindings,
      command: containerArgs,
      init: args.init,
      labels: parseLabels(args.label, ReservedLabels),
      ...parseNetworks(args.network, args['network-alias']),
      engine: parseEngineOptions({
        user: args.user,
        workdir: args.workdir,
        hostname: args.hostname,
        stopSignal: args['stop-signal'],
        memory: args.memory,
        cpus: args.cpus,
        addHost: args['add-host'],
        readOnly: args['read-only'],
        tmpfs: args.tmpfs,
        capAdd: args['cap-add'],
        capDrop: args['cap-drop'],
        ulimit: args.ulimit,
        logDriver: args['log-driver'],
        logOpt: args['log-opt'],
        health: {
          cmd: args['health-cmd'],
          interval: args['health-interval'],
          timeout: args['health-timeout'],
          startPeriod: args['health-start-period'],
          retries: args['health-retries'],
          enabled: args.healthcheck,
        },
      }),
    },
    statusUri,
    ...(args['status-port'] === undefined ? {} : { statusPort: parsePort(args['status-port'], '--status-port') }),
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
    .option('limit', { type: 'number', default: DefaultHistoryLimit, describe: 'history entries to show (newest)' })
    .option('canary', { type: 'number', requiresArg: true, describe: 'deploy: the new version takes this share (1-99 %) of new connections beside the live one' });
}

const CLIENT_COMMANDS: Array<[ClientAction, string]> = [
  ['status', 'what is live, since when, from which image, and the last deploy'],
  ['history', 'every deploy: when, trigger, image, phases, outcome'],
  ['deploy', 'deploy a new version now (as SIGHUP)'],
  ['rollback', 'hand back to the previously live image (or end a canary), zero downtime'],
  ['promote', 'move all traffic to the canary'],
];

/** What every parser shares: unknown flags refused, help, and yargs' errors as one-line usage errors. */
async function finish(parser: Argv): Promise<void> {
  await parser
    .strict()
    .epilog(EPILOG)
    .wrap(Math.min(110, process.stdout.columns || 110))
    .version(false)
    .help()
    .fail((message, error) => {
      // yargs' own errors (YError: a flag without its value) are usage errors; ours pass through.
      if (error && error.name !== 'YError') throw error;
      throw new UsageError(`${message}; see hanoverd --help`, error ? { cause: error } : undefined);
    })
    .parseAsync();
}

const EXPORT_DESCRIBE = 'print the app as its daemon runs it (or these flags, image and command) as a docker compose file, for compose or swarm';

/**
 * `hanoverd export [flags] [image] [command..]`: the run command's own parser, on the
 * arguments after `export`, so that flags, the image and the container's command are read
 * (and refused) exactly as for the daemon. A yargs subcommand would halt at its own name.
 */
async function parseExport(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Command | undefined> {
  const only = onlyDaemonChoice(argv);
  return only ? exportAsRunning(only, cwd, env) : parseExportFlags(argv, cwd, env);
}

/** `--name X` and `--state-dir D` alone (or nothing) pick a daemon; anything else is a command line to export. */
function onlyDaemonChoice(argv: readonly string[]): { name?: string; stateDir?: string } | undefined {
  const choice: { name?: string; stateDir?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s);
    const key = flag === '--name' ? 'name' : flag === '--state-dir' ? 'stateDir' : undefined;
    const value = inline ?? argv[++i];
    if (key === undefined || value === undefined) return undefined;
    choice[key] = value;
  }
  return choice;
}

/**
 * `hanoverd export` in an app's directory: the app as it runs now, from its daemon's state:
 * the command line it was started with, and the live image, by digest when it was pulled.
 */
async function exportAsRunning(choice: { name?: string; stateDir?: string }, cwd: string, env: NodeJS.ProcessEnv): Promise<Command | undefined> {
  const stateDir = findStateDir(choice, cwd, env);
  const state = readLiveState(stateDir);
  if (!state?.args) {
    throw new UsageError(`no hanoverd has run for this app (nothing in ${stateDir}); run it here first, or give its flags: hanoverd export [flags] [image] [command..]`);
  }
  const command = await parseExportFlags(state.args, state.cwd, env);
  if (command?.kind !== 'export') return command;
  const source = command.config.source;
  const digest = state.live?.digest;
  if (source.kind === 'pull' && digest?.startsWith(`${source.ref.repo}@`)) command.config.source = { kind: 'pull', ref: parseImageRef(digest) };
  return command;
}

async function parseExportFlags(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Command | undefined> {
  let command: Command | undefined;
  await finish(yargs([...argv])
    .scriptName('hanoverd export')
    .command('$0 [image] [command..]', EXPORT_DESCRIBE, runOptions, (args) => {
      // -e and --env-file as given, besides the validated config: compose resolves and reads them itself.
      command = { kind: 'export', config: toConfig(args, cwd, env), cwd, env: [...args.env], envFiles: [...args['env-file']] };
    }));
  return command;
}

/**
 * Parses the command line into a validated command. Throws UsageError (one line)
 * for anything wrong; prints help itself.
 */
export async function parseArgs(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Command | undefined> {
  if (argv[0] === 'export') return parseExport(argv.slice(1), cwd, env);
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
      const canary = args.canary;
      if (canary !== undefined && action !== 'deploy') throw new UsageError(`--canary is for hanoverd deploy, not ${action}`);
      if (canary !== undefined && !(Number.isInteger(canary) && canary >= 1 && canary <= 99)) {
        throw new UsageError(`--canary ${canary}: give a whole percentage from 1 to 99 (hanoverd promote moves the rest)`);
      }
      command = { kind: 'client', action, stateDir, json: args.json, limit: args.limit, ...(canary !== undefined ? { canary } : {}) };
    });
  }
  // Listed for --help only: parseExport reads it.
  parser.command('export [flags] [image] [command..]', EXPORT_DESCRIBE, {}, () => {});
  await finish(parser
    .command('$0 [image] [command..]', 'build or pull an image and hand traffic over to each new version', runOptions, (args) => {
      command = { kind: 'run', config: { ...toConfig(args, cwd, env), args: [...argv] }, logFormat: args['log-format'] };
    }));
  return command;
}
