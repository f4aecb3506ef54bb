// The app's one store: settings, receiver status, the class (fed by events), the current view
// and the error line. Components read it and call its actions; only api.ts talks to Rust.
import { open as openDialog } from "@tauri-apps/plugin-dialog";
import { api, onEvent, onStatus, toAppError, type UiError } from "./api";
import { locale, t } from "./locale.svelte";
import { errorSentence, faultSentence, translatePlural } from "./i18n";
import { applyEvent, emptyState, markRead, receiverStopped, setHand, setTiles, type Only, type SortKey } from "./reducer";
import type { ClassInfo, Event, HandState, Language, MessageSent, ReceiverStatus, Session, Settings, Uuid } from "./types";
import { chime } from "./sound";
import { look } from "./look.svelte";

/** A student who needs the lecturer while their tile is not on screen (or the window is not
 * focused): shown above the page with a button that brings the tile into view. */
export type Attention = { student: Uuid; login: string; kind: "chat" | "hand"; text: string | null };

/** A lecturer message's result: sent, or the error as a sentence in the UI language. */
export type SendResult = { ok: true; sent: MessageSent } | { ok: false; error: string };

export type View = { name: "grid" } | { name: "student"; id: Uuid } | { name: "inbox" } | { name: "compare" };

type Listener = (student: Uuid | null) => void;

function tileElement(id: Uuid): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-testid="student-tile"][data-student="${CSS.escape(id)}"]`);
}

/** Whether some of the student's tile is inside the grid's scrolled area (and the window). */
function tileOnScreen(id: Uuid): boolean {
  const el = tileElement(id);
  if (!el) return false;
  const r = el.getBoundingClientRect();
  const box = el.closest(".grid")?.getBoundingClientRect() ?? new DOMRect(0, 0, window.innerWidth, window.innerHeight);
  const top = Math.max(box.top, 0);
  const bottom = Math.min(box.bottom, window.innerHeight);
  return r.bottom > top + 8 && r.top < bottom - 8 && r.width > 0;
}

class AppStore {
  settings = $state<Settings | null>(null);
  status = $state<ReceiverStatus>({ running: false, port: 5570, store: "", addresses: [], join: [], stats: null, encrypted: false });
  cls = $state(emptyState());
  view = $state<View>({ name: "grid" });
  /** The error line: a command's error (worded in the UI language when shown, so a language
   * change rewords it) or a sentence already worded. */
  error = $state<UiError | string | null>(null);
  notice = $state<string | null>(null);
  busy = $state(false);
  filter = $state("");
  /** "Needs attention" by default: a raised hand or a waiting question is never scrolled away. */
  sort = $state<SortKey>("attention");
  attention = $state<Attention | null>(null);
  /** Compare: the chosen students (2–6, in the order chosen) and the mode. */
  compare = $state<Uuid[]>([]);
  compareMode = $state<"live" | "moment">("live");
  /** Set from the header's counts: only raised hands, or only unread chat. */
  only = $state<Only>(null);
  /** The classes in the store root, by name (the header's switcher). */
  classes = $state<ClassInfo[]>([]);

  /** Timeline/inbox views subscribe here to fetch what is new when events say so. */
  private timelineListeners = new Set<Listener>();
  private inboxListeners = new Set<Listener>();
  private unlisten: Array<() => void> = [];

  /** The class being shown (and received into, when running). */
  get currentClass(): ClassInfo | null {
    return this.classes.find((c) => c.current) ?? this.classes.find((c) => c.folder === this.settings?.class) ?? null;
  }

  get openStudent(): Uuid | null {
    return this.view.name === "student" ? this.view.id : null;
  }

  /** The store folder images are served from: the running receiver's, else the settings'. */
  get storeRoot(): string {
    // The current class's folder (status.store is it, running or not); settings.store is the root.
    return this.status.store || (this.settings?.store ?? "");
  }

  async init(): Promise<void> {
    this.unlisten.push(await onEvent((ev) => this.handleEvent(ev)));
    this.unlisten.push(await onStatus((s) => this.setStatus(s)));
    await this.run(async () => {
      const settings = await api.getSettings();
      this.settings = settings;
      locale.lang = settings.language;
      this.setStatus(await api.receiverStatus());
      await this.reloadStudents();
      await this.loadClasses();
    });
  }

  async loadClasses(): Promise<void> {
    this.classes = await api.listClasses();
  }

  /** A new class, not switched to (that would stop receiving); a refusal is thrown for the
   * dialog to word. */
  async createClass(name: string): Promise<ClassInfo> {
    const made = await api.createClass(name);
    await this.run(() => this.loadClasses());
    return made;
  }

  /** Makes `folder` the current class. The receiver stops if it runs, so callers ask first.
   * Students, chat, counts and open views are all per class: everything is read again and the
   * window goes back to the grid. */
  async switchClass(folder: string): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      const settings = await this.run(() => api.switchClass(folder));
      if (!settings) {
        await this.run(() => this.loadClasses()); // a stale list (no_such_class): show the real one
        return false;
      }
      this.settings = settings;
      locale.lang = settings.language;
      this.forgetClass();
      await this.run(async () => {
        this.setStatus(await api.receiverStatus());
        await this.loadClasses();
        await this.reloadStudents();
      });
      this.notice = t("classes.switched", { name: this.currentClass?.name ?? folder });
      return true;
    } finally {
      this.busy = false;
    }
  }

  /** What belonged to the class left behind: its tiles and live state, and every view of it. */
  private forgetClass(): void {
    this.cls = emptyState();
    this.view = { name: "grid" };
    this.only = null;
    this.filter = "";
    this.compare = [];
    this.compareMode = "live";
    this.compareAt = null;
    this.attention = null;
    look.close(); // its session was the class left behind's
  }

  destroy(): void {
    for (const u of this.unlisten) u();
    this.unlisten = [];
  }

  setStatus(s: ReceiverStatus): void {
    this.status = s;
    if (s.stats) this.cls.stats = s.stats;
    if (!s.running) receiverStopped(this.cls);
  }

  handleEvent(ev: Event): void {
    // A chat, or a hand that was not up already (before the reducer raises it).
    const needs =
      (ev.type === "chat" || (ev.type === "hand" && ev.raised && !this.cls.tiles[ev.student]?.hand_raised)) &&
      ev.student !== this.openStudent;
    const fx = applyEvent(this.cls, ev, { openStudent: this.openStudent });
    if (needs && (ev.type === "chat" || ev.type === "hand")) this.notifyAttention(ev);
    if (fx.error) this.error = fx.error;
    if (fx.fault) this.error = faultSentence(locale.lang, fx.fault.fault, fx.fault.login);
    if (fx.markRead) void this.run(() => api.markChatRead(fx.markRead!));
    if (fx.timeline) for (const l of this.timelineListeners) l(fx.timeline);
    if (fx.chat) for (const l of this.inboxListeners) l(null);
  }

  /** The window's desktop notification comes from Rust while the window is not focused; here,
   * also when the student's tile is scrolled out of view (or another view is open): a notice with
   * "Show", and the soft sound when the setting asks for it. */
  private notifyAttention(ev: Extract<Event, { type: "chat" | "hand" }>): void {
    const focused = document.hasFocus();
    // A past session's tile shows no live hand or chat: on screen, it still tells nothing.
    const seen = focused && this.view.name === "grid" && !look.session && tileOnScreen(ev.student);
    if (seen) return;
    this.attention = { student: ev.student, login: ev.login, kind: ev.type, text: ev.type === "chat" ? ev.text : null };
    if (this.settings?.sound) chime();
  }

  /** The notice's "Show": the tile in the grid, scrolled into view. */
  showAttention(): void {
    const a = this.attention;
    this.attention = null;
    if (!a) return;
    look.close(); // the tile to show is the live one
    this.view = { name: "grid" };
    if (this.only) this.only = null;
    requestAnimationFrame(() => tileElement(a.student)?.scrollIntoView({ block: "center" }));
  }

  onTimelineChange(l: Listener): () => void {
    this.timelineListeners.add(l);
    return () => this.timelineListeners.delete(l);
  }

  onInboxChange(l: Listener): () => void {
    this.inboxListeners.add(l);
    return () => this.inboxListeners.delete(l);
  }

  async reloadStudents(): Promise<void> {
    const since = this.cls.seq; // events during the call are newer than the list it returns
    setTiles(this.cls, await api.listStudents(), since);
  }

  /** Runs a command; its AppError becomes the error line. Returns undefined on failure. */
  async run<T>(f: () => Promise<T>): Promise<T | undefined> {
    try {
      return await f();
    } catch (e) {
      this.error = toAppError(e);
      return undefined;
    }
  }

  async saveSettings(patch: Partial<Settings>): Promise<boolean> {
    if (!this.settings) return false;
    const next = { ...this.settings, ...patch };
    const saved = await this.run(() => api.saveSettings(next));
    if (!saved) return false;
    this.settings = saved;
    locale.lang = saved.language;
    return true;
  }

  async setLanguage(lang: Language): Promise<void> {
    locale.lang = lang;
    await this.saveSettings({ language: lang });
  }

  async chooseStore(): Promise<void> {
    const dir = await this.run(() =>
      openDialog({ directory: true, multiple: false, title: t("status.choose_store_title"), defaultPath: this.settings?.store }),
    );
    if (typeof dir === "string" && dir) {
      if (await this.saveSettings({ store: dir })) {
        // Another store root has other classes (and students).
        await this.run(() => this.loadClasses());
        await this.run(() => this.reloadStudents());
      }
    }
  }

  async generateCode(): Promise<void> {
    const code = await this.run(() => api.generateClassCode());
    if (code) await this.saveSettings({ class_code: code });
  }

  async start(): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      const s = await this.run(() => api.startReceiver());
      if (s) {
        this.setStatus(s);
        await this.run(() => this.reloadStudents());
      }
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<void> {
    this.busy = true;
    try {
      const s = await this.run(() => api.stopReceiver());
      if (s) this.setStatus(s);
    } finally {
      this.busy = false;
    }
  }

  openStudentView(id: Uuid): void {
    this.view = { name: "student", id };
    markRead(this.cls, id);
    void this.run(() => api.markChatRead(id));
  }

  /** The lecturer is looking at this student's conversation (the inbox): their chat is read. */
  readConversation(id: Uuid): void {
    markRead(this.cls, id);
    void this.run(() => api.markChatRead(id));
  }

  /** "Reset key": the student's pinned key is forgotten; the next key they connect with is pinned. */
  async resetKey(id: Uuid): Promise<void> {
    const had = await this.run(() => api.resetPin(id));
    if (had === undefined) return;
    delete this.cls.keyRefused[id];
    const login = this.cls.tiles[id]?.summary.login ?? "";
    this.notice = t(had ? "student.key_reset" : "student.key_none", { login });
  }

  /** "Mark unread": the student's newest chat is unread again (back in the needs-attention list). */
  async markUnread(id: Uuid): Promise<void> {
    const at = await this.run(() => api.markChatUnread(id));
    const tile = this.cls.tiles[id];
    if (at != null && tile) {
      tile.summary.unread = Math.max(tile.summary.unread, 1);
      tile.summary.oldest_unread_at = at;
      this.notice = t("chat.marked_unread", { login: tile.summary.login });
    }
  }

  showGrid(): void {
    this.view = { name: "grid" };
  }

  /** The header's count buttons: the grid with only those students (again: everyone). */
  showOnly(only: Exclude<Only, null>): void {
    look.close(); // live counts: the grid they filter is the live one
    this.only = this.only === only && this.view.name === "grid" ? null : only;
    this.view = { name: "grid" };
  }

  showInbox(): void {
    this.view = { name: "inbox" };
  }

  showCompare(): void {
    this.view = { name: "compare" };
  }

  /** The moment Compare opens at (then cleared by it): a past session's end. */
  compareAt = $state<number | null>(null);

  /** The whole class as it was at `at` (each student's newest screenshot then): Compare's
   * moment mode, shown at once. */
  showClassAt(at: number): void {
    this.compareMode = "moment";
    this.compareAt = at;
    this.view = { name: "compare" };
  }

  /** Looks at a past session (the banner, the grid at its end, timelines filtered to it), from
   * the grid; a failed read ends it and goes to the error line. */
  async lookAtSession(s: Session): Promise<void> {
    this.view = { name: "grid" };
    this.only = null; // live attention filters say nothing about then
    try {
      await look.open(s);
    } catch (e) {
      look.close();
      this.error = toAppError(e);
    }
  }

  /** "Back to now": everything live again (an open student view reloads, keyed on the look). */
  backToNow(): void {
    look.close();
  }

  /** Opens a copy in Blender; when Blender is not found, asks for it once and retries. */
  async openInBlender(path: string, login?: string, at?: number): Promise<void> {
    this.error = null;
    try {
      await api.openInBlender(path, login, at);
      this.notice = t("blend.opened");
      return;
    } catch (e) {
      const err = toAppError(e);
      if (err.kind !== "blender_not_found") {
        this.error = err;
        return;
      }
    }
    const picked = await this.run(() => openDialog({ directory: false, multiple: false, title: t("blend.pick_title") }));
    if (typeof picked !== "string" || !picked) return;
    const saved = await this.run(() => api.setBlenderPath(picked));
    if (!saved) return;
    this.settings = saved;
    const ok = await this.run(() => api.openInBlender(path, login, at));
    if (ok !== undefined) this.notice = t("blend.opened");
  }

  /** Runs a lecturer message command; its error becomes a sentence in the UI language. */
  async send(f: () => Promise<MessageSent>): Promise<SendResult> {
    try {
      return { ok: true, sent: await f() };
    } catch (e) {
      return { ok: false, error: errorSentence(locale.lang, toAppError(e)) };
    }
  }

  sendReply(student: Uuid, text: string): Promise<SendResult> {
    return this.send(() => api.sendReply(student, text));
  }

  async announce(text: string): Promise<SendResult> {
    const r = await this.send(() => api.announce(text));
    if (r.ok) this.notice = translatePlural(locale.lang, "sent.message", r.sent.recipients, { online: r.sent.online });
    return r;
  }

  /** Ask one student (or everyone: null) for a screenshot now; errors go to the error line. */
  async askScreenshot(student: Uuid | null): Promise<void> {
    const r = await this.send(() => api.requestCapture(student, "screenshot"));
    if (!r.ok) this.error = r.error;
    else this.notice = translatePlural(locale.lang, "sent.request", r.sent.recipients, { online: r.sent.online });
  }

  async answerHand(student: Uuid, state: HandState): Promise<void> {
    const r = await this.send(() => api.answerHand(student, state));
    if (!r.ok) this.error = r.error;
    else if (state === "lowered") {
      const tile = this.cls.tiles[student];
      if (tile) setHand(tile, false, Date.now());
    }
  }

  async showInFolder(path: string): Promise<void> {
    await this.run(() => api.showInFolder(path));
  }
}

export const app = new AppStore();
