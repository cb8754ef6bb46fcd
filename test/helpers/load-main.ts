// Runs startLoad from the command line, for clients in another network namespace:
//   ip netns exec NS node test/helpers/load-main.ts URL MILLISECONDS
// Prints the result as one JSON line.
import { setTimeout as sleep } from 'node:timers/promises';
import { startLoad } from './load.ts';

const [url, ms] = process.argv.slice(2);
const load = startLoad(url!, { concurrency: 4, maxMs: Number(ms) });
await sleep(Number(ms));
const result = await load.stop();
process.stdout.write(`${JSON.stringify({ ok: result.ok, failed: result.failed, errors: result.errors.slice(0, 5), bodies: [...result.bodies.keys()] })}\n`);
