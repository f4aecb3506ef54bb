// The viewer's time-lapse: which screenshot Play starts from, and the choices it offers.
import type { TimelineEntry } from "./types";

/** Minutes back from the newest screenshot (0: all of them). */
export const PLAY_RANGES = [0, 10, 30, 60] as const;
/** Multiples of the normal speed (400 ms a frame). */
export const PLAY_SPEEDS = [0.5, 1, 2, 4] as const;

/** The index in `shots` (newest first) of the first, oldest screenshot of the last `minutes`
 * before the newest one (0 minutes: the oldest of all). */
export function playStart(shots: Pick<TimelineEntry, "ts">[], minutes: number): number {
  if (shots.length === 0) return -1;
  if (minutes <= 0) return shots.length - 1;
  const from = shots[0].ts - minutes * 60_000;
  let i = 0;
  while (i + 1 < shots.length && shots[i + 1].ts >= from) i++;
  return i;
}
