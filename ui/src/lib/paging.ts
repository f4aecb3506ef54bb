// Keyset paging over newest-first lists (timeline_page, chat_inbox): `before_id` is the id of the
// oldest row already shown; ids grow with time, so new rows have ids above the newest shown.
import type { TimelineEntry } from "./types";

export type PageFn<T extends TimelineEntry = TimelineEntry> = (before_id: number | null, limit: number) => Promise<T[]>;

/**
 * Every row newer than `topId` (all rows when null), newest first — paging back until the rows
 * overlap what is shown, so nothing is lost however many arrived at once.
 */
export async function fetchNewer<T extends TimelineEntry>(page: PageFn<T>, topId: number | null, limit: number): Promise<T[]> {
  const out: T[] = [];
  let before: number | null = null;
  for (;;) {
    const rows = await page(before, limit);
    for (const r of rows) {
      if (topId != null && r.id <= topId) return out;
      out.push(r);
    }
    if (rows.length < limit) return out;
    before = rows[rows.length - 1].id;
  }
}

/**
 * Two newest-first lists as one, newest first, each id once (the first list's row wins): reads
 * that overlapped in time (a first page still on its way while an event's refresh came back)
 * neither lose rows nor show one twice.
 */
export function mergeNewestFirst<T extends TimelineEntry>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    let next: T;
    if (y === undefined || (x !== undefined && x.id >= y.id)) {
      next = x;
      i++;
      if (y !== undefined && y.id === x.id) j++;
    } else {
      next = y;
      j++;
    }
    if (out.length === 0 || out[out.length - 1].id !== next.id) out.push(next);
  }
  return out;
}

/** Appends an older page, skipping rows already present (a page boundary that moved). */
export function appendOlder<T extends TimelineEntry>(list: T[], older: T[]): T[] {
  if (list.length === 0) return older.slice();
  const last = list[list.length - 1].id;
  return list.concat(older.filter((r) => r.id < last));
}

/**
 * Wraps an async refresh so that calls made while it runs coalesce into one more run after it
 * (a burst of events fetches again once, and nothing that arrived meanwhile is missed).
 */
export function coalesce(run: () => Promise<void>): () => Promise<void> {
  let running = false;
  let again = false;
  return async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await run();
      } while (again);
    } finally {
      running = false;
    }
  };
}
