import { describe, expect, test } from "vitest";
import { applyEvent, emptyState } from "./reducer";
import { advance, messageKey, thread } from "./thread";
import { translatePlural } from "./i18n";
import type { TimelineEntry } from "./types";

const S = "00000000-0000-4000-8000-000000000001";
const T = "00000000-0000-4000-8000-000000000002";
const M = "11111111-1111-4111-8111-111111111111";

/** The fields every entry has; the kind's own come with it. */
function row(id: number, body: DistributiveOmit<TimelineEntry, "id" | "ts" | "student" | "login">): TimelineEntry {
  return { id, ts: 1000 + id, student: S, login: "anna", ...body };
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

describe("delivery", () => {
  test("only ever advances", () => {
    expect(advance(undefined, "queued")).toBe("queued");
    expect(advance("queued", "delivered")).toBe("delivered");
    expect(advance("read", "delivered")).toBe("read");
    expect(advance("delivered", "queued")).toBe("delivered");
    expect(advance("delivered", "read")).toBe("read");
  });

  test("events move a message's state per student; a broadcast id is shared", () => {
    const s = emptyState();
    const base = { at: 1, login: "anna", kind: "broadcast" as const };
    applyEvent(s, { type: "message_queued", ...base, student: S, id: M, text: "hi", what: null, online: true });
    applyEvent(s, { type: "message_queued", ...base, student: T, id: M, text: "hi", what: null, online: false });
    expect(s.deliveries[messageKey(S, M)]).toBe("queued");
    const fx = applyEvent(s, { type: "message_delivery", ...base, student: S, id: M, delivery: "read" });
    expect(fx.timeline).toBeUndefined(); // the state is live: nothing to read again
    applyEvent(s, { type: "message_delivery", ...base, student: S, id: M, delivery: "delivered" });
    expect(s.deliveries[messageKey(S, M)]).toBe("read");
    expect(s.deliveries[messageKey(T, M)]).toBe("queued");
    applyEvent(s, { type: "request_answered", at: 2, login: "anna", student: S, id: M, status: "paused", text: "later" });
    expect(s.answers[messageKey(S, M)]).toEqual({ status: "paused", text: "later" });
  });
});

describe("thread", () => {
  const entries = [
    row(5, { kind: "request", message: "r1", file_kind: "screenshot", delivery: "delivered", answer: "capturing" }),
    row(4, { kind: "screenshot", path: "a.png" }),
    row(3, { kind: "reply", message: M, text: "Use Ctrl+B", delivery: "queued" }),
    row(2, { kind: "chat", text: "How do I bevel?" }),
    row(1, { kind: "join" }),
  ];

  test("both sides, oldest first, without the rest of the timeline", () => {
    const items = thread(entries, { deliveries: {}, answers: {} });
    expect(items.map((i) => [i.entry.id, i.side])).toEqual([
      [2, "student"],
      [3, "lecturer"],
      [5, "lecturer"],
    ]);
    expect(items[0].delivery).toBeUndefined();
    expect(items[1].delivery).toBe("queued");
    expect(items[2].answer).toEqual({ status: "capturing", text: null });
  });

  test("live events win over the index when further on", () => {
    const live = { deliveries: { [messageKey(S, M)]: "read" as const, [messageKey(S, "r1")]: "queued" as const }, answers: { [messageKey(S, "r1")]: { status: "paused" as const, text: null } } };
    const items = thread(entries, live);
    expect(items[1].delivery).toBe("read");
    expect(items[2].delivery).toBe("delivered"); // the index already had it delivered
    expect(items[2].answer?.status).toBe("paused");
  });
});

describe("plurals", () => {
  test("Polish one/few/many", () => {
    expect(translatePlural("pl", "sent.message", 1, { online: 1 })).toMatch(/do 1 osoby/);
    expect(translatePlural("pl", "sent.request", 3, { online: 0 })).toMatch(/3 osoby/);
    expect(translatePlural("pl", "sent.request", 5, { online: 0 })).toMatch(/5 osób/);
    expect(translatePlural("en", "sent.message", 1, { online: 1 })).toMatch(/1 student \(/);
    expect(translatePlural("en", "sent.message", 2, { online: 1 })).toMatch(/2 students/);
  });
});
