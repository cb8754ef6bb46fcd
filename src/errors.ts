import { redactUrls } from './redact.js';

/**
 * An error meant for the person running hanoverd: its message is one line that names
 * the problem and what to do. Anything underneath travels as `cause`.
 */
export class HanoverdError extends Error {
  override name = 'HanoverdError';
}

/** Bad command-line input: reported before anything touches Docker or iptables. */
export class UsageError extends HanoverdError {
  override name = 'UsageError';
}

/**
 * The one line to show a person, with the innermost cause that adds information. Any URL
 * userinfo in it (a git URL's password in git's error text, say) is redacted.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [error.message];
  const seen = new Set<unknown>([error]);
  let cause: unknown = error.cause;
  while (cause instanceof Error && !seen.has(cause)) {
    seen.add(cause);
    if (!parts.some((part) => part.includes(cause instanceof Error ? cause.message : ''))) {
      parts.push(cause.message);
    }
    cause = cause.cause;
  }
  return redactUrls(parts.join(': ').replaceAll('\n', ' '));
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error.cause instanceof Error && error.cause.name === 'AbortError'));
}
