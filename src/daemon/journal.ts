import { HistoryMaxBytes } from '../defaults.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { appendHistory, readHistory, type HistoryEntry } from '../state/history.js';
import { writeLiveState, type LiveState } from '../state/live-state.js';

/** Where the journal writes: a seam, so that tests can make the disk fail. */
export interface JournalStore {
  writeState(state: LiveState): void;
  append(entry: HistoryEntry): void;
  read(limit: number): HistoryEntry[];
}

export function fileStore(dir: string): JournalStore {
  return {
    writeState: (state) => writeLiveState(dir, state),
    append: (entry) => appendHistory(dir, entry, HistoryMaxBytes),
    read: (limit) => readHistory(dir, limit),
  };
}

/**
 * The one owner of the live state and the history. Writing them is a report, never a step
 * of a deploy: a full disk or an I/O error is logged (once until writing works again) and
 * the daemon goes on, so a failed write can never take the live version down.
 */
export class Journal {
  readonly #state: LiveState;
  readonly #store: JournalStore;
  readonly #log: Logger;
  #failing = new Set<string>();

  constructor(state: LiveState, store: JournalStore, log: Logger) {
    this.#state = state;
    this.#store = store;
    this.#log = log;
  }

  get state(): Readonly<LiveState> {
    return this.#state;
  }

  /** Changes the state and saves it. */
  update(change: (state: LiveState) => void): void {
    change(this.#state);
    this.#attempt('state', () => this.#store.writeState(this.#state));
  }

  record(entry: Omit<HistoryEntry, 'at'>): void {
    this.#attempt('history', () => this.#store.append({ at: new Date().toISOString(), ...entry }));
  }

  history(limit: number): HistoryEntry[] {
    try {
      return this.#store.read(limit);
    } catch (error) {
      this.#log.warn(`reading the history failed: ${describeError(error)}`);
      return [];
    }
  }

  #attempt(what: string, write: () => void): void {
    try {
      write();
      if (this.#failing.delete(what)) this.#log.info(`writing the ${what} works again`);
    } catch (error) {
      if (this.#failing.has(what)) return;
      this.#failing.add(what);
      this.#log.error(`writing the ${what} failed: ${describeError(error)} (the live version is not affected; free disk space in the state directory)`);
    }
  }
}
