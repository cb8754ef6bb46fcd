// Everything that reaches git from outside (a URL, a webhook payload) is checked here
// first, so that no value can be taken for an option or a revision expression.

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const ZERO_SHA = /^0+$/;
const REPO_PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?$/;

/** A full commit id (SHA-1 or SHA-256), lowercase. */
export function isCommitSha(text: string): boolean {
  return SHA.test(text);
}

/** The id GitHub sends as the new head of a deleted branch. */
export function isZeroSha(text: string): boolean {
  return ZERO_SHA.test(text);
}

/** An owner or repository name as GitHub allows them (no leading "-" or "."). */
export function isRepoPart(text: string): boolean {
  return REPO_PART.test(text) && !text.endsWith('.git') && text !== '..';
}

export function isGitHost(text: string): boolean {
  return HOST.test(text);
}

/** A branch name by git's check-ref-format rules, and never one git could read as an option. */
export function isBranchName(name: string): boolean {
  if (name === '' || name.length > 255 || name.startsWith('-') || name.startsWith('/') || name.endsWith('/')) return false;
  if (name.endsWith('.') || name.includes('..') || name.includes('//') || name.includes('@{') || name === '@') return false;
  // Control characters, space and ~ ^ : ? * [ \ are not allowed anywhere.
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(name)) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/** A relative path inside a checkout: no "..", no absolute path, no leading "-". */
export function isSubdir(path: string): boolean {
  if (path === '') return true;
  if (path.startsWith('/') || path.startsWith('-') || /[\u0000-\u001f\\]/.test(path)) return false;
  return path.split('/').every((part) => part !== '..' && part !== '.git');
}
