import { describe, expect, test } from "vitest";
import { playStart } from "./play";

describe("play start", () => {
  const min = 60_000;
  // Newest first: one screenshot a minute, the newest at minute 100.
  const shots = Array.from({ length: 90 }, (_, i) => ({ ts: (100 - i) * min }));
  test("all: the oldest screenshot", () => {
    expect(playStart(shots, 0)).toBe(89);
  });
  test("the last 10 minutes: the first screenshot at or after newest − 10 min", () => {
    expect(shots[playStart(shots, 10)].ts).toBe(90 * min);
    expect(shots[playStart(shots, 30)].ts).toBe(70 * min);
  });
  test("a range longer than the history starts at the oldest; none: -1", () => {
    expect(playStart(shots, 600)).toBe(89);
    expect(playStart([], 10)).toBe(-1);
    expect(playStart([{ ts: 5 }], 10)).toBe(0);
  });
});
