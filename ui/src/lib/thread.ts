// A student's conversation: their chat and the lecturer's replies, announcements, requests and
// answers to hands, oldest first, each lecturer message with how far it got. Pure functions.
import type { AnswerStatus, ChatEntry, Delivery, LecturerEntry, TimelineEntry, Uuid } from "./types";

export const LECTURER_KINDS: readonly LecturerEntry["kind"][] = ["reply", "broadcast", "request", "hand_ack", "hand_lowered"];

const ORDER: Record<Delivery, number> = { queued: 0, delivered: 1, read: 2 };

/** The later of two delivery states (a message's state only ever advances). */
export function advance(current: Delivery | undefined, next: Delivery): Delivery {
  return current && ORDER[current] >= ORDER[next] ? current : next;
}

/** A broadcast shares its id across students: delivery is per student and message. */
export function messageKey(student: Uuid, id: string): string {
  return `${student}:${id}`;
}

export function isLecturer(e: TimelineEntry): e is LecturerEntry {
  return (LECTURER_KINDS as readonly string[]).includes(e.kind);
}

export interface ThreadItem {
  entry: ChatEntry | LecturerEntry;
  /** "student" for their chat, "lecturer" for ours. */
  side: "student" | "lecturer";
  delivery?: Delivery;
  answer?: { status: AnswerStatus; text: string | null };
}

export interface Live {
  deliveries: Record<string, Delivery>;
  answers: Record<string, { status: AnswerStatus; text: string | null }>;
}

/** The conversation in `entries` (newest first, as timeline pages come), oldest first, with the
 * live delivery states and answers (events) merged over what the index said when it was read. */
export function thread(entries: readonly TimelineEntry[], live: Live): ThreadItem[] {
  const out: ThreadItem[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e.kind === "chat") {
      out.push({ entry: e, side: "student" });
    } else if (isLecturer(e)) {
      const key = messageKey(e.student, e.message);
      const liveDelivery = live.deliveries[key];
      const delivery = liveDelivery ? advance(e.delivery, liveDelivery) : e.delivery;
      const stored = e.kind === "request" && e.answer ? { status: e.answer, text: e.detail ?? null } : undefined;
      const answer = live.answers[key] ?? stored;
      out.push({ entry: e, side: "lecturer", delivery, answer });
    }
  }
  return out;
}
