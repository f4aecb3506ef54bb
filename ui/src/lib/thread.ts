// A student's conversation: their chat and the lecturer's replies, announcements, requests and
// answers to hands, oldest first, each lecturer message with how far it got. Pure functions.
import type { AnswerStatus, Delivery, TimelineEntry, TimelineKind, Uuid } from "./types";

export const LECTURER_KINDS: readonly TimelineKind[] = ["reply", "broadcast", "request", "hand_ack", "hand_lowered"];

const ORDER: Record<Delivery, number> = { queued: 0, delivered: 1, read: 2 };

/** The later of two delivery states (a message's state only ever advances). */
export function advance(current: Delivery | undefined, next: Delivery): Delivery {
  return current && ORDER[current] >= ORDER[next] ? current : next;
}

/** A broadcast shares its id across students: delivery is per student and message. */
export function messageKey(student: Uuid, id: string): string {
  return `${student}:${id}`;
}

export function isLecturer(kind: TimelineKind): boolean {
  return LECTURER_KINDS.includes(kind);
}

export interface ThreadItem {
  entry: TimelineEntry;
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
    } else if (isLecturer(e.kind)) {
      const key = e.message ? messageKey(e.student, e.message) : "";
      const liveDelivery = key ? live.deliveries[key] : undefined;
      const delivery = liveDelivery ? advance(e.delivery ?? undefined, liveDelivery) : (e.delivery ?? "queued");
      const liveAnswer = key ? live.answers[key] : undefined;
      const answer = liveAnswer ?? (e.answer ? { status: e.answer, text: e.detail ?? null } : undefined);
      out.push({ entry: e, side: "lecturer", delivery, answer });
    }
  }
  return out;
}
