// The boundary types of docs/APP.md. They are GENERATED from the Rust types by ts-rs into
// ui/src/bindings/ (do not edit those); this is the one module the UI imports them from.
export type {
  AnswerStatus,
  AppError,
  Attendance,
  ClassInfo,
  ClassUsage,
  CollectSummary,
  Delivery,
  ErrorKind,
  ErasePreview,
  Event,
  Fault,
  FileEntry,
  FileKind,
  HandState,
  HandinProgress,
  Language,
  LeaveReason,
  LecturerMessage,
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
  TimelineKind,
  WrongCodeSender,
} from "../bindings";

import type { TimelineEntry } from "../bindings";

/** A timeline entry of one kind (or several), narrowed: `EntryOf<"chat">` has the chat's fields. */
export type EntryOf<K extends TimelineEntry["kind"]> = Extract<TimelineEntry, { kind: K }>;
export type ChatEntry = EntryOf<"chat">;
export type ScreenshotEntry = EntryOf<"screenshot">;
/** The lecturer's messages to a student: each has an id (`message`) and a `delivery`. */
export type LecturerEntry = EntryOf<"reply" | "broadcast" | "request" | "hand_ack" | "hand_lowered">;

/** Student ids, transfer ids and message ids are UUIDs, as strings. */
export type Uuid = string;
