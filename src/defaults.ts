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
/** ...for this long (most apps are up by then)... */
export const DefaultProbeFastForMs = 2000;
/** ...then backs off to this, so a slow starter is not hammered (still several a second). */
export const DefaultProbeIntervalMaxMs = 200;
/** How often a new version's Docker health status is read (container inspect) while it warms up. */
export const HealthPollIntervalMs = 100;
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
/** hookbot: reconnect about this long after a first failure, doubling with each failure in a row... */
export const DefaultHookbotRetryMinMs = 1_000;
/** ...up to this... */
export const DefaultHookbotRetryMaxMs = 60_000;
/** ...and back to the first wait after a connection that stayed up this long. */
export const DefaultHookbotStableAfterMs = 60_000;
/** hookbot: a check for an update missed while disconnected gives up after this long. */
export const HookbotCheckTimeoutMs = 120_000;
/** hookbot: larger messages are refused, as hookbot's own client does. */
export const HookbotMaxMessageBytes = 1 << 20;
/** Build contexts are hashed reading this much of a file at a time... */
export const ContextReadChunkBytes = 1 << 20;
/** ...and a file read less than this long after it last changed is read again next time (its timestamp may not show a change in the same tick)... */
export const ContextRacyMs = 2000;
/** ...and the digests of this many context folders are remembered (a daemon builds one; the builder command may build several). */
export const ContextCacheDirs = 4;
/** Git mirrors and build directories, relative to the working directory. */
export const DefaultGitDir = '.hanoverd/git';
/** One iptables command may take this long before it counts as failed... */
export const IptablesTimeoutMs = 10_000;
/** ...and a rule change is tried this many times. */
export const IptablesAttempts = 3;
/** One conntrack command may take this long. */
export const ConntrackTimeoutMs = 5000;
/**
 * conntrack keeps an ended connection (TIME_WAIT, CLOSE) of a published port this long
 * instead of 120 s, so a retiring version's entries are gone before it is stopped...
 */
export const ClosingTimeoutSeconds = 2;
/** ...and a drained version waits at most this long for them to go. */
export const ClosedEntriesWaitMs = 4000;
/** How often the event-loop lag of /metrics is sampled (a timer that wakes the daemon). */
export const EventLoopSampleMs = 1000;
/** The nice value of the iptables-restore waiting to make the switch (root only). */
export const WarmRestorePriority = -10;
/** How often the app's rules are compared with the kernel's and repaired (as kube-proxy resyncs), when the ruleset changed (nft monitor)... */
export const ReconcileEveryMs = 5000;
/** ...and at least this often even when it did not: the connection counters `status` shows change without a ruleset event. */
export const ReconcileBackstopMs = 60_000;
/** The history journal is rotated (one old generation kept) past this size. */
export const HistoryMaxBytes = 1 << 20;
/** A live container that exits is restarted after this long, doubling for each crash in a row... */
export const CrashBackoffMinMs = 1000;
/** ...up to this... */
export const CrashBackoffMaxMs = 5 * 60_000;
/** ...and the count of crashes in a row starts again once a version has run this long. */
export const CrashBackoffResetAfterMs = 60_000;
/** A quick Docker API call (ping, inspect) that takes longer than this counts as failed. */
export const DockerCallTimeoutMs = 10_000;
/** --watch-failures: status checks failed in a row that roll a watched version back. */
export const DefaultWatchFailures = 3;
/** During a watch window, the new version is checked this often. */
export const WatchCheckEveryMs = 1000;

// Observing deploys (metrics, notifications, hooks, registry polling).
/** --notify: each POST gives up after this long... */
export const NotifyTimeoutMs = 5_000;
/** ...and is tried this many times in all, waiting 1s, 2s, 4s… in between. */
export const NotifyAttempts = 4;
export const NotifyBackoffMs = 1_000;
/** --notify: events waiting for a slow receiver beyond this many drop the oldest. */
export const NotifyQueueLimit = 100;
/** On shutdown, queued notifications get this long to go out. */
export const NotifyShutdownGraceMs = 2_000;
/** --pre-switch-timeout: a pre-switch command still running after this fails the version. */
export const DefaultPreSwitchTimeout = '5m';
/** A --post-deploy command still running after this is killed (and logged). */
export const PostDeployTimeoutMs = 5 * 60_000;
/** --poll: after a registry error, wait twice as long each time, up to this, ± the jitter share. */
export const PollBackoffMaxMs = 5 * 60_000;
export const PollJitter = 0.2;
/** A docker credential helper (`docker-credential-*`) that takes longer than this counts as failed. */
export const CredentialHelperTimeoutMs = 10_000;
/** The control socket: at most this many connections at once (more are closed at once)... */
export const ControlMaxConnections = 32;
/** ...each with this long to send its headers, and this long for the whole request... */
export const ControlHeadersTimeoutMs = 5_000;
export const ControlRequestTimeoutMs = 10_000;
/** ...and headers of at most this size (Node's default is 16 KiB; the API needs few). */
export const ControlMaxHeaderBytes = 8 * 1024;
/** GET /history returns the newest this many entries unless ?limit= says otherwise... */
export const DefaultHistoryApiLimit = 200;
/** ...and never more than this many. */
export const MaxHistoryApiLimit = 10_000;
/** A client command gives up on a daemon that accepts but does not answer after this long. */
export const ControlClientTimeoutMs = 15_000;
/** stdin on a terminal is read only while hanoverd is the foreground job; checked this often. */
export const TerminalForegroundCheckMs = 500;
/** git fetch and clone give up after this long (a stalled connection hangs otherwise)... */
export const GitFetchTimeoutMs = 10 * 60_000;
/** ...and every other git command, ls-remote included, after this long. */
export const GitQuickTimeoutMs = 60_000;
/** systemd-notify is a datagram: it either returns at once or something is wrong. */
export const SystemdNotifyTimeoutMs = 5_000;
/** A line of container or build output longer than this is logged in pieces, each but the last ending in "…". */
export const LogLineMaxChars = 16 * 1024;
