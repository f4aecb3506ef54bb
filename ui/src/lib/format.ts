// Formatting helpers (pure; the language is passed in).
import type { Language } from "./types";

const units: Record<Language, string[]> = {
  en: ["B", "KB", "MB", "GB", "TB"],
  pl: ["B", "KB", "MB", "GB", "TB"],
};

/** 1536 → "1.5 KB" (en) / "1,5 KB" (pl); binary multiples, one decimal below 10. */
export function formatSize(bytes: number, lang: Language = "en"): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "–";
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units[lang].length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 10 ? 0 : 1;
  const n = v.toLocaleString(lang === "pl" ? "pl-PL" : "en-GB", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${n} ${units[lang][i]}`;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Unix ms → "14:05" today, else "3 Mar 14:05" / "3 mar 14:05"; the year only when it differs.
 * `seconds`: "14:05:09" (versions of a .blend saved a few seconds apart). */
export function formatTime(ms: number, lang: Language = "en", now: number = Date.now(), seconds = false): string {
  const d = new Date(ms);
  const n = new Date(now);
  const locale = lang === "pl" ? "pl-PL" : "en-GB";
  const time = d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) });
  if (sameDay(d, n)) return time;
  const opts: Intl.DateTimeFormatOptions = { day: "numeric", month: "short" };
  if (d.getFullYear() !== n.getFullYear()) opts.year = "numeric";
  return `${d.toLocaleDateString(locale, opts)} ${time}`;
}

/** Unix ms → "14:05:09" (for timeline rows and the viewer). */
export function formatClock(ms: number, lang: Language = "en"): string {
  return new Date(ms).toLocaleTimeString(lang === "pl" ? "pl-PL" : "en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** A session's span for a heading: "Wed 25 Nov, 10:15–11:45" / "śr., 25 lis, 10:15–11:45"; the
 * year when it is not this year's; the end's date too when the span passes midnight. */
export function formatSpan(start: number, end: number, lang: Language = "en", now: number = Date.now()): string {
  const locale = lang === "pl" ? "pl-PL" : "en-GB";
  const opts: Intl.DateTimeFormatOptions = { weekday: "short", day: "numeric", month: "short" };
  if (new Date(start).getFullYear() !== new Date(now).getFullYear()) opts.year = "numeric";
  const date = (ms: number) => new Date(ms).toLocaleDateString(locale, opts);
  const hm = (ms: number) => new Date(ms).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  const until = sameDay(new Date(start), new Date(end)) ? hm(end) : `${date(end)}, ${hm(end)}`;
  return `${date(start)}, ${hm(start)}–${until}`;
}

/** Whole percent of received/size, clamped to 0–100. */
export function percent(received: number, size: number): number {
  if (size <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((received * 100) / size)));
}

/** Joins the store root and a store-relative path with one forward slash. */
export function storePath(store: string, rel: string): string {
  const root = store.replace(/[\\/]+$/, "");
  return `${root}/${rel.replace(/^\/+/, "")}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** How long ago `ms` was, for a tile: "just now" under a minute (null: the caller says it in its
 * own words), else "3 minutes ago" / "3 minuty temu" (Intl.RelativeTimeFormat, so the plural
 * forms are CLDR's), hours under a day, then the date and time. */
export function formatAgo(ms: number, lang: Language = "en", now: number = Date.now()): string | null {
  const d = Math.max(0, now - ms);
  if (d < MINUTE) return null;
  const rtf = new Intl.RelativeTimeFormat(lang === "pl" ? "pl-PL" : "en-GB", { numeric: "always" });
  if (d < HOUR) return rtf.format(-Math.floor(d / MINUTE), "minute");
  if (d < 24 * HOUR) return rtf.format(-Math.floor(d / HOUR), "hour");
  return formatTime(ms, lang, now);
}

/** A screenshot older than this, from a student who is online, means stuck or paused. */
export const STALE_AFTER_MS = 5 * MINUTE;
