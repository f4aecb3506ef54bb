// Typed wrappers of the commands and events in docs/APP.md. The only module that calls invoke/listen.
import { invoke, convertFileSrc } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  AppError,
  Attendance,
  ClassInfo,
  ClassUsage,
  CollectSummary,
  ErasePreview,
  Event,
  FileKind,
  HandState,
  HandinProgress,
  MessageSent,
  ReceiverStatus,
  RegroupDone,
  RetentionSettings,
  Session,
  Settings,
  StudentTile,
  ThinSummary,
  ChatEntry,
  ScreenshotEntry,
  TimelineEntry,
  Uuid,
} from "./types";
import { storePath } from "./format";

export const EVENT_CHANNEL = "pracownia://event";
export const STATUS_CHANNEL = "pracownia://status";
export const HANDIN_PROGRESS_CHANNEL = "pracownia://handin-progress";

export const api = {
  getSettings: () => invoke<Settings>("get_settings"),
  saveSettings: (settings: Settings) => invoke<Settings>("save_settings", { settings }),
  startReceiver: () => invoke<ReceiverStatus>("start_receiver"),
  stopReceiver: () => invoke<ReceiverStatus>("stop_receiver"),
  receiverStatus: () => invoke<ReceiverStatus>("receiver_status"),
  listStudents: () => invoke<StudentTile[]>("list_students"),
  /** `span`: only one past session's entries (Unix ms, inclusive); none: the whole timeline. */
  timelinePage: (student: Uuid, before_id: number | null, limit: number, span?: { from: number; until: number } | null) =>
    invoke<TimelineEntry[]>("timeline_page", { student, before_id, limit, from: span?.from ?? null, until: span?.until ?? null }),
  chatInbox: (before_id: number | null, limit: number) => invoke<ChatEntry[]>("chat_inbox", { before_id, limit }),
  markChatRead: (student: Uuid) => invoke<null>("mark_chat_read", { student }),
  markChatUnread: (student: Uuid) => invoke<number | null>("mark_chat_unread", { student }),
  /** `login` and `at` name the copy ("anna 10-31-05.blend") so Blender's title is readable. */
  /** Each student's newest screenshot at or before `at` (Unix ms), by login. */
  screenshotsAt: (at: number) => invoke<ScreenshotEntry[]>("screenshots_at", { at }),
  openInBlender: (path: string, login?: string, at?: number) =>
    invoke<null>("open_in_blender", { path, login: login ?? null, at: at ?? null }),
  showInFolder: (path: string) => invoke<null>("show_in_folder", { path }),
  setBlenderPath: (path: string) => invoke<Settings>("set_blender_path", { path }),
  generateClassCode: () => invoke<string>("generate_class_code"),
  sendReply: (student: Uuid, text: string) => invoke<MessageSent>("send_reply", { student, text }),
  announce: (text: string) => invoke<MessageSent>("announce", { text }),
  /** `student` null: everyone. */
  requestCapture: (student: Uuid | null, what: FileKind) => invoke<MessageSent>("request_capture", { student, what }),
  answerHand: (student: Uuid, state: HandState) => invoke<MessageSent>("answer_hand", { student, state }),
  collectWork: (out: string, zip: boolean, at: number | null) => invoke<CollectSummary>("collect_work", { out, zip, at }),
  exportStudent: (student: Uuid, out: string) => invoke<string>("export_student", { student, out }),
  revealOutput: (path: string) => invoke<null>("reveal_output", { path }),
  erasePreview: (student: Uuid) => invoke<ErasePreview>("erase_preview", { student }),
  eraseStudent: (student: Uuid) => invoke<ErasePreview>("erase_student", { student }),
  listSessions: () => invoke<Session[]>("list_sessions"),
  resetPin: (student: Uuid) => invoke<boolean>("reset_pin", { student }),
  sessionAttendance: (number: number) => invoke<Attendance[]>("session_attendance", { number }),
  saveAttendance: (number: number, out: string) => invoke<string>("save_attendance", { number, out }),
  mergeStudents: (into: Uuid, from: Uuid) => invoke<RegroupDone>("merge_students", { into, from }),
  splitStudent: (student: Uuid, seat: Uuid) => invoke<RegroupDone>("split_student", { student, seat }),
  // Classes (docs/APP.md, "Classes"): each a folder in the store root.
  listClasses: () => invoke<ClassInfo[]>("list_classes"),
  /** Made, not switched to: switching stops receiving, which the lecturer confirms first. */
  createClass: (name: string) => invoke<ClassInfo>("create_class", { name }),
  /** Stops the receiver when it runs; returns the settings of the class switched to. */
  switchClass: (folder: string) => invoke<Settings>("switch_class", { folder }),
  getRetention: () => invoke<RetentionSettings>("get_retention"),
  saveRetention: (retention: RetentionSettings) => invoke<RetentionSettings>("save_retention", { retention }),
  /** What thinning would delete now (zeros when retention is off); `running` while receiving. */
  thinPreview: () => invoke<ThinSummary>("thin_preview"),
  thinNow: () => invoke<ThinSummary>("thin_now"),
  classUsage: () => invoke<ClassUsage[]>("class_usage"),
};

export function onHandinProgress(cb: (p: HandinProgress) => void): Promise<UnlistenFn> {
  return listen<HandinProgress>(HANDIN_PROGRESS_CHANNEL, (e) => cb(e.payload));
}

export function onEvent(cb: (ev: Event) => void): Promise<UnlistenFn> {
  return listen<Event>(EVENT_CHANNEL, (e) => cb(e.payload));
}

export function onStatus(cb: (s: ReceiverStatus) => void): Promise<UnlistenFn> {
  return listen<ReceiverStatus>(STATUS_CHANNEL, (e) => cb(e.payload));
}

/** An AppError, or what else a command failed with (kind "unknown"): i18n's errorSentence words it. */
export type UiError = Omit<AppError, "kind"> & { kind: AppError["kind"] | "unknown" };

/** Anything a command rejected with, as an AppError (the backend always sends one). */
export function toAppError(err: unknown): UiError {
  if (err && typeof err === "object" && "message" in err) {
    const e = err as { kind?: unknown; params?: unknown; message?: unknown };
    const params: Record<string, string> = {};
    if (e.params && typeof e.params === "object") {
      for (const [k, v] of Object.entries(e.params)) params[k] = String(v);
    }
    return { kind: typeof e.kind === "string" ? (e.kind as UiError["kind"]) : "unknown", params, message: String(e.message) };
  }
  return { kind: "unknown", params: {}, message: typeof err === "string" ? err : String(err) };
}

/** The window's title (the task bar shows it): the document's, and the native window's through
 * the window plugin (Tauri does not follow document.title). A failure leaves the old title; that
 * is not worth an error line. */
export function setWindowTitle(title: string): void {
  document.title = title;
  invoke("plugin:window|set_title", { label: "main", value: title }).catch((e) => console.warn("set_title:", e));
}

/** URL of a file in the store, through Tauri's asset protocol. */
export function assetUrl(store: string, rel: string): string {
  return convertFileSrc(storePath(store, rel));
}
