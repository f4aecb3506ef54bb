// A fake Pracownia backend for browser tests: loaded by the test server before the built app,
// it installs @tauri-apps/api/mocks (mockIPC with mocked events) and answers the commands of
// docs/APP.md from an in-memory class. Tests configure it with window.__MOCK_CONFIG__ (set by an
// init script) and drive it through window.__mock (push events, read the recorded calls).
// TypeScript against ui/src/bindings, so that it follows the backend's types: `npm run check`
// type-checks it (tests/ui/tsconfig.json) and server.mjs compiles it for the browser.
import { mockIPC } from "@tauri-apps/api/mocks";
import type {
  AppError,
  Attendance,
  ClassInfo,
  ClassUsage,
  CollectSummary,
  ErasePreview,
  ErrorKind,
  Event,
  HandinProgress,
  MessageSent,
  Presence,
  ReceiverStatus,
  RegroupDone,
  RetentionSettings,
  Seat,
  Session,
  Settings,
  Stats,
  StudentSummary,
  StudentTile,
  ThinSummary,
  TimelineEntry,
} from "../../ui/src/bindings";

type Uuid = string;
/** Omit over each member of a union (a timeline entry before it has its id). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type NewEntry = DistributiveOmit<TimelineEntry, "id">;
type LecturerEntry = Extract<TimelineEntry, { kind: "reply" | "broadcast" | "request" | "hand_ack" | "hand_lowered" }>;
/** An event as tests push it: `at` defaults to now. */
type Pushed = DistributiveOmit<Event, "at"> & { at?: number };
/** A failure the tests make a command answer with (its kind may be one the UI does not know). */
type Failure = { kind: string; message: string; params?: Record<string, string> };

/** One student of the fake class and the history it is given. */
interface StudentSpec {
  login: string;
  shots?: number;
  chats?: number;
  blends?: number;
  filler?: number;
  step?: number;
  unread?: number;
  unreadSince?: number;
  presence?: Presence;
  hand?: boolean;
  handSince?: number;
  paused?: boolean;
  shared?: boolean;
  incomplete?: boolean;
  shotAgo?: number;
  seats?: Seat[];
}

/** What a test sets in window.__MOCK_CONFIG__ (tests/ui/helpers.mjs openApp). */
interface MockConfig {
  now?: number;
  students?: StudentSpec[];
  classes?: { folder: string; name: string; bytes?: number }[];
  settings?: Partial<Settings>;
  retention?: RetentionSettings;
  thin?: ThinSummary;
  running?: boolean;
  blenderMissing?: boolean;
  stats?: Partial<Stats>;
  addresses?: string[];
  classCode?: string;
  failStart?: Failure;
  failSend?: Failure;
  collectError?: Failure;
  sessions?: Session[];
  absent?: Record<number, string[]>;
  noPin?: boolean;
  slowExport?: boolean;
  slowFirstPage?: number;
  saveResult?: string | null;
  dialogResult?: string | null;
}

/** The tests' handle on the fake backend. */
interface Mock {
  calls: [string, Args | null][];
  store: string;
  uuid: (n: number) => Uuid;
  emit: (event: string, payload: unknown) => Promise<unknown>;
  push: (ev: Pushed) => Promise<void>;
  studentId: (login: string) => Uuid | undefined;
  lastMessageId: () => Uuid | undefined;
  callsOf: (cmd: string) => (Args | null)[];
  setThin: (t: ThinSummary) => void;
  status: () => ReceiverStatus;
}

declare global {
  interface Window {
    __MOCK_CONFIG__?: MockConfig;
    __mock: Mock;
    __TAURI_INTERNALS__: { invoke: (cmd: string, args?: unknown) => Promise<unknown>; convertFileSrc: (path: string) => string };
  }
}

/** A command's arguments, as the UI passes them (checked by the UI's own types, not here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Args = Record<string, any>;

const cfg: MockConfig = window.__MOCK_CONFIG__ ?? {};
const NOW = cfg.now ?? Date.now();
const STORE = "/home/lecturer/Pracownia";
const calls: [string, Args | null][] = [];
let nextId = 1;
const entries: TimelineEntry[] = []; // every timeline row of every student, ascending id
const tiles = new Map<Uuid, StudentTile>();

// The store root's classes (docs/APP.md, "Classes"): cfg.classes, by default one. The configured
// students are the first current class's; another class starts empty.
const classes = (cfg.classes ?? [{ folder: "class-1", name: "Class 1" }]).map((c) => ({ bytes: 0, ...c }));
let settings: Settings = { port: 5570, store: STORE, class_code: null, blender_path: null, language: "en", sound: false, encrypt: false, class: classes[0]?.folder ?? "", ...(cfg.settings ?? {}) };
const homeClass = settings.class;
/** Each class's retention (off, as the backend's default); cfg.retention is the current class's. */
const retention = new Map<string, RetentionSettings>(classes.map((c) => [c.folder, { screenshot_days: null, screenshot_every_min: 10, blend_days: null }]));
if (cfg.retention) retention.set(homeClass, { ...cfg.retention });
/** What thinning would remove while retention is on (cfg.thin), until a thin_now removed it. */
let thinnable: ThinSummary = cfg.thin ?? { screenshots: 12, blends: 3, bytes: 45 * 1024 * 1024 };
let running = !!cfg.running;
let slowServed = 0;
let blenderMissing = !!cfg.blenderMissing;
const stats: Stats = { messages: 0, chats: 0, files: 0, bytes: 0, online: 0, rejected: {}, events_dropped: 0, wrong_code: [], ...(cfg.stats ?? {}) };

function uuid(n: number): Uuid {
  return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

function add(entry: NewEntry): TimelineEntry {
  const row: TimelineEntry = { id: nextId++, ...entry };
  entries.push(row);
  return row;
}

function summary(id: Uuid, login: string, folder: string): StudentSummary {
  return {
    id, login, folder, first_seen: NOW - 3_600_000, last_seen: NOW - 3_600_000, chats: 0, screenshots: 0, blends: 0, bytes: 0,
    unread: 0, oldest_unread_at: null, latest_screenshot: null, latest_thumb: null, latest_screenshot_at: null, latest_blend_at: null, login_shared: false,
    seats: [],
  };
}

const defaultStudents: StudentSpec[] = [
  { login: "anna.nowak", shots: 6, chats: 2, blends: 1, presence: "online" },
  { login: "bartek", shots: 3, chats: 1, unread: 1, presence: "online", hand: true },
  { login: "celina", shots: 4, blends: 2, presence: "idle" },
  { login: "dawid", shots: 0, presence: "offline" },
  { login: "ewa", shots: 5, chats: 3, unread: 2, presence: "online", shared: true },
  { login: "ewa ", shots: 1, presence: "online", shared: true },
];

// Builds each student's history: join, then screenshots, chats and .blends interleaved a minute apart.
(cfg.students ?? defaultStudents).forEach((spec, i) => {
  const id = uuid(i + 1);
  const login = spec.login.trim() || spec.login;
  const folder = `${login}-${i + 1}`;
  const s = summary(id, login, folder);
  const steps: string[] = [];
  for (let k = 0; k < (spec.shots ?? 0); k++) steps.push("screenshot");
  for (let k = 0; k < (spec.chats ?? 0); k++) steps.push("chat");
  for (let k = 0; k < (spec.blends ?? 0); k++) steps.push("blend");
  for (let k = 0; k < (spec.filler ?? 0); k++) steps.push(k % 3 === 0 ? "screenshot" : k % 3 === 1 ? "chat" : "hand");
  steps.sort((a, b) => (a === b ? 0 : a === "screenshot" ? -1 : 0)); // stable-ish mix is enough
  let ts = NOW - 3_600_000 + i * 1000;
  add({ ts, student: id, login, kind: "join" });
  let n = 0;
  const mix = steps.map((k, j) => ({ k, j })).sort((a, b) => ((a.j * 7) % steps.length) - ((b.j * 7) % steps.length));
  for (const { k } of mix) {
    ts += spec.step ?? 60_000;
    n++;
    if (k === "screenshot") {
      const p = `${folder}/screenshots/${String(n).padStart(5, "0")}.png`;
      add({ ts, student: id, login, kind: "screenshot", path: p, thumb: `${folder}/thumbs/${String(n).padStart(5, "0")}.png`, size: 250_000 + n, sha256: "ab".repeat(32) });
      s.screenshots++;
      s.bytes += 250_000 + n;
      s.latest_screenshot = p;
      s.latest_thumb = `${folder}/thumbs/${String(n).padStart(5, "0")}.png`;
      s.latest_screenshot_at = ts;
    } else if (k === "chat") {
      add({ ts, student: id, login, kind: "chat", text: `${login}: question ${n}` });
      s.chats++;
    } else if (k === "blend") {
      add({ ts, student: id, login, kind: "blend", path: `${folder}/blends/model-${n}.blend`, size: 3_500_000 + n * 1000, sha256: "cd".repeat(32) });
      s.blends++;
      s.bytes += 3_500_000 + n * 1000;
      s.latest_blend_at = ts;
    } else {
      add({ ts, student: id, login, kind: "hand", raised: n % 2 === 0 });
    }
    s.last_seen = ts;
  }
  if (spec.incomplete) {
    ts += 1000;
    add({ ts, student: id, login, kind: "incomplete", name: "big.blend", received: 1_000_000, size: 9_000_000, file_kind: "blend", transfer: uuid(9000 + i) });
  }
  if (spec.shotAgo != null) s.latest_screenshot_at = NOW - spec.shotAgo; // "screenshot N min ago"
  s.unread = spec.unread ?? 0;
  // The unread chats are the newest ones; a spec may say since when the student waits.
  s.oldest_unread_at = s.unread > 0 ? (spec.unreadSince ?? s.last_seen) : null;
  s.login_shared = !!spec.shared;
  // Each student came from one seat (their own id), on computer lab-<n>, unless the spec says.
  s.seats = spec.seats ?? [{ wire: id, login, host: `lab-${i + 1}`, seat: null, last_seen: s.last_seen }];
  tiles.set(id, { summary: s, presence: spec.presence ?? "offline", hand_raised: !!spec.hand, hand_raised_at: spec.hand ? (spec.handSince ?? NOW - 60_000) : null, sharing_paused: !!spec.paused });
});
stats.online = [...tiles.values()].filter((t) => t.presence !== "offline").length;

const classPath = (folder: string): string => (folder ? `${STORE}/${folder}` : STORE);

function classInfo(c: { folder: string; name: string }): ClassInfo {
  return { folder: c.folder, name: c.name, current: c.folder === settings.class, path: classPath(c.folder) };
}

/** As classes::slug: lower-case ASCII letters and digits, the rest one '-'. */
function slug(name: string): string {
  const s = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/ł/g, "l").replace(/Ł/g, "L").toLowerCase();
  return s.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40) || "class";
}

function classCommand(cmd: string, args: Args): unknown {
  switch (cmd) {
    case "list_classes":
      return [...classes].sort((a, b) => a.name.localeCompare(b.name)).map(classInfo);
    case "create_class": {
      const name = String(args.name ?? "").trim();
      if (!name || [...name].length > 64 || /[\u0000-\u001f\u007f]/.test(name)) return appError("bad_class_name", "A class name is 1 to 64 characters, without line breaks.");
      if (classes.some((c) => c.name.toLowerCase() === name.toLowerCase())) return appError("class_exists", `There is already a class called "${name}".`, { name });
      const base = slug(name);
      let folder = base;
      for (let n = 2; classes.some((c) => c.folder === folder); n++) folder = `${base}-${n}`;
      const c = { folder, name, bytes: 0 };
      classes.push(c);
      retention.set(folder, { screenshot_days: null, screenshot_every_min: 10, blend_days: null });
      return classInfo(c);
    }
    case "switch_class": {
      if (!classes.some((c) => c.folder === args.folder)) return appError("no_such_class", `There is no class in the folder "${args.folder}".`, { name: args.folder });
      if (args.folder === settings.class) return { ...settings };
      running = false; // switching stops the receiver, as the backend does
      settings = { ...settings, class: args.folder };
      setTimeout(() => emit("pracownia://status", status()), 0);
      return { ...settings };
    }
    case "get_retention":
      return { ...retention.get(settings.class) } as RetentionSettings;
    case "save_retention": {
      const r: RetentionSettings = args.retention;
      const days = (d: number | null) => d === null || (Number.isInteger(d) && d >= 1 && d <= 3650);
      const every = r.screenshot_every_min;
      if (!days(r.screenshot_days) || !days(r.blend_days) || !Number.isInteger(every) || every < 1 || every > 1440)
        return appError("bad_retention", "Keep files for 1 to 3650 days, and one screenshot per 1 to 1440 minutes.");
      retention.set(settings.class, { ...r });
      return { ...r };
    }
    case "thin_preview":
    case "thin_now": {
      if (running) return appError("running", "Stop the receiver first.");
      const r = retention.get(settings.class)!;
      const on = r.screenshot_days !== null || r.blend_days !== null;
      const out: ThinSummary = on ? { ...thinnable } : { screenshots: 0, blends: 0, bytes: 0 };
      if (cmd === "thin_now" && on) thinnable = { screenshots: 0, blends: 0, bytes: 0 };
      return out;
    }
    case "class_usage":
      return [...classes].sort((a, b) => a.name.localeCompare(b.name)).map((c): ClassUsage => ({
        folder: c.folder,
        name: c.name,
        // The home class: its students' files (as the tiles say), unless the spec gives bytes.
        bytes: c.bytes || (c.folder === homeClass ? [...tiles.values()].reduce((n, t) => n + t.summary.bytes, 0) : 0),
      }));
  }
  return undefined;
}

function status(): ReceiverStatus {
  const addresses = running ? (cfg.addresses ?? ["192.168.1.23:" + settings.port, "10.0.0.5:" + settings.port]) : [];
  // As net::join_strings writes them (the code percent-encoded).
  const code = settings.class_code ? "/" + encodeURIComponent(settings.class_code) : "";
  const key = settings.encrypt ? "?key=" + "A".repeat(42) + "E" : "";
  const join = addresses.map((a) => "pracownia://" + a + code + key);
  const encrypted = !!settings.encrypt;
  return running
    ? { running: true, port: settings.port, store: classPath(settings.class), addresses, join, stats: { ...stats }, encrypted }
    : { running: false, port: settings.port, store: classPath(settings.class), addresses, join, stats: null, encrypted };
}

function appError(kind: ErrorKind, message: string, params: Record<string, string> = {}): Promise<never> {
  return Promise.reject({ kind, params, message } satisfies AppError);
}

/** A failure a test configured, as given (its kind may be one the backend never sends). */
function failure(f: Failure): Promise<never> {
  return Promise.reject({ kind: f.kind, params: f.params ?? {}, message: f.message });
}

function newestFirst<T extends TimelineEntry>(rows: T[], before: number | null, limit: number): T[] {
  const out: T[] = [];
  for (let i = rows.length - 1; i >= 0 && out.length < limit; i--) {
    if (before == null || rows[i].id < before) out.push(rows[i]);
  }
  return out;
}

function handle(cmd: string, given?: Args): unknown {
  calls.push([cmd, given ?? null]);
  const args: Args = given ?? {};
  switch (cmd) {
    case "get_settings":
      return { ...settings };
    case "save_settings": {
      const s = args.settings;
      if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) return appError("bad_port", `Port ${s.port} is not a valid port number (1–65535).`);
      settings = { ...s };
      return { ...settings };
    }
    case "start_receiver":
      if (cfg.failStart) return failure(cfg.failStart);
      running = true;
      return status();
    case "stop_receiver":
      running = false;
      return status();
    case "receiver_status":
      return status();
    case "list_students":
      return settings.class === homeClass ? [...tiles.values()].map((t) => structuredClone(t)) : [];
    case "list_classes":
    case "create_class":
    case "switch_class":
    case "get_retention":
    case "save_retention":
    case "thin_preview":
    case "thin_now":
    case "class_usage":
      return classCommand(cmd, args);
    case "timeline_page": {
      // from/until (Unix ms, inclusive; both or neither, as the backend's span): one session's part.
      const span = args.from != null && args.until != null;
      const read = () => {
        const mine = entries.filter((e) => e.student === args.student && (!span || (e.ts >= args.from && e.ts <= args.until)));
        return newestFirst(mine, args.before_id, args.limit);
      };
      // cfg.slowFirstPage (ms): the first two newest pages (the student view's and its thread's)
      // answer late, as on a busy machine, with the rows as they were when asked.
      if (cfg.slowFirstPage && args.before_id == null && slowServed < 2) {
        slowServed++;
        const rows = read();
        return new Promise((r) => setTimeout(() => r(rows), cfg.slowFirstPage));
      }
      return read();
    }
    case "screenshots_at": {
      const newest = new Map<Uuid, TimelineEntry>();
      for (const e of entries) {
        if (e.kind !== "screenshot" || e.ts > args.at) continue;
        const had = newest.get(e.student);
        if (!had || e.ts > had.ts || (e.ts === had.ts && e.id > had.id)) newest.set(e.student, e);
      }
      return [...newest.values()].sort((a, b) => a.login.localeCompare(b.login));
    }
    case "chat_inbox":
      return newestFirst(entries.filter((e) => e.kind === "chat"), args.before_id, args.limit);
    case "mark_chat_read": {
      const t = tiles.get(args.student);
      if (!t) return appError("unknown_student", "That student is not in the store.");
      t.summary.unread = 0;
      t.summary.oldest_unread_at = null;
      return null;
    }
    case "open_in_blender":
      if (blenderMissing) return appError("blender_not_found", "Blender was not found. Choose the Blender program.");
      return null;
    case "show_in_folder":
      return null;
    case "set_blender_path":
      blenderMissing = false;
      settings = { ...settings, blender_path: args.path };
      return { ...settings };
    case "generate_class_code":
      return cfg.classCode ?? "KOT-417";
    case "send_reply":
    case "announce":
    case "request_capture":
    case "answer_hand":
      return lecturerMessage(cmd, args);
    case "collect_work": {
      if (cfg.collectError) return failure(cfg.collectError);
      // Progress as the backend sends it, then the summary (students with no .blend listed).
      const all = [...tiles.values()];
      const withFile = all.filter((t) => t.summary.blends > 0);
      withFile.forEach((t, i) =>
        emit("pracownia://handin-progress", { files_done: i + 1, files_total: withFile.length, bytes_done: (i + 1) * 1000, bytes_total: withFile.length * 1000 } satisfies HandinProgress),
      );
      return {
        output: args.out,
        collected: withFile.length,
        students: all.length,
        no_file: all.filter((t) => t.summary.blends === 0).map((t) => t.summary.login),
        damaged: [],
      } satisfies CollectSummary;
    }
    case "list_sessions": {
      // Two meetings: last week's (every student) and today's (all but the last).
      const all = [...tiles.values()];
      const week = 7 * 24 * 3600 * 1000;
      return (cfg.sessions ?? [
        { number: 1, start: NOW - week - 90 * 60000, end: NOW - week, students: all.length },
        { number: 2, start: NOW - 80 * 60000, end: NOW - 5 * 60000, students: Math.max(0, all.length - 1) },
      ]) satisfies Session[];
    }
    case "session_attendance": {
      const all = [...tiles.values()].map((t) => t.summary);
      // cfg.absent: { [number]: logins who were not there }; else session 2 lacks the last student.
      const absent = cfg.absent?.[args.number];
      const there = absent ? all.filter((s) => !absent.includes(s.login)) : args.number === 2 ? all.slice(0, -1) : all;
      const rows = there.map((s, i): Attendance => ({
        student: s.id,
        login: s.login,
        first: NOW - 80 * 60000 + i * 60000,
        last: NOW - 5 * 60000,
        present_ms: (75 - i) * 60000,
        joins: 1 + (i % 2),
      }));
      return rows;
    }
    case "save_attendance":
      return args.out;
    case "reset_pin":
      return !(cfg.noPin ?? false);
    case "erase_preview":
    case "erase_student": {
      if (running) return appError("running", "Stop receiving before erasing a student's data: they could be sending right now.");
      const t = tiles.get(args.student);
      if (!t) return appError("unknown_student", `No student with id ${args.student} is known to the store`);
      const preview: ErasePreview = { student: args.student, login: t.summary.login, files: t.summary.screenshots + t.summary.blends + 2, bytes: 2_500_000 };
      if (cmd === "erase_student") tiles.delete(args.student);
      return preview;
    }
    case "merge_students": {
      if (running) return appError("running", "Stop receiving before merging or splitting students.");
      const into = tiles.get(args.into);
      const from = tiles.get(args.from);
      if (!into || !from) return appError("unknown_student", `No student with id ${args.from} is known to the store`);
      const moved = entries.filter((e) => e.student === args.from);
      moved.forEach((e) => (e.student = args.into));
      into.summary.seats = into.summary.seats.concat(from.summary.seats);
      into.summary.screenshots += from.summary.screenshots;
      tiles.delete(args.from);
      return { student: args.into, other: args.from, other_login: from.summary.login, lines: moved.length, files: from.summary.screenshots } satisfies RegroupDone;
    }
    case "split_student": {
      if (running) return appError("running", "Stop receiving before merging or splitting students.");
      const t = tiles.get(args.student);
      const seat = t?.summary.seats.find((s) => s.wire === args.seat);
      if (!t || !seat) return appError("cannot_regroup", `Cannot do that: student ${args.student} has no seat ${args.seat}`);
      t.summary.seats = t.summary.seats.filter((s) => s !== seat);
      const s: StudentSummary = { ...summary(seat.wire, seat.login, `${seat.login}-${seat.wire.slice(0, 8)}`), seats: [seat] };
      tiles.set(seat.wire, { summary: s, presence: "offline", hand_raised: false, hand_raised_at: null, sharing_paused: false });
      return { student: args.student, other: seat.wire, other_login: seat.login, lines: 0, files: 0 } satisfies RegroupDone;
    }
    case "mark_chat_unread": {
      const t = tiles.get(args.student);
      const last = entries.filter((e) => e.student === args.student && e.kind === "chat").at(-1);
      if (!t || !last) return null;
      t.summary.unread = Math.max(t.summary.unread, 1);
      t.summary.oldest_unread_at = last.ts;
      return last.ts;
    }
    case "export_student": {
      // Progress as the backend sends it; with slowExport the answer waits, so the UI shows it.
      emit("pracownia://handin-progress", { files_done: 1, files_total: 3, bytes_done: 1_000_000, bytes_total: 3_000_000 } satisfies HandinProgress);
      const wait = cfg.slowExport ? new Promise((r) => setTimeout(r, 800)) : Promise.resolve();
      return wait.then(() => args.out);
    }
    case "reveal_output":
      return null;
    case "plugin:dialog|save":
      return cfg.saveResult === undefined ? "/tmp/work.zip" : cfg.saveResult;
    case "plugin:window|set_title":
      return null;
    case "plugin:dialog|open":
      return cfg.dialogResult === undefined ? "/opt/blender/blender" : cfg.dialogResult;
    default:
      return failure({ kind: "mock_unknown_command", message: `The mock backend does not know the command ${cmd}.` });
  }
}

let nextMessage = 1;

function isLecturer(e: TimelineEntry): e is LecturerEntry {
  return e.kind === "reply" || e.kind === "broadcast" || e.kind === "request" || e.kind === "hand_ack" || e.kind === "hand_lowered";
}

/** A lecturer message: stored on each recipient's timeline as queued, then message_queued events
 * (after the command returns, as the real receiver does). */
function lecturerMessage(cmd: string, args: Args): Promise<never> | MessageSent {
  if (!running) return appError("not_running", "The receiver is stopped.");
  if (cfg.failSend) return failure(cfg.failSend);
  if ((cmd === "send_reply" || cmd === "announce") && !String(args.text ?? "").trim()) return appError("empty_text", "The message is empty.");
  const all = cmd === "announce" || (cmd === "request_capture" && args.student == null);
  const to = all ? [...tiles.values()] : [tiles.get(args.student)].filter((t) => t != null);
  if (!to.length) return appError(all ? "no_students" : "unknown_student", "No such student.");
  const kinds: Record<string, LecturerEntry["kind"]> = { send_reply: "reply", announce: "broadcast", request_capture: "request" };
  const kind = kinds[cmd] ?? (args.state === "lowered" ? "hand_lowered" : "hand_ack");
  const id = `22222222-2222-4222-8222-${String(nextMessage++).padStart(12, "0")}`;
  const at = Date.now();
  const events: Event[] = [];
  for (const t of to) {
    const { id: student, login } = t.summary;
    const text = args.text ?? undefined;
    if (kind === "request") add({ ts: at, student, login, kind, message: id, delivery: "queued", text, file_kind: args.what ?? undefined });
    else add({ ts: at, student, login, kind, message: id, delivery: "queued", text });
    if (kind === "hand_lowered") {
      t.hand_raised = false;
      t.hand_raised_at = null;
    }
    events.push({ type: "message_queued", at, student, login, id, kind, text: args.text ?? null, what: args.what ?? null, online: t.presence !== "offline" });
  }
  setTimeout(() => events.forEach((e) => emit("pracownia://event", e)), 0);
  return { id, recipients: to.length, online: to.filter((t) => t.presence !== "offline").length };
}

mockIPC(handle, { shouldMockEvents: true });
window.__TAURI_INTERNALS__.convertFileSrc = (path: string) => "/__asset__" + encodeURI(path);

function emit(event: string, payload: unknown): Promise<unknown> {
  return window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event, payload });
}

/** Applies an Event to the fake backend (as the real receiver would store it), then emits it. */
async function push(ev: Pushed): Promise<void> {
  const t = "student" in ev && ev.student ? tiles.get(ev.student) : undefined;
  const at = ev.at ?? Date.now();
  switch (ev.type) {
    case "chat":
      add({ ts: at, student: ev.student, login: ev.login, kind: "chat", text: ev.text });
      if (t) {
        t.summary.chats++;
        if (t.summary.unread++ === 0) t.summary.oldest_unread_at = at;
      }
      stats.chats++;
      stats.messages++;
      break;
    case "hand":
      add({ ts: at, student: ev.student, login: ev.login, kind: "hand", raised: ev.raised });
      if (t) {
        if (ev.raised && !t.hand_raised) t.hand_raised_at = at;
        if (!ev.raised) t.hand_raised_at = null;
        t.hand_raised = ev.raised;
      }
      break;
    case "sharing":
      if (t) t.sharing_paused = ev.paused;
      break;
    case "message_delivery":
      for (const e of entries) if (e.student === ev.student && isLecturer(e) && e.message === ev.id) e.delivery = ev.delivery;
      break;
    case "request_answered":
      for (const e of entries) {
        if (e.student === ev.student && e.kind === "request" && e.message === ev.id) {
          e.answer = ev.status;
          e.detail = ev.text ?? undefined;
        }
      }
      break;
    case "file_stored":
      add({ ts: at, student: ev.student, login: ev.login, kind: ev.kind, path: ev.path, thumb: ev.thumb ?? undefined, size: ev.size, sha256: ev.sha256 });
      stats.files++;
      break;
  }
  await emit("pracownia://event", { at, ...ev });
}

window.__mock = {
  calls,
  store: STORE,
  uuid,
  emit,
  push,
  studentId: (login: string) => [...tiles.values()].find((t) => t.summary.login === login)?.summary.id,
  lastMessageId: () => [...entries].reverse().find(isLecturer)?.message,
  callsOf: (cmd: string) => calls.filter((c) => c[0] === cmd).map((c) => c[1]),
  /** What thinning would remove from now on (while retention is on). */
  setThin: (t: ThinSummary) => {
    thinnable = { ...t };
  },
  status,
};
