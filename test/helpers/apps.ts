import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Test apps: images built FROM scratch with Debian's static busybox copied in (nothing
 * is pulled). httpd serves / ("ok") and CGI scripts that report the hostname, the
 * environment, a mounted file, or answer slowly.
 */
export interface TestApp {
  name: string;
  dir: string;
  /** Rewrites the Dockerfile: the next SIGHUP builds this. */
  setDockerfile(body: string): void;
  remove(): void;
}

const BUSYBOX = '/bin/busybox';

export const httpd = (port = 80) => `CMD ["httpd", "-f", "-p", "${port}", "-h", "/www"]`;

/** A Dockerfile for the standard app; `tail` picks EXPOSE/CMD. */
export function dockerfile(tail: string): string {
  return [
    'FROM scratch',
    'COPY busybox /bin/busybox',
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
    'COPY www /www',
    tail,
    '',
  ].join('\n');
}

export const Dockerfiles = {
  hostname: dockerfile(`EXPOSE 80\n${httpd()}`),
  /** Port 80 speaks something other than HTTP at once; the app comes up on 81 a second later. */
  twoPorts: dockerfile('EXPOSE 80 81\nCMD ["sh", "-c", "nc -ll -p 80 -e echo SSH-2.0-not-http & sleep 1; exec httpd -f -p 81 -h /www"]'),
  slowStart: (seconds: number) => dockerfile(`EXPOSE 80\nCMD ["sh", "-c", "sleep ${seconds}; exec httpd -f -p 80 -h /www"]`),
  exits: dockerfile('EXPOSE 80\nCMD ["sh", "-c", "echo giving up >&2; exit 3"]'),
  noPorts: dockerfile(httpd()),
  buildFails: dockerfile('RUN ["/bin/busybox", "false"]\nEXPOSE 80'),
};

// CGI headers need CRLF: strict HTTP clients (undici) reject a bare LF.
const HEADER = "printf 'Content-Type: text/plain\\r\\n\\r\\n'; ";

const CGI: Record<string, string> = {
  host: 'hostname',
  env: 'env | sort',
  data: 'cat /data/file',
  fail: "printf 'Status: 500 Internal Server Error\\r\\nContent-Type: text/plain\\r\\n\\r\\nfailing\\n'",
  // ?N: answer after N seconds, proving a request in flight across a switch completes.
  slow: `sleep "\${QUERY_STRING:-3}"; ${HEADER}hostname`,
};

export function makeApp(kind: string, body = Dockerfiles.hostname): TestApp {
  const name = `hte2e-${kind}-${randomBytes(3).toString('hex')}`;
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'hanoverd-e2e-'));
  const dir = path.join(parent, name);
  fs.mkdirSync(path.join(dir, 'www', 'cgi-bin'), { recursive: true });
  fs.copyFileSync(BUSYBOX, path.join(dir, 'busybox'));
  fs.writeFileSync(path.join(dir, 'www', 'index.html'), 'ok\n');
  for (const [script, command] of Object.entries(CGI)) {
    const header = script === 'fail' || script === 'slow' ? '' : HEADER;
    fs.writeFileSync(path.join(dir, 'www', 'cgi-bin', script), `#!/bin/sh\n${header}${command}\n`, { mode: 0o755 });
  }
  fs.writeFileSync(path.join(dir, 'Dockerfile'), body);
  return {
    name,
    dir,
    setDockerfile: (next) => fs.writeFileSync(path.join(dir, 'Dockerfile'), next),
    remove: () => fs.rmSync(parent, { recursive: true, force: true }),
  };
}
