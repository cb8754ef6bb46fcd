import { isCommitSha, isZeroSha } from '../source/git-names.js';

/** A push as hookbot's GitHub router publishes it: {Type, Repo, Branch, SHA, Who}. */
export type GithubPush =
  | { kind: 'push'; sha: string; branch: string; who: string }
  /** The branch was deleted: GitHub sends an all-zero SHA. */
  | { kind: 'deleted'; branch: string; who: string }
  | { kind: 'invalid'; problem: string };

/** Printable, short: a payload's words end up in the log. */
function clean(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}

/** Validates a push payload for `branch`; anything unexpected is `invalid`, with why. */
export function parseGithubPush(payload: Buffer | string, branch: string): GithubPush {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString());
  } catch {
    return { kind: 'invalid', problem: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'invalid', problem: 'not a JSON object' };
  const fields = value as Record<string, unknown>;
  const { Type: type, Branch: pushed, SHA: sha, Who: who } = fields;
  if (type !== undefined && type !== 'push') return { kind: 'invalid', problem: `event type ${clean(String(type))}, not push` };
  if (pushed !== undefined && pushed !== branch) return { kind: 'invalid', problem: `a push to branch ${clean(String(pushed))}, not ${branch}` };
  const whom = typeof who === 'string' && who !== '' ? clean(who) : 'someone';
  if (typeof sha !== 'string') return { kind: 'invalid', problem: 'no SHA' };
  if (isZeroSha(sha)) return { kind: 'deleted', branch, who: whom };
  if (!isCommitSha(sha)) return { kind: 'invalid', problem: `SHA "${clean(sha)}" is not a commit id` };
  return { kind: 'push', sha, branch, who: whom };
}
