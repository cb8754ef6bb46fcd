// Where a failure falls in the life of a handover: each failure belongs to the handover
// whose switch is nearest, and to one of its phases.

export type HandoverKind = 'rebuild' | 'prebuilt';

export interface Handover {
  k: number;
  kind: HandoverKind;
  busy: boolean;
  trigger: number;
  /** `traffic switched to <new>` */
  switchAt: number;
  from: string;
  to: string;
  /** `<from> drained in …; stopping it` (or `still has N open connection(s)`): SIGTERM follows at once. */
  drainEndAt?: number;
  /** The old app's own `SIGTERM` line. */
  sigtermAt?: number;
  /** `<from> stopped and removed` */
  stoppedAt?: number;
}

export type Phase = 'before switch' | 'switch → drain end' | 'drain end → stopped (SIGTERM)' | 'after stop';
export const PHASES: readonly Phase[] = ['before switch', 'switch → drain end', 'drain end → stopped (SIGTERM)', 'after stop'];

export interface Placed { k: number; phase: Phase; msFromSwitch: number }

export function place(at: number, handovers: readonly Handover[]): Placed | undefined {
  let best: Handover | undefined;
  for (const h of handovers) if (!best || Math.abs(at - h.switchAt) < Math.abs(at - best.switchAt)) best = h;
  if (!best) return undefined;
  const msFromSwitch = Math.round(at - best.switchAt);
  let phase: Phase;
  if (at < best.switchAt) phase = 'before switch';
  else if (best.drainEndAt === undefined || at < best.drainEndAt) phase = 'switch → drain end';
  else if (best.stoppedAt === undefined || at < best.stoppedAt) phase = 'drain end → stopped (SIGTERM)';
  else phase = 'after stop';
  return { k: best.k, phase, msFromSwitch };
}

/** 95 % upper bound on a rate when `events` were seen in `trials` (exact for 0: the rule of three). */
export function upperBound95(events: number, trials: number): number {
  if (trials === 0) return 1;
  if (events === 0) return 1 - Math.pow(0.05, 1 / trials);
  // Clopper–Pearson upper limit, by bisection on the binomial tail.
  const tail = (p: number) => {
    let sum = 0;
    let term = Math.pow(1 - p, trials);
    for (let i = 0; i <= events; i++) {
      sum += term;
      term *= ((trials - i) / (i + 1)) * (p / (1 - p));
    }
    return sum;
  };
  let lo = events / trials;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > 0.025) lo = mid;
    else hi = mid;
  }
  return hi;
}
