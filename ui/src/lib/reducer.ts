// Event → state: how the class grid follows the receiver's events. Mutates `state` in place, so
// that when `state` is a Svelte $state proxy only the touched tile re-renders. Pure otherwise:
// what the app must do next (mark read, refresh a timeline, show an error) is returned.
import type { AnswerStatus, Delivery, Event, Fault, FileKind, Stats, StudentSummary, StudentTile, Uuid } from "./types";
import { advance, messageKey } from "./thread";

export interface Transfer {
  kind: FileKind;
  name: string;
  received: number;
  size: number;
}

export interface ClassState {
  tiles: Record<Uuid, StudentTile>;
  /** The running transfer of each student, for a progress bar on the tile. */
  progress: Record<Uuid, Transfer>;
  stats: Stats | null;
  /** Live delivery state of the lecturer's messages this session, by messageKey(student, id). */
  deliveries: Record<string, Delivery>;
  /** Live answers to requests this session, by messageKey(student, id). */
  answers: Record<string, { status: AnswerStatus; text: string | null }>;
  /** Counts the events applied; `touched[id]` is the count at the last event about that student,
   * so a list read while events arrived (setTiles' `since`) does not undo them. */
  seq: number;
  touched: Record<Uuid, number>;
  /** Students for whom a computer with another key was refused (`key_mismatch`), with when: the
   * tile warns and the student view offers "Reset key" (a student who reinstalled). */
  keyRefused: Record<Uuid, number>;
}

export interface ApplyOptions {
  /** The student whose conversation is open: their chats are read at once. */
  openStudent?: Uuid | null;
}

export interface Effects {
  /** The student's conversation is open and a chat arrived: tell the backend it is read. */
  markRead?: Uuid;
  /** A student's timeline got a new entry. */
  timeline?: Uuid;
  /** A chat arrived (the inbox has news). */
  chat?: boolean;
  /** A plain sentence to show. */
  error?: string;
  /** Something failed on the lecturer's side: worded in the UI's language (faultSentence). */
  fault?: { fault: Fault; login: string | null };
}

export function emptyState(): ClassState {
  return { tiles: {}, progress: {}, stats: null, deliveries: {}, answers: {}, seq: 0, touched: {}, keyRefused: {} };
}

export function newSummary(id: Uuid, login: string, at: number): StudentSummary {
  return {
    id,
    login,
    folder: "",
    first_seen: at,
    last_seen: at,
    chats: 0,
    screenshots: 0,
    blends: 0,
    bytes: 0,
    unread: 0,
    oldest_unread_at: null,
    latest_screenshot: null,
    latest_thumb: null,
    latest_screenshot_at: null,
    latest_blend_at: null,
    login_shared: false,
    seats: [],
  };
}

/** Replaces the whole class (from list_students). `since`: state.seq when the list was asked for.
 * A student an event told about after that is newer than the list: a student who joined while it
 * was read keeps their tile (else it would vanish until their next join), and live presence and
 * hand win over the list's. */
export function setTiles(state: ClassState, tiles: StudentTile[], since?: number): void {
  const next: Record<Uuid, StudentTile> = {};
  for (const t of tiles) next[t.summary.id] = t;
  if (since !== undefined) {
    for (const [id, seq] of Object.entries(state.touched)) {
      const live = state.tiles[id];
      if (seq <= since || !live) continue;
      const listed = next[id];
      next[id] = listed
        ? {
            ...listed,
            presence: live.presence,
            hand_raised: live.hand_raised,
            hand_raised_at: live.hand_raised_at,
            sharing_paused: live.sharing_paused,
          }
        : live;
    }
  }
  state.tiles = next;
}

function tileFor(state: ClassState, id: Uuid, login: string, at: number): StudentTile {
  let tile = state.tiles[id];
  if (!tile) {
    state.tiles[id] = {
      summary: newSummary(id, login, at),
      presence: "online",
      hand_raised: false,
      hand_raised_at: null,
      sharing_paused: false,
    };
    tile = state.tiles[id];
  }
  if (tile.summary.login !== login) tile.summary.login = login;
  return tile;
}

/** When a student was last heard from. Presence itself changes only with the receiver's presence
 * events (joined, active, idle, left): the receiver sends `student_joined` or `student_active`
 * before anything from a student it had counted gone or idle, and the header's count comes from
 * the same tracker. So a file stored after a student left does not show them online again. */
function seen(tile: StudentTile, at: number): void {
  if (at > tile.summary.last_seen) tile.summary.last_seen = at;
}

function online(tile: StudentTile, at: number): void {
  seen(tile, at);
  if (tile.presence !== "online") tile.presence = "online";
}

/** The hand goes up (kept: raised again, the student has waited since the first raise) or down. */
export function setHand(tile: StudentTile, raised: boolean, at: number): void {
  if (raised) {
    if (!tile.hand_raised) tile.hand_raised = true;
    if (tile.hand_raised_at == null) tile.hand_raised_at = at;
  } else {
    if (tile.hand_raised) tile.hand_raised = false;
    if (tile.hand_raised_at != null) tile.hand_raised_at = null;
  }
}

/** The receiver stopped: nobody is connected any more, no hand is up, nothing is arriving. */
export function receiverStopped(state: ClassState): void {
  for (const tile of Object.values(state.tiles)) {
    if (tile.presence !== "offline") tile.presence = "offline";
    setHand(tile, false, 0);
    if (tile.sharing_paused) tile.sharing_paused = false;
  }
  for (const id of Object.keys(state.progress)) delete state.progress[id];
}

export function applyEvent(state: ClassState, ev: Event, opts: ApplyOptions = {}): Effects {
  state.seq += 1;
  if ("student" in ev && ev.student) state.touched[ev.student] = state.seq;
  switch (ev.type) {
    case "student_joined": {
      const tile = tileFor(state, ev.student, ev.login, ev.at);
      online(tile, ev.at);
      return { timeline: ev.student };
    }
    case "student_active": {
      online(tileFor(state, ev.student, ev.login, ev.at), ev.at);
      return {};
    }
    case "student_idle": {
      const tile = tileFor(state, ev.student, ev.login, ev.at);
      tile.presence = "idle";
      return {};
    }
    case "student_left": {
      const tile = tileFor(state, ev.student, ev.login, ev.at);
      tile.presence = "offline";
      setHand(tile, false, ev.at); // the receiver records a leave as lowering the hand
      if (tile.sharing_paused) tile.sharing_paused = false; // the receiver forgets it on leave
      delete state.progress[ev.student];
      return { timeline: ev.student };
    }
    case "sharing": {
      const tile = tileFor(state, ev.student, ev.login, ev.at);
      seen(tile, ev.at);
      tile.sharing_paused = ev.paused;
      return {};
    }
    case "login_changed": {
      // A seat changed hands: the new login has a tile (and timeline entry) of its own.
      seen(tileFor(state, ev.student, ev.login, ev.at), ev.at);
      return { timeline: ev.student };
    }
    case "login_shared": {
      for (const id of ev.students) {
        const tile = tileFor(state, id, ev.login, ev.at);
        tile.summary.login_shared = true;
      }
      return {};
    }
    case "chat": {
      const tile = tileFor(state, ev.student, ev.login, ev.at);
      seen(tile, ev.at);
      tile.summary.chats += 1;
      if (opts.openStudent === ev.student) {
        return { markRead: ev.student, timeline: ev.student, chat: true };
      }
      if (tile.summary.unread === 0 || tile.summary.oldest_unread_at == null) tile.summary.oldest_unread_at = ev.at;
      tile.summary.unread += 1;
      return { timeline: ev.student, chat: true };
    }
    case "hand": {
      const tile = tileFor(state, ev.student, ev.login, ev.at);
      seen(tile, ev.at);
      setHand(tile, ev.raised, ev.at);
      return { timeline: ev.student };
    }
    case "progress": {
      if (ev.received >= ev.size) delete state.progress[ev.student];
      else state.progress[ev.student] = { kind: ev.kind, name: ev.name, received: ev.received, size: ev.size };
      return {};
    }
    case "file_stored": {
      const tile = tileFor(state, ev.student, ev.login, ev.at);
      seen(tile, ev.at);
      delete state.progress[ev.student];
      tile.summary.bytes += ev.size;
      if (ev.kind === "screenshot") {
        tile.summary.screenshots += 1;
        tile.summary.latest_screenshot = ev.path;
        tile.summary.latest_thumb = ev.thumb ?? ev.path;
        tile.summary.latest_screenshot_at = ev.at;
      } else {
        tile.summary.blends += 1;
        tile.summary.latest_blend_at = ev.at;
      }
      return { timeline: ev.student };
    }
    case "incomplete": {
      seen(tileFor(state, ev.student, ev.login, ev.at), ev.at);
      delete state.progress[ev.student];
      return { timeline: ev.student };
    }
    case "rejected":
      if (ev.reason === "key_mismatch" && ev.student) state.keyRefused[ev.student] = ev.at;
      return {};
    // Protocol 1.1: the lecturer's messages and how far each got (only ever forward).
    case "return_registered":
      return {};
    case "message_queued": {
      const k = messageKey(ev.student, ev.id);
      state.deliveries[k] = advance(state.deliveries[k], "queued");
      return { timeline: ev.student };
    }
    case "message_delivery": {
      const k = messageKey(ev.student, ev.id);
      const next = advance(state.deliveries[k], ev.delivery);
      if (state.deliveries[k] !== next) state.deliveries[k] = next;
      return {};
    }
    case "request_answered":
      state.answers[messageKey(ev.student, ev.id)] = { status: ev.status, text: ev.text };
      return {};
    case "stats":
      state.stats = ev.stats;
      return {};
    case "error":
      return { fault: { fault: ev.fault, login: ev.login } };
  }
}

/** The student's conversation was opened: no unread messages any more. */
export function markRead(state: ClassState, id: Uuid): void {
  const tile = state.tiles[id];
  if (tile && tile.summary.unread !== 0) tile.summary.unread = 0;
  if (tile && tile.summary.oldest_unread_at != null) tile.summary.oldest_unread_at = null;
}

export type SortKey = "attention" | "name" | "activity";

/** Show only the students who need something: a raised hand, or unread chat. */
export type Only = "hands" | "unread" | null;

/** 0: hand up, 1: unread chat, 2: neither. */
function need(t: StudentTile): number {
  return t.hand_raised ? 0 : t.summary.unread > 0 ? 1 : 2;
}

/** Since when the student has been waiting (hand raised, oldest unread chat); unknown waits last. */
function waitingSince(t: StudentTile): number {
  const at = t.hand_raised ? t.hand_raised_at : t.summary.unread > 0 ? t.summary.oldest_unread_at : null;
  return at ?? Number.MAX_SAFE_INTEGER;
}

const collators = new Map<string, Intl.Collator>();

/** Logins in the UI language's alphabetical order (Polish: z < ż, l < ł), digits as numbers. */
function byName(lang: string): (a: StudentTile, b: StudentTile) => number {
  let c = collators.get(lang);
  if (!c) collators.set(lang, (c = new Intl.Collator(lang, { sensitivity: "base", numeric: true })));
  const collator = c;
  return (a, b) => collator.compare(a.summary.login, b.summary.login) || (a.summary.id < b.summary.id ? -1 : a.summary.id > b.summary.id ? 1 : 0);
}

/** "Needs attention": raised hands first, then unread chat, each the longest wait first; then the
 * rest by name (so a quiet class does not reshuffle with every screenshot). */
export function byAttention(a: StudentTile, b: StudentTile, lang = "en"): number {
  return need(a) - need(b) || waitingSince(a) - waitingSince(b) || byName(lang)(a, b);
}

/** Tiles filtered by login (case-insensitive substring) and by `only`, then sorted. */
export function visibleTiles(
  tiles: Record<Uuid, StudentTile>,
  filter: string,
  sort: SortKey,
  only: Only = null,
  lang = "en",
): StudentTile[] {
  const f = filter.trim().toLocaleLowerCase();
  const list = Object.values(tiles).filter(
    (t) =>
      (!f || t.summary.login.toLocaleLowerCase().includes(f)) &&
      (only !== "hands" || t.hand_raised) &&
      (only !== "unread" || t.summary.unread > 0),
  );
  const names = byName(lang);
  if (sort === "attention") list.sort((a, b) => byAttention(a, b, lang));
  else if (sort === "name") list.sort(names);
  else list.sort((a, b) => b.summary.last_seen - a.summary.last_seen || names(a, b));
  return list;
}

/** Total unread chats across the class. */
export function totalUnread(tiles: Record<Uuid, StudentTile>): number {
  let n = 0;
  for (const t of Object.values(tiles)) n += t.summary.unread;
  return n;
}

/** Raised hands and students with unread chat; `total` (their sum) goes in the window title. */
export function attentionCounts(tiles: Record<Uuid, StudentTile>): { hands: number; unread: number; total: number } {
  let hands = 0;
  let unread = 0;
  for (const t of Object.values(tiles)) {
    if (t.hand_raised) hands += 1;
    if (t.summary.unread > 0) unread += 1;
  }
  return { hands, unread, total: hands + unread };
}

/** The window title: "(3) Pracownia" while someone needs attention. */
export function windowTitle(base: string, count: number): string {
  return count > 0 ? `(${count}) ${base}` : base;
}
