import fs from 'node:fs';
import { callDaemon } from '../control/control-client.js';
import { shortId } from '../docker.js';
import { formatDuration } from '../duration.js';
import { HanoverdError } from '../errors.js';
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
    ['previous', state.previous ? describeVersion(state.previous) : '-'],
  ];
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

/** `hanoverd status|history|deploy|rollback`: asks the daemon over its control socket. */
export async function clientCommand(action: ClientAction, stateDir: string, json: boolean, limit: number): Promise<number> {
  const socket = controlSocket(stateDir);
  const print = (text: string) => process.stdout.write(`${text}\n`);
  // Status and history are files too: they can be read while no daemon runs.
  const stopped = !fs.existsSync(socket) && fs.existsSync(stateDir);
  switch (action) {
    case 'status': {
      const state = stopped ? readLiveState(stateDir) : await callDaemon<LiveState>(socket, 'GET', '/status');
      if (!state) throw new HanoverdError(`no hanoverd state in ${stateDir}; is it running here? (or point at it with --state-dir)`);
      print(json ? JSON.stringify({ running: !stopped, ...state }, null, 2) : `${stopped ? 'not running (last state below)\n' : ''}${formatStatus(state)}`);
      break;
    }
    case 'history': {
      const entries = (stopped ? readHistory(stateDir) : await callDaemon<HistoryEntry[]>(socket, 'GET', '/history')).slice(-limit);
      print(json ? JSON.stringify(entries, null, 2) : formatHistory(entries));
      break;
    }
    case 'deploy':
    case 'rollback': {
      const answer = await callDaemon<{ message: string }>(socket, 'POST', `/${action}`);
      print(json ? JSON.stringify(answer) : answer.message);
      break;
    }
  }
  return 0;
}
