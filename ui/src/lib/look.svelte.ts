// Looking at a past session (issue 14): while set, the grid shows each student as they were at
// the session's end and the student view's timeline only that session's entries. Read once when
// chosen: live events never change what it shows, so the banner's claim stays true.
import { api } from "./api";
import type { ScreenshotEntry, Session, Uuid } from "./types";

/** timeline_page's from/until (Unix ms, inclusive). */
export type Span = { from: number; until: number };

class SessionLook {
  /** The session being looked at; null: everything is live. */
  session = $state.raw<Session | null>(null);
  /** Each student's newest screenshot at the end, only when taken during the session (an older
   * one would show work from another meeting). */
  shots = $state.raw<Record<Uuid, ScreenshotEntry>>({});
  /** Who was present at some time in it (attendance). */
  present = $state.raw<Set<Uuid>>(new Set());
  /** Both reads came back. */
  loaded = $state(false);
  /** A newer open() or close() makes an older open's answers stale. */
  private generation = 0;

  get span(): Span | null {
    return this.session ? { from: this.session.start, until: this.session.end } : null;
  }

  /** Starts looking at `s`; throws the command's error (the caller closes and words it). */
  async open(s: Session): Promise<void> {
    const gen = ++this.generation;
    this.session = s;
    this.loaded = false;
    this.shots = {};
    this.present = new Set();
    const [shots, rows] = await Promise.all([api.screenshotsAt(s.end), api.sessionAttendance(s.number)]);
    if (gen !== this.generation) return;
    const byStudent: Record<Uuid, ScreenshotEntry> = {};
    for (const e of shots) if (e.ts >= s.start) byStudent[e.student] = e;
    this.shots = byStudent;
    this.present = new Set(rows.map((r) => r.student));
    this.loaded = true;
  }

  /** Back to now. */
  close(): void {
    this.generation++;
    this.session = null;
    this.loaded = false;
    this.shots = {};
    this.present = new Set();
  }
}

export const look = new SessionLook();
