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
  FileKind,
  HandState,
  HandinProgress,
  Language,
  LeaveReason,
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

/** Student ids, transfer ids and message ids are UUIDs, as strings. */
export type Uuid = string;
