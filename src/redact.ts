// Tokens and passwords travel in URL userinfo (hookbot tokens, --git-url-base
// credentials). Whatever Node's or git's URL parser would accept as a URL with userinfo
// must reach no log line, history entry or error message.

const REDACTED = '***';
/** Text that does not parse: everything from the scheme to the last "@" may be userinfo. */
const UNPARSED_USERINFO = /^(\s*[a-z][a-z0-9+.-]*:[/\\]*)\S*@/i;
/** Anything in free text that may be a URL with userinfo: a scheme, then an "@" before the next space or quote. */
const URL_WITH_AT = /[a-z][a-z0-9+.-]*:[^\s'"<>`]*@[^\s'"<>`]*/gi;

/**
 * `text` (one URL, as a person gave it) with any userinfo replaced by "***". Parsed as
 * Node parses it (after trimming, as the WHATWG parser does), so spellings such as
 * " wss://T@h" or "wss:T@h" are caught too; text that does not parse loses everything
 * from its scheme to its last "@".
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return text.replace(UNPARSED_USERINFO, `$1${REDACTED}@`);
  }
  if (url.username === '' && url.password === '') return text;
  url.username = REDACTED;
  url.password = '';
  return url.href;
}

/** Free text (an error message, git's stderr, a command line) with every URL's userinfo redacted. */
export function redactUrls(text: string): string {
  return text.replace(URL_WITH_AT, (candidate) => redactUrl(candidate));
}
