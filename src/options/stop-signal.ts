import os from 'node:os';
import { UsageError } from '../errors.js';

/** `--stop-signal`: a signal name (with or without SIG) or number, as the engine spells it. */
export function parseStopSignal(spec: string): string {
  const text = spec.trim().toUpperCase();
  if (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 64) return String(Number(text));
  const name = text.startsWith('SIG') ? text : `SIG${text}`;
  if (name in os.constants.signals || /^SIGRTM(IN|AX)([+-]\d{1,2})?$/.test(name)) return name;
  throw new UsageError(`--stop-signal "${spec}": not a signal; use a name or number, e.g. SIGQUIT or 3`);
}
