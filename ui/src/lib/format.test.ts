import { describe, expect, it } from "vitest";
import { formatAgo, formatClock, formatSize, formatSpan, formatTime, percent, storePath } from "./format";
import { catalogues, translate, translatePlural } from "./i18n";

describe("formatSize", () => {
  it("uses binary units with one decimal below ten", () => {
    expect(formatSize(0)).toBe("0 B");
    expect(formatSize(1023)).toBe("1,023 B");
    expect(formatSize(1536)).toBe("1.5 KB");
    expect(formatSize(10 * 1024 * 1024)).toBe("10 MB");
    expect(formatSize(3.25 * 1024 ** 3)).toBe("3.3 GB");
    expect(formatSize(-1)).toBe("–");
  });
  it("writes Polish decimals with a comma", () => {
    expect(formatSize(1536, "pl")).toBe("1,5 KB");
  });
});

describe("times", () => {
  const now = new Date(2025, 2, 14, 15, 0, 0).getTime();
  it("shows only the time today, the date otherwise, the year when it differs", () => {
    expect(formatTime(new Date(2025, 2, 14, 9, 5).getTime(), "en", now)).toBe("09:05");
    expect(formatTime(new Date(2025, 2, 3, 9, 5).getTime(), "en", now)).toBe("3 Mar 09:05");
    expect(formatTime(new Date(2024, 11, 3, 9, 5).getTime(), "en", now)).toBe("3 Dec 2024 09:05");
    expect(formatTime(new Date(2025, 2, 3, 9, 5).getTime(), "pl", now)).toBe("3 mar 09:05");
  });
  it("shows seconds when asked (.blend versions)", () => {
    expect(formatTime(new Date(2025, 2, 14, 9, 5, 7).getTime(), "en", now, true)).toBe("09:05:07");
    expect(formatTime(new Date(2025, 2, 3, 9, 5, 7).getTime(), "pl", now, true)).toBe("3 mar 09:05:07");
  });
  it("formats a clock with seconds", () => {
    expect(formatClock(new Date(2025, 2, 14, 9, 5, 7).getTime())).toBe("09:05:07");
  });
});

describe("formatAgo", () => {
  const now = Date.UTC(2026, 2, 3, 12, 0, 0);
  it("under a minute is for the caller to word; then minutes and hours with CLDR plurals", () => {
    expect(formatAgo(now - 59_000, "en", now)).toBeNull();
    expect(formatAgo(now + 5_000, "en", now)).toBeNull(); // a clock a little behind the event
    expect(formatAgo(now - 60_000, "en", now)).toBe("1 minute ago");
    expect(formatAgo(now - 3 * 60_000 - 59_000, "en", now)).toBe("3 minutes ago");
    expect(formatAgo(now - 60 * 60_000, "en", now)).toBe("1 hour ago");
    expect(formatAgo(now - 60_000, "pl", now)).toBe("1 minutę temu");
    expect(formatAgo(now - 2 * 60_000, "pl", now)).toBe("2 minuty temu");
    expect(formatAgo(now - 5 * 60_000, "pl", now)).toBe("5 minut temu");
    expect(formatAgo(now - 22 * 60_000, "pl", now)).toBe("22 minuty temu");
    expect(formatAgo(now - 2 * 3_600_000, "pl", now)).toBe("2 godziny temu");
  });
  it("a day or more shows the date and time", () => {
    const then = now - 26 * 3_600_000;
    expect(formatAgo(then, "en", now)).toBe(formatTime(then, "en", now));
  });
});

describe("helpers", () => {
  it("percent clamps", () => {
    expect(percent(50, 200)).toBe(25);
    expect(percent(300, 200)).toBe(100);
    expect(percent(0, 0)).toBe(100);
  });
  it("storePath joins with one slash", () => {
    expect(storePath("/home/l/Pracownia/", "anna/thumbs/1.jpg")).toBe("/home/l/Pracownia/anna/thumbs/1.jpg");
    expect(storePath("C:\\Users\\l\\Pracownia", "a/b.png")).toBe("C:\\Users\\l\\Pracownia/a/b.png");
  });
});

describe("i18n", () => {
  it("English and Polish have exactly the same keys", () => {
    const en = Object.keys(catalogues.en).sort();
    const pl = Object.keys(catalogues.pl).sort();
    expect(pl).toEqual(en);
  });
  it("no message is empty and both use the same parameters", () => {
    for (const key of Object.keys(catalogues.en) as (keyof typeof catalogues.en)[]) {
      expect(catalogues.en[key].length, key).toBeGreaterThan(0);
      expect(catalogues.pl[key].length, key).toBeGreaterThan(0);
      const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(params(catalogues.pl[key]), key).toEqual(params(catalogues.en[key]));
    }
  });
  it("fills parameters", () => {
    expect(translate("en", "grid.students", { count: 3 })).toBe("3 students");
    expect(translate("pl", "status.stop")).toBe("Zatrzymaj");
  });
  it("header counts use CLDR plural forms in both languages", () => {
    expect(translatePlural("en", "attention.hands", 1)).toBe("1 raised hand");
    expect(translatePlural("en", "attention.hands", 2)).toBe("2 raised hands");
    expect(translatePlural("en", "attention.unread", 1)).toBe("1 student with unread chat");
    expect(translatePlural("pl", "attention.hands", 1)).toBe("1 podniesiona ręka");
    expect(translatePlural("pl", "attention.hands", 3)).toBe("3 podniesione ręce");
    expect(translatePlural("pl", "attention.hands", 5)).toBe("5 podniesionych rąk");
    expect(translatePlural("pl", "attention.hands", 22)).toBe("22 podniesione ręce");
    expect(translatePlural("pl", "attention.unread", 1)).toBe("1 osoba z nieprzeczytanym czatem");
    expect(translatePlural("pl", "attention.unread", 12)).toBe("12 osób z nieprzeczytanym czatem");
    expect(translatePlural("pl", "attention.hands_short", 5)).toBe("5 rąk");
    expect(translatePlural("pl", "attention.unread_short", 2)).toBe("2 czekają");
  });
});

describe("formatSpan (the session banner)", () => {
  const now = new Date(2026, 11, 2, 12, 0).getTime();
  it("says the day and both times, in the UI language", () => {
    const start = new Date(2026, 10, 25, 10, 15).getTime();
    const end = new Date(2026, 10, 25, 11, 45).getTime();
    expect(formatSpan(start, end, "en", now)).toBe("Wed 25 Nov, 10:15–11:45");
    expect(formatSpan(start, end, "pl", now)).toBe("śr., 25 lis, 10:15–11:45");
  });
  it("adds the year of another year, and the end's day past midnight", () => {
    const start = new Date(2025, 10, 25, 23, 30).getTime();
    expect(formatSpan(start, start + 60 * 60_000, "en", now)).toBe("Tue, 25 Nov 2025, 23:30–Wed, 26 Nov 2025, 00:30");
  });
});
