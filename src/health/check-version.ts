import { Agent, request } from 'undici';
import { DefaultProbeTimeoutMs } from '../defaults.js';

/**
 * One look at a running version after it went live: its status URI must still answer a
 * ready status on one of `ports`. Undefined when it does, else why not.
 */
export async function checkStatus(ip: string, ports: readonly number[], statusUri: string, isReady: (status: number) => boolean): Promise<string | undefined> {
  const dispatcher = new Agent({ pipelining: 0 });
  let reason = 'no port to check';
  try {
    for (const port of ports) {
      try {
        const response = await request(`http://${ip}:${port}${statusUri}`, {
          dispatcher, signal: AbortSignal.timeout(DefaultProbeTimeoutMs), headers: { 'user-agent': 'hanoverd', connection: 'close' },
        });
        await response.body.dump();
        if (isReady(response.statusCode)) return undefined;
        reason = `${statusUri} answered HTTP ${response.statusCode}`;
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        reason = `${statusUri} did not answer (${(cause as { code?: string }).code ?? (cause instanceof Error ? cause.message : String(cause))})`;
      }
    }
    return reason;
  } finally {
    await dispatcher.destroy().catch(() => {});
  }
}
