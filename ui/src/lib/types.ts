// The boundary types of docs/APP.md, field for field (snake_case, as the Rust types serialise).
// This is the ONE module the UI imports boundary types from. When ts-rs bindings land in
// ui/src/bindings/, this file becomes a thin re-export of them (one-file switch).

export type Uuid = string;

export type FileKind = "screenshot" | "blend";
export type TimelineKind = "join" | "leave" | "chat" | "hand" | "screenshot" | "blend" | "incomplete" | "rejected";
export type LeaveReason = "bye" | "timeout";
export type Presence = "online" | "idle" | "offline";
export type Language = "en" | "pl";

export interface StudentSummary {
  id: Uuid;
  login: string;
  folder: string;
  /** Unix ms. */
  first_seen: number;
  /** Unix ms of the newest event. */
  last_seen: number;
  chats: number;
  screenshots: number;
  blends: number;
  unread: number;
  /** Relative to the store root, forward slashes. */
  latest_screenshot: string | null;
  latest_thumb: string | null;
  latest_blend_at: number | null;
  login_shared: boolean;
}

/** One timeline row; optional fields are omitted when absent. `ts` is Unix ms. */
export interface TimelineEntry {
  id: number;
  ts: number;
  student: Uuid;
  login: string;
  kind: TimelineKind;
  text?: string;
  path?: string;
  thumb?: string;
  size?: number;
  sha256?: string;
  name?: string;
  reason?: string;
  detail?: string;
  raised?: boolean;
  received?: number;
  transfer?: Uuid;
  file_kind?: FileKind;
}

export interface Stats {
  messages: number;
  chats: number;
  files: number;
  bytes: number;
  online: number;
  rejected: Record<string, number>;
  events_dropped: number;
}

export type Event =
  | { type: "student_joined"; at: number; student: Uuid; login: string; blender?: string | null; host?: string | null }
  | { type: "student_idle"; at: number; student: Uuid; login: string }
  | { type: "student_left"; at: number; student: Uuid; login: string; reason: LeaveReason }
  | { type: "login_shared"; at: number; login: string; students: Uuid[] }
  | { type: "chat"; at: number; student: Uuid; login: string; id: Uuid; text: string }
  | { type: "hand"; at: number; student: Uuid; login: string; raised: boolean }
  | { type: "progress"; student: Uuid; login: string; transfer: Uuid; kind: FileKind; name: string; received: number; size: number }
  | { type: "file_stored"; at: number; student: Uuid; login: string; kind: FileKind; path: string; thumb?: string | null; size: number; sha256: string }
  | { type: "incomplete"; at: number; student: Uuid; login: string; transfer: Uuid; kind: FileKind; name: string; received: number; size: number }
  | { type: "rejected"; at: number; reason: string; detail: string; student?: Uuid | null; login?: string | null }
  | { type: "stats"; stats: Stats }
  | { type: "error"; at: number; message: string };

export interface Settings {
  port: number;
  store: string;
  class_code: string | null;
  blender_path: string | null;
  language: Language;
}

export interface StudentTile {
  summary: StudentSummary;
  presence: Presence;
  hand_raised: boolean;
}

export interface ReceiverStatus {
  running: boolean;
  port: number;
  store: string;
  /** `A.B.C.D:PORT`, every non-loopback IPv4 address. */
  addresses: string[];
  stats: Stats | null;
}

export interface AppError {
  kind: string;
  message: string;
}
