import { UsageError } from '../errors.js';

/** A predicate over HTTP status codes, from a list such as `200`, `2xx` or `200,204,3xx`. */
export function parseStatusCodes(text: string): (status: number) => boolean {
  const tests: Array<(status: number) => boolean> = [];
  for (const item of text.split(',').map((part) => part.trim())) {
    if (/^[1-5]xx$/i.test(item)) {
      const hundred = Number(item[0]) * 100;
      tests.push((status) => status >= hundred && status < hundred + 100);
    } else if (/^[1-5]\d\d$/.test(item)) {
      const code = Number(item);
      tests.push((status) => status === code);
    } else {
      throw new UsageError(`--ready-status "${text}": "${item}" is not a status code; use e.g. 200, 2xx or 200,204`);
    }
  }
  return (status) => tests.some((test) => test(status));
}
