// "Collect work": the dialog's state and steps, apart from its markup.
import { open as openDialog, save as saveDialog } from "@tauri-apps/plugin-dialog";
import { api, onHandinProgress, toAppError } from "./api";
import { errorSentence } from "./i18n";
import { locale, t } from "./locale.svelte";
import type { CollectSummary, HandinProgress } from "./types";

export type CollectMode = "folder" | "zip";

/** `YYYY-MM-DD` of a moment in local time, for a default file name. */
export function day(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Unix ms as a `datetime-local` value (local time, seconds). */
export function momentInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${day(ms)}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A `datetime-local` value as Unix ms; empty (now) or unreadable as null. */
export function momentMs(value: string): number | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

export class Collector {
  mode = $state<CollectMode>("folder");
  moment = $state("");
  working = $state(false);
  progress = $state<HandinProgress | null>(null);
  summary = $state<CollectSummary | null>(null);
  error = $state<string | null>(null);

  /** Ask where, then collect; false when the lecturer cancelled the file dialog. */
  async run(): Promise<boolean> {
    this.error = null;
    this.summary = null;
    const at = momentMs(this.moment);
    const out =
      this.mode === "folder"
        ? await openDialog({ directory: true, multiple: false, title: t("collect.choose_folder_title") })
        : await saveDialog({
            title: t("collect.choose_zip_title"),
            defaultPath: `work-${day(at ?? Date.now())}.zip`,
            filters: [{ name: "Zip", extensions: ["zip"] }],
          });
    if (typeof out !== "string" || !out) return false;
    this.working = true;
    this.progress = null;
    const unlisten = await onHandinProgress((p) => (this.progress = p));
    try {
      this.summary = await api.collectWork(out, this.mode === "zip", at);
    } catch (e) {
      this.error = errorSentence(locale.lang, toAppError(e));
    } finally {
      unlisten();
      this.working = false;
    }
    return true;
  }

  async reveal(): Promise<void> {
    if (!this.summary) return;
    try {
      await api.revealOutput(this.summary.output);
    } catch (e) {
      this.error = errorSentence(locale.lang, toAppError(e));
    }
  }
}

/** "Export student": ask where, then write the zip (`onprogress` as files are copied); the
 * notice says where it went. */
export async function exportStudent(
  student: string,
  login: string,
  onprogress: (p: HandinProgress | null) => void = () => {},
): Promise<string | null> {
  const out = await saveDialog({
    title: t("export.title", { login }),
    defaultPath: `${login.replace(/[^\p{L}\p{N}._-]+/gu, "_")}-${day(Date.now())}.zip`,
    filters: [{ name: "Zip", extensions: ["zip"] }],
  });
  if (typeof out !== "string" || !out) return null;
  onprogress({ files_done: 0, files_total: 0, bytes_done: 0, bytes_total: 0 });
  const unlisten = await onHandinProgress(onprogress);
  try {
    return await api.exportStudent(student, out);
  } finally {
    unlisten();
    onprogress(null);
  }
}
