import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { redactUrl } from '../redact.js';

/** Hookbot tokens are hex HMACs; these characters go into a URL's userinfo as they are. */
const TOKEN = /^[A-Za-z0-9._~+-]+$/;

/**
 * The hookbot URL with the token read from `file` put in its userinfo, as if it had been
 * written there: a token on the command line is readable by anyone in /proc/<pid>/cmdline.
 */
export function withTokenFile(url: string | undefined, file: string | undefined, cwd: string, flag: string, urlFlag: string): string | undefined {
  if (file === undefined) return url;
  if (url === undefined) throw new UsageError(`${flag} needs a hookbot URL: give ${urlFlag} (or HOOKBOT_URL) without the token`);
  let token: string;
  try {
    token = fs.readFileSync(path.resolve(cwd, file), 'utf8').trim();
  } catch (error) {
    throw new UsageError(`${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}); give a file holding the token`, { cause: error });
  }
  if (!TOKEN.test(token)) throw new UsageError(`${flag} ${file}: it must hold one hookbot token (letters, digits, "._~+-") and nothing else`);
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new UsageError(`${urlFlag} "${redactUrl(url)}" is not a URL; use e.g. wss://hookbot.example.com/sub/<topic> with ${flag}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new UsageError(`${urlFlag} "${redactUrl(url)}" holds a token already; drop it from the URL or drop ${flag}`);
  }
  parsed.username = token;
  return parsed.href;
}
