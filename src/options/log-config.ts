import { UsageError } from '../errors.js';

/** The engine's HostConfig.LogConfig. An empty Type is the engine's default driver. */
export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

/**
 * `--log-driver` and `--log-opt key=value`, as docker run. hanoverd copies the container's
 * output into its own log through attach, which works whatever the driver (even none).
 */
export function parseLogConfig(driver: string | undefined, options: readonly string[]): LogConfig | undefined {
  if (driver === undefined && options.length === 0) return undefined;
  if (driver !== undefined && !/^[\w./:-]+$/.test(driver)) {
    throw new UsageError(`--log-driver "${driver}": not a driver name; use e.g. json-file, local, journald or none`);
  }
  const config: Record<string, string> = {};
  for (const option of options) {
    const eq = option.indexOf('=');
    if (eq <= 0) throw new UsageError(`--log-opt "${option}": use key=value, e.g. --log-opt max-size=10m`);
    config[option.slice(0, eq)] = option.slice(eq + 1);
  }
  if (driver === 'none' && options.length > 0) throw new UsageError('--log-opt: the none log driver takes no options; drop them or pick another --log-driver');
  return { Type: driver ?? '', Config: config };
}
