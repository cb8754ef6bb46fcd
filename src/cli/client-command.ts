import fs from 'node:fs';
import { callDaemon, DaemonUnreachableError } from '../control/control-client.js';
import { MaxHistoryApiLimit } from '../defaults.js';
import { shortId } from '../docker.js';
import { formatDuration } from '../duration.js';
import { HanoverdError, UsageError } from '../errors.js';
import { readHistory, type HistoryEntry } from '../state/history.js';
import { controlSocket } from '../state/state-dir.js';
import { readLiveState, type LiveState, type VersionInfo } from '../state/live-state.js';
import type { ClientAction } from './parse-args.js';

function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}

function describeVersion(version: VersionInfo): string {
  return `${version.container}  ${version.image} (${shortId(version.imageId)})${version.digest ? `  ${version.digest}` : ''}  since ${version.since} (${ago(version.since)})`;
}

export function formatStatus(state: LiveState): string {
  const lines = [
    ['app', `${state.app}  (pid ${state.pid}, ${state.cwd})`],
    ['serving', state.bindings.join(', ') || '(no published port)'],
    ['live', state.live ? describeVersion(state.live) : 'nothing'],
    ...(state.canary ? [['canary', `${describeVersion(state.canary)}  takes ${state.canary.percent}% of new connections`]] : []),
    ['previous', state.previous ? describeVersion(state.previous) : '-'],
  ];
  if (state.live?.exited) lines.push(['exited', `${state.live.container} exited with code ${state.live.exited.code} ${ago(state.live.exited.at)}; being brought back`]);
  const counts = Object.entries(state.connections ?? {});
  if (counts.length > 0) lines.push(['connections', counts.map(([name, count]) => `${name} ${count}`).join(', ') + ' (new connections through the switch)']);
  if (state.watch) lines.push(['watch', `${state.watch.version}, ${state.watch.previous} kept until ${state.watch.until}${state.watch.result ? `: ${state.watch.result}` : ''}`]);
  if (state.deploying) lines.push(['deploying', `${state.deploying.trigger}, since ${ago(state.deploying.since)}`]);
  if (state.lastDeploy) {
    const last = state.lastDeploy;
    lines.push(['last deploy', `${last.at} (${ago(last.at)})  ${last.trigger}: ${last.outcome}${last.error ? ` — ${last.error}` : ''}`]);
  }
  return lines.map(([key, value]) => `${key!.padEnd(12)}${value}`).join('\n');
}

export function formatHistory(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'no history yet';
  return entries.map((entry) => {
    const when = entry.at.replace('T', ' ').slice(0, 19);
    if (entry.kind === 'event') return `${when}  ${entry.trigger.padEnd(10)} ${entry.message ?? ''}`;
    const phases = (entry.phases ?? []).map((phase) => `${phase.name} ${formatDuration(phase.ms)}`).join(', ');
    const image = entry.image ? `${entry.image} (${entry.imageId ? shortId(entry.imageId) : '-'})` : '';
    const tail = entry.error ? `\n${' '.repeat(21)}${entry.error}` : '';
    return `${when}  ${entry.trigger.padEnd(10)} ${entry.outcome.padEnd(9)} ${(entry.container ?? '').padEnd(14)} ${image}  ${phases}${tail}`;
  }).join('\n');
}

/**
 * Asks the daemon, or, when none answers (it is not running; a stale socket left by one
 * that was killed), reads what it left in `stateDir`. `undefined` from the files: nothing there.
 */
async function askOrRead<T>(socket: string, stateDir: string, path: string, read: () => T): Promise<{ running: boolean; value: T }> {
  if (fs.existsSync(socket)) {
    try {
      return { running: true, value: await callDaemon<T>(socket, 'GET', path) };
    } catch (error) {
      if (!(error instanceof DaemonUnreachableError) || !fs.existsSync(stateDir)) throw error;
    }
  } else if (!fs.existsSync(stateDir)) {
    throw new HanoverdError(`no hanoverd answers on ${socket}; is it running here? (or point at it with --state-dir)`);
  }
  return { running: false, value: read() };
}

/** `hanoverd status|history|deploy|rollback|promote`: asks the daemon over its control socket. */
export async function clientCommand(action: ClientAction, stateDir: string, json: boolean, limit: number, canary?: number): Promise<number> {
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit ${limit}: a whole number of entries from 1 is needed`);
  const socket = controlSocket(stateDir);
  const print = (text: string) => process.stdout.write(`${text}\n`);
  switch (action) {
    case 'status': {
      // Status and history are files too: they can be read while no daemon runs.
      const { running, value: state } = await askOrRead<LiveState | undefined>(socket, stateDir, '/status', () => readLiveState(stateDir));
      if (!state) throw new HanoverdError(`no hanoverd state in ${stateDir}; is it running here? (or point at it with --state-dir)`);
      print(json ? JSON.stringify({ running, ...state }, null, 2) : `${running ? '' : 'not running (last state below)\n'}${formatStatus(state)}`);
      break;
    }
    case 'history': {
      const wanted = Math.min(limit, MaxHistoryApiLimit);
      const { value } = await askOrRead<HistoryEntry[]>(socket, stateDir, `/history?limit=${wanted}`, () => readHistory(stateDir));
      const entries = value.slice(-wanted);
      print(json ? JSON.stringify(entries, null, 2) : formatHistory(entries));
      break;
    }
    case 'deploy':
    case 'rollback':
    case 'promote': {
      const answer = await callDaemon<{ message: string }>(socket, 'POST', `/${action}${canary !== undefined ? `?canary=${canary}` : ''}`);
      print(json ? JSON.stringify(answer) : answer.message);
      break;
    }
  }
  return 0;
}
