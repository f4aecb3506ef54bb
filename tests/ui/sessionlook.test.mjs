// Looking at a past session (issue 14) in the built UI (Chromium, Tauri IPC mocked): the banner
// with the session's times, the grid as it was at its end (live screenshots do not replace it),
// a student's timeline with only that session's entries (timeline_page from/until), empty
// sessions said in a sentence, "Back to now", and the banner in Polish.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { calls, idOf, openApp, poll, push, setup, shot, tid, tile } from "./helpers.mjs";

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0); // 13:00 in Warsaw, the browser's zone
const MIN = 60_000;
// The mock's students join at NOW − 60 min and send something every minute: session 1 holds the
// first few minutes of it, session 2 starts after the last entry (nobody's work in it).
const S1 = { number: 1, start: NOW - 61 * MIN, end: NOW - 55.5 * MIN, students: 5 };
const S2 = { number: 2, start: NOW - 50 * MIN, end: NOW - 5 * MIN, students: 6 };
const CONFIG = { running: true, now: NOW, sessions: [S1, S2], absent: { 1: ["dawid"] } };

/** "HH:MM:SS" in Warsaw, as the timeline rows show times. */
const clock = (ms) => new Date(ms).toLocaleTimeString("en-GB", { timeZone: "Europe/Warsaw", hour: "2-digit", minute: "2-digit", second: "2-digit" });

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

/** Sessions dialog → the session numbered `n` → "Look at this session". */
async function lookAt(page, n) {
  await page.locator(tid("sessions-button")).click();
  const item = page.locator(`${tid("session-item")}[data-number="${n}"]`);
  await item.click();
  await poll(() => item.getAttribute("aria-pressed"), (v) => v === "true");
  await page.locator(tid("session-look")).click();
  await page.locator(tid("session-banner")).waitFor();
  assert.equal(await page.locator(tid("sessions-dialog")).count(), 0, "the dialog closes");
}

const timelineCalls = async (page) => (await calls(page, "timeline_page")).filter((c) => c.limit === 500); // the timeline's pages

describe("looking at a past session", () => {
  test("banner, the grid at its end, a timeline of only its entries, back to now", async () => {
    const { page, context, errors } = await openApp(env, CONFIG);
    try {
      const anna = await idOf(page, "anna.nowak");
      const liveSrc = await tile(page, "anna.nowak").locator("img").getAttribute("src");
      await lookAt(page, 1);
      const banner = page.locator(tid("session-banner"));
      assert.equal(await banner.getAttribute("data-number"), "1");
      assert.equal(
        await page.locator(tid("session-banner-text")).innerText(),
        "🕘 Looking at session 1 · Wed 2 Dec, 11:59–12:04 · 5 students",
      );
      assert.equal(await page.locator(tid("session-banner-close")).innerText(), "Back to now");

      // The grid: each student's newest screenshot at the end, read once; the absent one marked.
      await poll(() => calls(page, "screenshots_at"), (v) => v.length === 1);
      assert.equal((await calls(page, "screenshots_at"))[0].at, S1.end);
      assert.deepEqual((await calls(page, "session_attendance")).at(-1), { number: 1 });
      const annaTile = tile(page, "anna.nowak");
      await poll(() => annaTile.getAttribute("data-past"), (v) => v === "true");
      const pastSrc = await annaTile.locator("img").getAttribute("src");
      assert.ok(pastSrc && pastSrc !== liveSrc, `the session's screenshot, not the live one: ${pastSrc}`);
      const shotText = await annaTile.locator(tid("session-shot")).innerText();
      const shotTime = shotText.match(/(\d\d:\d\d)$/)?.[1] ?? shotText; // "screenshot 12:03" (a date before it on another day)
      assert.ok(shotTime >= clock(S1.start).slice(0, 5) && shotTime <= clock(S1.end).slice(0, 5), shotText);
      const dawid = tile(page, "dawid");
      await dawid.locator(tid("session-absent")).waitFor();
      assert.equal(await dawid.getAttribute("data-present"), "false");
      assert.match(await dawid.innerText(), /no screenshot in this session/);
      assert.equal(await annaTile.locator(tid("session-absent")).count(), 0);
      assert.equal(await page.locator(tid("session-nobody")).count(), 0);

      // A live screenshot arrives: the tile keeps showing the session's.
      await push(page, {
        type: "file_stored", student: anna, login: "anna.nowak", kind: "screenshot",
        path: "anna.nowak-1/screenshots/live.png", thumb: "anna.nowak-1/thumbs/live.png", size: 1000, sha256: "00",
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await annaTile.locator("img").getAttribute("src"), pastSrc);
      await shot(page, "session-look-grid");

      // A student: only the entries within the span, asked for with from/until.
      await annaTile.locator("button.card-open").click();
      await page.locator(tid("student-view")).waitFor();
      await poll(() => timelineCalls(page), (v) => v.length >= 1);
      for (const c of await timelineCalls(page)) assert.deepEqual([c.from, c.until], [S1.start, S1.end]);
      const list = page.locator(tid("timeline-list"));
      const rows = list.locator(".rows > .row"); // every row says its time with seconds (a .blend's beside its size)
      await poll(() => rows.count(), (n) => n > 0);
      const times = (await rows.allInnerTexts()).map((t) => t.match(/\d\d:\d\d:\d\d/)?.[0] ?? t);
      // anna joined at NOW − 60 min and sent four things before the end (NOW − 55.5 min).
      assert.equal(times.length, 5, times.join(", "));
      for (const t of times) assert.ok(t >= clock(S1.start) && t <= clock(S1.end), `${t} outside ${clock(S1.start)}–${clock(S1.end)}`);
      assert.match(await page.locator(tid("timeline-count")).innerText(), /^5 entries$/);
      assert.equal(await page.locator(tid("session-presence")).getAttribute("data-present"), "true");
      // The viewer and Play go through the session's screenshots only.
      const shots = await list.locator(tid("timeline-screenshot")).count();
      assert.ok(shots > 0);
      assert.equal(await page.locator(tid("viewer-position")).innerText(), `${shots} of ${shots}`);
      await page.locator(tid("viewer-play")).click();
      await poll(() => page.locator(tid("viewer-position")).innerText(), (v) => v !== `${shots} of ${shots}` || shots === 1);
      await poll(() => page.locator(tid("viewer-play")).getAttribute("data-playing"), (v) => v === "false", 8000);
      assert.equal(await page.locator(tid("viewer-position")).innerText(), `${shots} of ${shots}`, "Play ends at the session's last");
      assert.match(await list.innerText(), /Start of the session/);
      await shot(page, "session-look-student");

      // Back to now: the same view, unfiltered again.
      const before = (await calls(page, "timeline_page")).length;
      await page.locator(tid("session-banner-close")).click();
      await banner.waitFor({ state: "detached" });
      await poll(() => page.locator(tid("timeline-count")).innerText(), (v) => v === "11 entries"); // 10 stored + the live screenshot
      const since = (await calls(page, "timeline_page")).slice(before);
      assert.ok(since.length > 0);
      for (const c of since) assert.deepEqual([c.from, c.until], [null, null]);
      assert.equal(await page.locator(tid("session-presence")).count(), 0);
      await page.locator(tid("back-button")).click();
      await poll(() => tile(page, "anna.nowak").locator("img").getAttribute("src"), (v) => /live\.png$/.test(v ?? ""));
      assert.equal(await tile(page, "anna.nowak").getAttribute("data-past"), null);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("a session with nobody's work says so, in the grid and for one student", async () => {
    const { page, context, errors } = await openApp(env, CONFIG);
    try {
      await lookAt(page, 2);
      await page.locator(tid("session-nobody")).waitFor();
      assert.match(await page.locator(tid("session-nobody")).innerText(), /Nobody's work from this session/);
      assert.equal(await tile(page, "anna.nowak").locator("img").count(), 0);
      await tile(page, "anna.nowak").locator("button.card-open").click();
      await page.locator(tid("session-timeline-empty")).waitFor();
      assert.equal(await page.locator(tid("session-timeline-empty")).innerText(), "No entries in this session.");
      assert.match(await page.locator(tid("student-view")).innerText(), /No screenshots in this session/);
      for (const c of await timelineCalls(page)) assert.deepEqual([c.from, c.until], [S2.start, S2.end]);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("a long session pages back with before_id, never past its start", async () => {
    // One student sending every second for 20 minutes; the session holds 601 of those entries.
    const span = { number: 1, start: NOW - 55 * MIN, end: NOW - 45 * MIN, students: 1 };
    const { page, context, errors } = await openApp(env, {
      running: true,
      now: NOW,
      students: [{ login: "zofia", filler: 1200, step: 1000, presence: "online" }],
      sessions: [span],
    });
    try {
      await lookAt(page, 1);
      await tile(page, "zofia").locator("button.card-open").click();
      const count = page.locator(tid("timeline-count"));
      await poll(() => count.innerText(), (v) => v === "500 entries+");
      const list = page.locator(tid("timeline-list"));
      await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await poll(() => count.innerText(), (v) => v === "601 entries");
      const pages = await timelineCalls(page);
      assert.ok(pages.length >= 2 && pages.at(-1).before_id != null, JSON.stringify(pages));
      for (const c of pages) assert.deepEqual([c.from, c.until], [span.start, span.end]);
      await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await page.getByText("Start of the session").waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("in Polish: the banner, the absent student, the way back", async () => {
    // The minimum window: the banner stays one line inside it.
    const { page, context, errors } = await openApp(env, { ...CONFIG, settings: { language: "pl" } }, { width: 900, height: 600 });
    try {
      await lookAt(page, 1);
      assert.equal(
        await page.locator(tid("session-banner-text")).innerText(),
        "🕘 Oglądasz zajęcia nr 1 · śr., 2 gru, 11:59–12:04 · 5 osób",
      );
      assert.equal(await page.locator(tid("session-banner-close")).innerText(), "Wróć do bieżącego stanu");
      const box = await page.locator(tid("session-banner")).boundingBox();
      const close = await page.locator(tid("session-banner-close")).boundingBox();
      assert.ok(box.height <= 44 && close.x + close.width <= 900, JSON.stringify({ box, close }));
      // A live hand while looking: its past tile cannot show it, so the notice does.
      const bartek = await idOf(page, "bartek");
      await push(page, { type: "hand", student: bartek, login: "bartek", raised: false });
      await push(page, { type: "hand", student: bartek, login: "bartek", raised: true });
      await page.locator(`${tid("attention-notice")}[data-kind="hand"]`).waitFor();
      await tile(page, "dawid").locator(tid("session-absent")).waitFor();
      assert.equal(await tile(page, "dawid").locator(tid("session-absent")).innerText(), "nieobecność");
      await shot(page, "session-look-pl");
      // Compare while looking: the class at the session's end, not live.
      await page.locator(tid("compare-button")).click();
      assert.equal(await page.locator(tid("compare-view")).getAttribute("data-mode"), "moment");
      await poll(() => calls(page, "screenshots_at"), (v) => v.length === 2);
      assert.equal((await calls(page, "screenshots_at"))[1].at, S1.end);
      await page.locator(tid("compare-back")).click();
      await page.locator(tid("session-banner-close")).click();
      await page.locator(tid("session-banner")).waitFor({ state: "detached" });
      assert.equal(await tile(page, "dawid").locator(tid("session-absent")).count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
