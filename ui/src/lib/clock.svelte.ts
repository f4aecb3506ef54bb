// A clock for "3 minutes ago": one timer for the whole app, not one per tile. It ticks every
// 15 s, so a label is at most 15 s late, and only labels whose text changes touch the DOM.
export const clock = $state({ now: Date.now() });

let timer: ReturnType<typeof setInterval> | null = null;

/** Starts the clock (idempotent); returns a stop function for the app's teardown. */
export function startClock(everyMs = 15_000): () => void {
  if (timer === null) timer = setInterval(() => (clock.now = Date.now()), everyMs);
  return () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
}
