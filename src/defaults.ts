// Every tunable, in one place, each with the flag that overrides it.

/** --status-uri */
export const DefaultStatusUri = '/';
/** --ready-status: the statuses that mean "ready". */
export const DefaultReadyStatus = '200';
/** --ready-timeout: how long a new version may take to answer the status URI. */
export const DefaultReadyTimeout = '5m';
/** Each readiness request gives up after this long. */
export const DefaultProbeTimeoutMs = 2000;
/** Readiness polling starts this fast, so a ready app switches within a few ms... */
export const DefaultProbeIntervalMinMs = 5;
/** ...and backs off to this, so a slow starter is not hammered (still several a second). */
export const DefaultProbeIntervalMaxMs = 200;
/** --overlap-grace-duration: old and new both run at least this long after the switch. */
export const DefaultOverlapGrace = '1s';
/** --drain-timeout: how long to wait for the old container's connections to finish. */
export const DefaultDrainTimeout = '30s';
/** --stop-timeout: between SIGTERM and SIGKILL for an old container. */
export const DefaultStopTimeout = '10s';
/** How often draining looks at the old container's connections. */
export const DrainPollIntervalMs = 100;
/** A second SIGTERM/SIGINT at least this long after the first forces an immediate exit. */
export const ForceExitAfterMs = 1000;
