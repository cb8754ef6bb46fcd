// Blue/green behind a host nginx: start the new container, poll it until ready, rewrite the
// upstream, `nginx -s reload`, stop the old one after hanoverd's grace + drain window.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { BenchContext } from '../harness/bench-context.ts';
import { now } from '../harness/say.ts';
import { getBody, waitFor } from '../load/probe.ts';
import { APP_PORT, containerIp, docker, runApp, type System } from './system.ts';

export interface Nginx {
  switchTo(upstream: string): Promise<void>;
  stop(): Promise<void>;
}

/** A private nginx (own prefix, pid and config) proxying `listens` to `upstream` with keep-alive. */
export async function startNginx(ctx: BenchContext, upstream: string, listens: string[]): Promise<Nginx> {
  const prefix = path.join(ctx.work, `nginx-${randomBytes(2).toString('hex')}`);
  fs.mkdirSync(prefix, { recursive: true });
  fs.chmodSync(prefix, 0o755);
  const conf = path.join(prefix, 'nginx.conf');
  const upstreamFile = path.join(prefix, 'upstream.conf');
  fs.writeFileSync(upstreamFile, `server ${upstream};\n`);
  fs.writeFileSync(conf, [
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/error.log warn;`,
    'worker_processes auto;',
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${prefix}/client; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi;`,
    `  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;`,
    `  upstream app { include ${upstreamFile}; keepalive 64; }`,
    '  server {',
    ...listens.map((listen) => `    listen ${listen};`),
    '    location / {',
    '      proxy_pass http://app;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_read_timeout 30s;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n'));
  await execa('nginx', ['-c', conf, '-p', prefix]);
  const pid = () => Number(fs.readFileSync(path.join(prefix, 'nginx.pid'), 'utf8').trim());
  const stop = async () => {
    let master: number;
    try { master = pid(); } catch { return; }
    try { process.kill(master, 'SIGQUIT'); } catch { return; }
    for (let i = 0; i < 100; i++) {
      try { process.kill(master, 0); } catch { return; }
      await sleep(100);
    }
    try { process.kill(master, 'SIGKILL'); } catch { /* gone */ }
  };
  ctx.cleanups.add(`nginx ${prefix}`, stop);
  return {
    async switchTo(next) {
      fs.writeFileSync(upstreamFile, `server ${next};\n`);
      await execa('nginx', ['-c', conf, '-p', prefix, '-s', 'reload']);
    },
    stop,
  };
}

export function nginxSystem(ctx: BenchContext): System {
  let current = '';
  let nginx: Nginx | undefined;
  const retiring: Promise<unknown>[] = [];
  const url = `http://127.0.0.1:${ctx.ports.nginx}/`;
  const ready = (ip: string, name: string) => waitFor(`${name} ready`, async () => ((await getBody(`http://${ip}:${APP_PORT}/`, 1000))?.status === 200 ? true : undefined), 30_000, 5);
  let generation = 0;
  return {
    name: 'nginx',
    url,
    nextName: (k) => `${ctx.app}-ng-${generation + k}`,
    async setup() {
      current = `${ctx.app}-ng-${generation}`;
      await runApp(ctx, current);
      const ip = await containerIp(current);
      await ready(ip, current);
      nginx = await startNginx(ctx, `${ip}:${APP_PORT}`, [`127.0.0.1:${ctx.ports.nginx}`]);
      await waitFor('nginx', async () => ((await getBody(url))?.body === current ? true : undefined));
    },
    async trigger(k) {
      const next = `${ctx.app}-ng-${generation + k}`;
      const triggerAt = now();
      await runApp(ctx, next);
      const ip = await containerIp(next);
      await ready(ip, next);
      const readyAt = now();
      await nginx!.switchTo(`${ip}:${APP_PORT}`);
      const switchedAt = now();
      // Retire like hanoverd does: grace, drain window, then SIGTERM (graceful app), SIGKILL after 10 s.
      const old = current;
      retiring.push(sleep(ctx.config.nginxGraceMs + ctx.config.nginxDrainMs).then(() => docker('stop', '-t', '10', old)).then(() => docker('rm', '-f', old)));
      current = next;
      return { name: next, triggerAt, readyAt, switchedAt };
    },
    async settle() {
      await Promise.allSettled(retiring);
      retiring.length = 0;
    },
    async teardown() {
      await this.settle();
      await nginx?.stop();
      await docker('rm', '-f', current);
      // A later setup starts past every name this one used.
      generation = Number(current.split('-').at(-1)) + 1;
    },
  };
}
