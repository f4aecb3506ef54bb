import { describe, expect, it } from "vitest";
import {
  applyEvent,
  attentionCounts,
  emptyState,
  markRead,
  newSummary,
  receiverStopped,
  setTiles,
  totalUnread,
  visibleTiles,
  windowTitle,
  type ClassState,
} from "./reducer";
import type { Event, StudentTile } from "./types";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";

function tile(id: string, login: string, patch: Partial<StudentTile["summary"]> = {}): StudentTile {
  return { summary: { ...newSummary(id, login, 1000), ...patch }, presence: "offline", hand_raised: false, hand_raised_at: null, sharing_paused: false };
}

function withClass(): ClassState {
  const s = emptyState();
  setTiles(s, [tile(A, "anna", { last_seen: 5000 }), tile(B, "bartek", { last_seen: 9000 })]);
  return s;
}

describe("a list read while events arrive", () => {
  const C = "00000000-0000-4000-8000-00000000000c";
  it("keeps a student who joined during the read, with live presence and hand", () => {
    const s = withClass();
    const since = s.seq; // list_students asked
    applyEvent(s, { type: "student_joined", at: 10_000, student: C, login: "celina", blender: null, host: null });
    applyEvent(s, { type: "student_active", at: 10_050, student: A, login: "anna" });
    applyEvent(s, { type: "hand", at: 10_100, student: A, login: "anna", raised: true });
    setTiles(s, [tile(A, "anna", { chats: 3 }), tile(B, "bartek")], since); // read before the join
    expect(Object.keys(s.tiles).sort()).toEqual([A, B, C]);
    expect(s.tiles[C].presence).toBe("online");
    expect(s.tiles[A].hand_raised).toBe(true);
    expect(s.tiles[A].presence).toBe("online");
    expect(s.tiles[A].summary.chats).toBe(3); // counts from the list
    expect(s.tiles[B].presence).toBe("offline");
  });
  it("a list asked for after the events replaces the class", () => {
    const s = withClass();
    applyEvent(s, { type: "student_joined", at: 10_000, student: C, login: "celina", blender: null, host: null });
    setTiles(s, [tile(A, "anna")], s.seq);
    expect(Object.keys(s.tiles)).toEqual([A]);
  });
});

describe("presence", () => {
  it("join → online, idle → idle, left → offline", () => {
    const s = withClass();
    applyEvent(s, { type: "student_joined", at: 10_000, student: A, login: "anna", blender: "4.5.0", host: null });
    expect(s.tiles[A].presence).toBe("online");
    expect(s.tiles[A].summary.last_seen).toBe(10_000);
    applyEvent(s, { type: "student_idle", at: 11_000, student: A, login: "anna" });
    expect(s.tiles[A].presence).toBe("idle");
    applyEvent(s, { type: "student_active", at: 11_500, student: A, login: "anna" });
    expect(s.tiles[A].presence).toBe("online");
    applyEvent(s, { type: "student_idle", at: 11_800, student: A, login: "anna" });
    applyEvent(s, { type: "student_left", at: 12_000, student: A, login: "anna", reason: "timeout" });
    expect(s.tiles[A].presence).toBe("offline");
    expect(s.tiles[B].presence).toBe("offline");
  });

  it("a new student gets a tile", () => {
    const s = emptyState();
    const fx = applyEvent(s, { type: "student_joined", at: 7, student: A, login: "anna", blender: null, host: null });
    expect(Object.keys(s.tiles)).toEqual([A]);
    expect(s.tiles[A].summary).toMatchObject({ login: "anna", first_seen: 7, unread: 0, latest_thumb: null });
    expect(fx.timeline).toBe(A);
  });

  it("only the receiver's presence events change presence (one source with the header's count)", () => {
    const s = withClass();
    applyEvent(s, { type: "student_idle", at: 1, student: A, login: "anna" });
    applyEvent(s, { type: "hand", at: 2, student: A, login: "anna", raised: true });
    expect(s.tiles[A].presence).toBe("idle");
    applyEvent(s, { type: "student_active", at: 3, student: A, login: "anna" }); // the receiver's "back"
    expect(s.tiles[A].presence).toBe("online");
  });

  it("a file stored after the student left keeps them offline; leaving lowers the hand", () => {
    const s = withClass();
    applyEvent(s, { type: "student_joined", at: 10_000, student: A, login: "anna", blender: null, host: null });
    applyEvent(s, { type: "hand", at: 11_000, student: A, login: "anna", raised: true });
    applyEvent(s, { type: "student_left", at: 12_000, student: A, login: "anna", reason: "bye" });
    expect(s.tiles[A].hand_raised).toBe(false);
    applyEvent(s, { type: "progress", student: A, login: "anna", transfer: "t", kind: "screenshot", name: "s.png", received: 1, size: 2 });
    applyEvent(s, { type: "file_stored", at: 13_000, student: A, login: "anna", kind: "screenshot", path: "a/s.png", thumb: null, size: 2, sha256: "0".repeat(64) });
    expect(s.tiles[A].presence).toBe("offline");
    expect(s.tiles[A].summary.screenshots).toBe(1);
    expect(s.tiles[A].summary.last_seen).toBe(13_000);
  });

  it("stopping the receiver shows everyone offline with hands down", () => {
    const s = withClass();
    applyEvent(s, { type: "student_joined", at: 10, student: A, login: "anna", blender: null, host: null });
    applyEvent(s, { type: "hand", at: 11, student: A, login: "anna", raised: true });
    applyEvent(s, { type: "progress", student: A, login: "anna", transfer: "t", kind: "blend", name: "a.blend", received: 1, size: 9 });
    receiverStopped(s);
    expect(s.tiles[A].presence).toBe("offline");
    expect(s.tiles[A].hand_raised).toBe(false);
    expect(s.progress).toEqual({});
  });
});

describe("chat", () => {
  const chat = (student: string, text: string): Event => ({ type: "chat", at: 20_000, student, login: "anna", id: "m-" + text, text });

  it("increments chats and unread", () => {
    const s = withClass();
    const fx = applyEvent(s, chat(A, "hi"));
    applyEvent(s, chat(A, "again"));
    expect(s.tiles[A].summary.unread).toBe(2);
    expect(s.tiles[A].summary.chats).toBe(2);
    expect(totalUnread(s.tiles)).toBe(2);
    expect(fx).toMatchObject({ chat: true, timeline: A });
    expect(fx.markRead).toBeUndefined();
  });

  it("mark read clears the unread count only for that student", () => {
    const s = withClass();
    applyEvent(s, chat(A, "1"));
    applyEvent(s, chat(B, "2"));
    markRead(s, A);
    expect(s.tiles[A].summary.unread).toBe(0);
    expect(s.tiles[B].summary.unread).toBe(1);
  });

  it("a chat for the open conversation is read at once and asks to mark it", () => {
    const s = withClass();
    const fx = applyEvent(s, chat(A, "x"), { openStudent: A });
    expect(s.tiles[A].summary.unread).toBe(0);
    expect(s.tiles[A].summary.chats).toBe(1);
    expect(fx.markRead).toBe(A);
  });
});

describe("hand, files, shared logins, stats, errors", () => {
  it("raises and lowers a hand", () => {
    const s = withClass();
    applyEvent(s, { type: "hand", at: 1, student: B, login: "bartek", raised: true });
    expect(s.tiles[B].hand_raised).toBe(true);
    applyEvent(s, { type: "hand", at: 2, student: B, login: "bartek", raised: false });
    expect(s.tiles[B].hand_raised).toBe(false);
  });

  it("file_stored updates the latest thumbnail, counts and last .blend", () => {
    const s = withClass();
    applyEvent(s, { type: "progress", student: A, login: "anna", transfer: "t", kind: "screenshot", name: "s.png", received: 10, size: 100 });
    expect(s.progress[A]).toMatchObject({ received: 10, size: 100 });
    applyEvent(s, {
      type: "file_stored", at: 30_000, student: A, login: "anna", kind: "screenshot",
      path: "anna/screenshots/1.png", thumb: "anna/thumbs/1.jpg", size: 100, sha256: "ab",
    });
    expect(s.progress[A]).toBeUndefined();
    expect(s.tiles[A].summary).toMatchObject({
      screenshots: 1, latest_screenshot: "anna/screenshots/1.png", latest_thumb: "anna/thumbs/1.jpg", last_seen: 30_000,
      latest_screenshot_at: 30_000,
    });
    applyEvent(s, { type: "file_stored", at: 31_000, student: A, login: "anna", kind: "blend", path: "anna/blends/a.blend", thumb: null, size: 5, sha256: "cd" });
    expect(s.tiles[A].summary).toMatchObject({
      blends: 1, latest_blend_at: 31_000, latest_thumb: "anna/thumbs/1.jpg", latest_screenshot_at: 30_000,
    });
  });

  it("a screenshot without a thumbnail shows the screenshot itself", () => {
    const s = withClass();
    applyEvent(s, { type: "file_stored", at: 1, student: B, login: "bartek", kind: "screenshot", path: "b/s.png", thumb: null, size: 1, sha256: "x" });
    expect(s.tiles[B].summary.latest_thumb).toBe("b/s.png");
  });

  it("login_shared marks every id", () => {
    const s = withClass();
    applyEvent(s, { type: "login_shared", at: 1, login: "anna", students: [A, B] });
    expect(s.tiles[A].summary.login_shared).toBe(true);
    expect(s.tiles[B].summary.login_shared).toBe(true);
  });

  it("login_changed gives the seat's new login a tile of its own and refreshes its timeline", () => {
    const s = withClass();
    const C = "00000000-0000-4000-8000-00000000000c";
    const fx = applyEvent(s, { type: "login_changed", at: 5, student: C, login: "celina", previous: A, previous_login: "anna", wire: A, host: "lab-12" });
    expect(fx).toEqual({ timeline: C });
    expect(s.tiles[C].summary.login).toBe("celina");
    expect(s.tiles[C].summary.seats).toEqual([]);
    expect(s.tiles[A].summary.login).toBe("anna");
  });

  it("stats are kept; error events become a sentence", () => {
    const s = withClass();
    const stats = { messages: 3, chats: 1, files: 2, bytes: 10, online: 2, rejected: { too_large: 1 }, events_dropped: 0, wrong_code: [] };
    applyEvent(s, { type: "stats", stats });
    expect(s.stats).toEqual(stats);
    expect(applyEvent(s, { type: "error", at: 1, fault: "store_file", login: "ola", message: "No space left." })).toEqual({
      fault: { fault: "store_file", login: "ola" },
    });
    expect(applyEvent(s, { type: "rejected", at: 1, reason: "bad_code", detail: "x", student: null, login: null })).toEqual({});
  });
});

describe("sharing paused", () => {
  it("follows the receiver's sharing events; a leave, a stop or a list read keep it true to the source", () => {
    const s = withClass();
    applyEvent(s, { type: "student_joined", at: 10_000, student: A, login: "anna", blender: null, host: null });
    expect(s.tiles[A].sharing_paused).toBe(false);
    applyEvent(s, { type: "sharing", at: 11_000, student: A, login: "anna", paused: true });
    expect(s.tiles[A].sharing_paused).toBe(true);
    expect(s.tiles[A].summary.last_seen).toBe(11_000);
    // A list read while it changed keeps the live state.
    const since = s.seq - 1;
    setTiles(s, [tile(A, "anna"), tile(B, "bartek")], since);
    expect(s.tiles[A].sharing_paused).toBe(true);
    applyEvent(s, { type: "sharing", at: 12_000, student: A, login: "anna", paused: false });
    expect(s.tiles[A].sharing_paused).toBe(false);
    applyEvent(s, { type: "sharing", at: 13_000, student: A, login: "anna", paused: true });
    applyEvent(s, { type: "student_left", at: 14_000, student: A, login: "anna", reason: "bye" });
    expect(s.tiles[A].sharing_paused).toBe(false);
    applyEvent(s, { type: "sharing", at: 15_000, student: B, login: "bartek", paused: true });
    receiverStopped(s);
    expect(s.tiles[B].sharing_paused).toBe(false);
  });
});

describe("visibleTiles", () => {
  it("filters by login and sorts by name or activity", () => {
    const s = withClass();
    setTiles(s, [tile(A, "Zofia", { last_seen: 1 }), tile(B, "adam", { last_seen: 2 }), tile("c", "student10", { last_seen: 3 }), tile("d", "student9", { last_seen: 0 })]);
    expect(visibleTiles(s.tiles, "", "name").map((t) => t.summary.login)).toEqual(["adam", "student9", "student10", "Zofia"]);
    expect(visibleTiles(s.tiles, "", "activity").map((t) => t.summary.login)).toEqual(["student10", "adam", "Zofia", "student9"]);
    expect(visibleTiles(s.tiles, " STUD ", "name").map((t) => t.summary.login)).toEqual(["student9", "student10"]);
  });
});

describe("needs attention", () => {
  const C = "00000000-0000-4000-8000-00000000000c";
  const D = "00000000-0000-4000-8000-00000000000d";
  const E = "00000000-0000-4000-8000-00000000000e";
  const order = (s: ClassState, only: "hands" | "unread" | null = null) =>
    visibleTiles(s.tiles, "", "attention", only).map((t) => t.summary.login);

  function lab(): ClassState {
    const s = emptyState();
    // "ewa" is the most recently active: "By activity" would put her first and a raised hand last.
    setTiles(s, [
      tile(A, "anna", { last_seen: 1000 }),
      tile(B, "bartek", { last_seen: 2000 }),
      tile(C, "celina", { last_seen: 3000 }),
      tile(D, "dawid", { last_seen: 4000 }),
      tile(E, "ewa", { last_seen: 99_000 }),
    ]);
    return s;
  }

  it("raised hands first, then unread chat, each the longest wait first; the rest by name", () => {
    const s = lab();
    expect(order(s)).toEqual(["anna", "bartek", "celina", "dawid", "ewa"]);
    applyEvent(s, { type: "chat", at: 10_000, student: E, login: "ewa", id: "1", text: "?" });
    applyEvent(s, { type: "chat", at: 11_000, student: C, login: "celina", id: "2", text: "?" });
    applyEvent(s, { type: "chat", at: 12_000, student: E, login: "ewa", id: "3", text: "??" }); // ewa still waits since 10 000
    applyEvent(s, { type: "hand", at: 13_000, student: D, login: "dawid", raised: true });
    applyEvent(s, { type: "hand", at: 14_000, student: B, login: "bartek", raised: true });
    applyEvent(s, { type: "hand", at: 15_000, student: D, login: "dawid", raised: true }); // a repeat keeps 13 000
    expect(order(s)).toEqual(["dawid", "bartek", "ewa", "celina", "anna"]);
    expect(s.tiles[E].summary.oldest_unread_at).toBe(10_000);
    expect(s.tiles[D].hand_raised_at).toBe(13_000);
    // A raised hand outranks unread chat even when the chat waited longer.
    applyEvent(s, { type: "hand", at: 16_000, student: E, login: "ewa", raised: true });
    expect(order(s)).toEqual(["dawid", "bartek", "ewa", "celina", "anna"]);
    expect(order(s, "hands")).toEqual(["dawid", "bartek", "ewa"]);
    expect(order(s, "unread")).toEqual(["ewa", "celina"]);
    expect(attentionCounts(s.tiles)).toEqual({ hands: 3, unread: 2, total: 5 });
    // Answered: lowered hands and read chat go back to the quiet group.
    applyEvent(s, { type: "hand", at: 17_000, student: D, login: "dawid", raised: false });
    markRead(s, E);
    expect(s.tiles[E].summary.oldest_unread_at).toBeNull();
    expect(order(s)).toEqual(["bartek", "ewa", "celina", "anna", "dawid"]);
    // Raised again later: a new wait, behind bartek's older one.
    applyEvent(s, { type: "hand", at: 18_000, student: D, login: "dawid", raised: true });
    expect(order(s)).toEqual(["bartek", "ewa", "dawid", "celina", "anna"]);
    // A leave lowers the hand; a stopped receiver lowers every hand but keeps unread chat.
    applyEvent(s, { type: "student_left", at: 19_000, student: B, login: "bartek", reason: "bye" });
    expect(s.tiles[B].hand_raised_at).toBeNull();
    receiverStopped(s);
    expect(attentionCounts(s.tiles)).toEqual({ hands: 0, unread: 1, total: 1 });
    expect(order(s)).toEqual(["celina", "anna", "bartek", "dawid", "ewa"]);
  });

  it("a chat in the open conversation is read at once and does not wait", () => {
    const s = lab();
    applyEvent(s, { type: "chat", at: 10_000, student: A, login: "anna", id: "1", text: "?" }, { openStudent: A });
    expect(s.tiles[A].summary.oldest_unread_at).toBeNull();
    expect(order(s, "unread")).toEqual([]);
  });

  it("waits from list_students order the class; a live hand survives a list read during events", () => {
    const s = emptyState();
    setTiles(s, [
      tile(A, "anna", { unread: 2, oldest_unread_at: 5000 }),
      tile(B, "bartek", { unread: 1, oldest_unread_at: 3000 }),
      { ...tile(C, "celina"), hand_raised: true, hand_raised_at: 9000 },
      { ...tile(D, "dawid"), hand_raised: true, hand_raised_at: null }, // unknown time: after known waits
    ]);
    expect(order(s)).toEqual(["celina", "dawid", "bartek", "anna"]);
    const since = s.seq;
    applyEvent(s, { type: "hand", at: 20_000, student: A, login: "anna", raised: true });
    setTiles(s, [tile(A, "anna", { unread: 2, oldest_unread_at: 5000 })], since);
    expect(s.tiles[A].hand_raised_at).toBe(20_000);
  });

  it("the window title carries the count", () => {
    expect(windowTitle("Pracownia", 0)).toBe("Pracownia");
    expect(windowTitle("Pracownia", 3)).toBe("(3) Pracownia");
  });
});

describe("names in the UI language's order", () => {
  it("Polish: z before ż, l before ł; English keeps its own order", () => {
    const s = withClass();
    const logins = ["żaneta", "zosia", "łucja", "lena", "adam"];
    setTiles(s, logins.map((l, i) => tile(`0000000${i}-0000-4000-8000-000000000000`, l)));
    const names = (lang: string) => visibleTiles(s.tiles, "", "name", null, lang).map((t) => t.summary.login);
    expect(names("pl")).toEqual(["adam", "lena", "łucja", "zosia", "żaneta"]);
    expect(names("en")).toEqual(["adam", "lena", "łucja", "żaneta", "zosia"]);
  });
});
