import type { ImageSource, Trigger } from '../trigger.js';
import { describeSource, obtainImage } from '../daemon/obtain-image.js';
import { TriggerQueue } from '../daemon/trigger-queue.js';
import { checkDocker, createDocker, shortId } from '../docker.js';
import { describeError } from '../errors.js';
import type { HookbotEndpoint } from '../hookbot/hookbot-url.js';
import { publish } from '../hookbot/publish.js';
import { watchHookbot, type HookbotSettings } from '../hookbot/watch-hookbot.js';
import type { Logger } from '../log.js';
import { pullReference, type ImageRef } from '../options/image-ref.js';
import { pushImage } from '../source/push-image.js';

/** `hanoverd builder`: validated. */
export interface BuilderConfig {
  app: string;
  /** What to build, and the topic that says when. */
  source: ImageSource;
  listen: HookbotSettings;
  /** The /pub/docker-pull/<repo>/tag/<tag> endpoint to notify after each push... */
  notify: HookbotEndpoint;
  /** ...and the image it names, where each build is pushed. */
  image: ImageRef;
}

/** The body published after a push; docker-pull listeners only need to hear something. */
const NOTIFY_BODY = 'UPDATE\n';

/**
 * Builds the source once at start and on each hookbot message, pushes the image and
 * publishes on the docker-pull topic so that daemons listening there redeploy. A message
 * during a build cancels it and builds the newer one; failures wait for the next event.
 */
export async function runBuilder(config: BuilderConfig, log: Logger): Promise<number> {
  const docker = createDocker();
  await checkDocker(docker);
  const target = pullReference(config.image);
  log.info(`hanoverd builder for ${config.app}: ${describeSource(config.source)}, pushing ${target}, notifying ${config.notify.redacted}`);

  const shutdown = new AbortController();
  let building: AbortController | undefined;
  const triggers = new TriggerQueue<Trigger>(() => building?.abort(new Error('superseded by a newer event')));
  const stop = (why: string) => {
    if (shutdown.signal.aborted) return;
    log.info(`${why}: stopping`);
    shutdown.abort();
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  const onHup = () => triggers.push({ reason: 'SIGHUP' });
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onHup);

  const round = async (trigger: Trigger) => {
    log.info(`building (${trigger.reason})`);
    const controller = new AbortController();
    building = controller;
    const signal = AbortSignal.any([controller.signal, shutdown.signal]);
    try {
      const image = await obtainImage(docker, trigger.source ?? config.source, log, signal);
      // Once built, a newer event waits: a push cut short helps nobody.
      building = undefined;
      await pushImage(docker, image, config.image, log, shutdown.signal);
      await publish(config.notify, NOTIFY_BODY, shutdown.signal);
      log.info(`pushed ${target} (${shortId(image.id)}) and notified ${config.notify.redacted}`);
    } catch (error) {
      if (signal.aborted) log.info(`build cancelled: ${describeError(signal.reason)}`);
      else log.error(`build failed: ${describeError(error)} (retried on the next event)`);
    } finally {
      if (building === controller) building = undefined;
    }
  };

  const stopWatching = new AbortController();
  const watching = watchHookbot({
    settings: config.listen, source: config.source, docker, app: config.app, log, deploy: (trigger) => triggers.push(trigger),
    signal: AbortSignal.any([shutdown.signal, stopWatching.signal]),
  });
  triggers.push({ reason: 'start' });
  try {
    for (;;) {
      const trigger = await triggers.next(shutdown.signal);
      if (trigger === undefined) break;
      await round(trigger);
    }
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', onHup);
    // Also when the loop threw: the subscriber would otherwise keep the process alive.
    stopWatching.abort();
    await watching;
  }
  log.info('stopped');
  return 0;
}
