import { describe, expect, it } from "vitest";
import { appendOlder, coalesce, fetchNewer, mergeNewestFirst } from "./paging";
import type { ChatEntry, TimelineEntry } from "./types";

const row = (id: number): ChatEntry => ({ id, ts: id, student: "s", login: "l", kind: "chat", text: String(id) });

/** A fake keyset-paged source over ids 1..n, newest first. */
function source(n: number) {
  const calls: Array<[number | null, number]> = [];
  const page = async (before: number | null, limit: number) => {
    calls.push([before, limit]);
    const out: TimelineEntry[] = [];
    for (let id = before == null ? n : before - 1; id >= 1 && out.length < limit; id--) out.push(row(id));
    return out;
  };
  return { page, calls };
}

describe("paging", () => {
  it("fetchNewer pages back until it overlaps what is shown: nothing lost", async () => {
    const src = source(257);
    const fresh = await fetchNewer(src.page, 10, 100);
    expect(fresh.map((r) => r.id)).toEqual(Array.from({ length: 247 }, (_, i) => 257 - i));
    expect(src.calls).toEqual([[null, 100], [158, 100], [58, 100]]);
  });
  it("fetchNewer with nothing shown returns everything", async () => {
    expect((await fetchNewer(source(3).page, null, 2)).map((r) => r.id)).toEqual([3, 2, 1]);
  });
  it("mergeNewestFirst keeps every row once, newest first, the first list's row winning", () => {
    const ids = (l: TimelineEntry[]) => l.map((r) => r.id);
    expect(ids(mergeNewestFirst([row(9), row(7), row(5)], [row(8), row(7), row(3)]))).toEqual([9, 8, 7, 5, 3]);
    expect(ids(mergeNewestFirst([], [row(2), row(1)]))).toEqual([2, 1]);
    expect(ids(mergeNewestFirst([row(4)], []))).toEqual([4]);
    // The same rows read twice (a late first page and a refresh) show once.
    expect(ids(mergeNewestFirst([row(3), row(2), row(1)], [row(3), row(2), row(1)]))).toEqual([3, 2, 1]);
    const fresh = { ...row(7), text: "fresh" };
    expect(mergeNewestFirst([fresh], [row(8), row(7)])[1].text).toBe("fresh");
  });
  it("appendOlder skips overlapping rows", () => {
    expect(appendOlder([row(9), row(8)], [row(8), row(7)]).map((r) => r.id)).toEqual([9, 8, 7]);
    expect(appendOlder([], [row(2)]).map((r) => r.id)).toEqual([2]);
  });
});

describe("coalesce", () => {
  it("runs once more after calls made during a run, never two at once", async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release: () => void = () => {};
    const refresh = coalesce(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      runs++;
      if (runs === 1) await new Promise<void>((r) => (release = r));
      running--;
    });
    const first = refresh();
    await refresh();
    await refresh();
    await refresh();
    release();
    await first;
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
    await refresh();
    expect(runs).toBe(3);
  });
});
