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
/** How often to look for a Docker engine that went away. */
export const EnginePollIntervalMs = 1000;
/** Built images kept for rollback besides the live and previous ones. */
export const KeepBuiltImages = 3;
/** Entries `hanoverd history` shows unless told otherwise. */
export const DefaultHistoryLimit = 20;
/** hookbot: a ping this often (± the jitter) keeps the websocket alive through proxies. */
export const DefaultHookbotPingIntervalMs = 15_000;
export const DefaultHookbotPingJitterMs = 5_000;
/** hookbot: this long without a pong or a message and the connection counts as dead. */
export const DefaultHookbotDeadAfterMs = 40_000;
/** hookbot: reconnect this long (± the jitter) after a failure. */
export const DefaultHookbotRetryMs = 5_000;
export const DefaultHookbotRetryJitterMs = 1_000;
/** hookbot: larger messages are refused, as hookbot's own client does. */
export const HookbotMaxMessageBytes = 1 << 20;
/** Git mirrors and build directories, relative to the working directory. */
export const DefaultGitDir = '.hanoverd/git';
/** One iptables command may take this long before it counts as failed... */
export const IptablesTimeoutMs = 10_000;
/** ...and a rule change is tried this many times. */
export const IptablesAttempts = 3;
/** How often ended connections to a retiring container are cleared from conntrack. */
export const ForgetEndedEveryMs = 250;
