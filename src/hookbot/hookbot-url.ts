import { UsageError } from '../errors.js';
import { redactUrl } from '../redact.js';

export { redactUrl } from '../redact.js';

/** A hookbot endpoint with its token taken out of the URL: the token travels only in a header. */
export interface HookbotEndpoint {
  /** The URL to connect to, without userinfo or fragment: ws(s) for /sub/, http(s) for /pub/. */
  url: string;
  /** `Basic base64("TOKEN:")`, or undefined when the URL named no token. Never logged. */
  authorization: string | undefined;
  /** Everything after /sub/ or /pub/, e.g. `github.com/repo/acme/shop/branch/main`. */
  topic: string;
  /** The text after "#", "" when none: the build subdirectory of a repository. */
  fragment: string;
  /** The URL as it may be logged: the token replaced by "***". */
  redacted: string;
}

const SCHEMES: Record<string, { sub: string; pub: string }> = {
  'ws:': { sub: 'ws:', pub: 'http:' },
  'wss:': { sub: 'wss:', pub: 'https:' },
  'http:': { sub: 'ws:', pub: 'http:' },
  'https:': { sub: 'wss:', pub: 'https:' },
};

/**
 * Parses a hookbot URL of the given kind (`sub` to listen, `pub` to publish), as the hookbot
 * client does: a token given as userinfo becomes `Authorization: Basic base64("TOKEN:")`.
 */
export function parseHookbotEndpoint(text: string, kind: 'sub' | 'pub', flag: string): HookbotEndpoint {
  const redacted = redactUrl(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} "${redacted}" is not a URL; use e.g. wss://TOKEN@hookbot.example.com/${kind}/<topic>`);
  }
  const schemes = SCHEMES[url.protocol];
  if (!schemes) throw new UsageError(`${flag} "${redacted}": use a ws://, wss://, http:// or https:// URL`);
  const match = /^(.*?)\/(sub|pub)\/(.+)$/.exec(url.pathname);
  if (!match || match[2] !== kind) {
    throw new UsageError(`${flag} "${redacted}": the path must be /${kind}/<topic>, e.g. /${kind}/github.com/repo/OWNER/REPO/branch/BRANCH`);
  }
  // The raw (still percent-encoded) userinfo, as hookbot's Go client sends it.
  const userinfo = url.password === '' ? url.username : `${url.username}:${url.password}`;
  const authorization = userinfo === '' ? undefined : `Basic ${Buffer.from(`${userinfo}:`).toString('base64')}`;
  url.username = '';
  url.password = '';
  const fragment = decodeURIComponent(url.hash.replace(/^#/, ''));
  url.hash = '';
  url.protocol = kind === 'sub' ? schemes.sub : schemes.pub;
  return { url: url.toString(), authorization, topic: decodeURIComponent(match[3]!), fragment, redacted };
}
