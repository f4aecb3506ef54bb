// Sessions and attendance in the built UI (Chromium, Tauri IPC mocked): the newest session
// first with its attendance, another session on click, CSV saved where the lecturer chose,
// collecting as of a session's end, Polish plurals.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { calls, openApp, poll, setup, shot, tid } from "./helpers.mjs";

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

describe("sessions and attendance", () => {
  test("newest session first, attendance per student, CSV and collect at its end", async () => {
    const now = Date.UTC(2026, 11, 2, 12, 0, 0);
    const { page, context, errors } = await openApp(env, { running: true, now, saveResult: "/home/lecturer/obecnosc.csv" });
    try {
      await page.locator(tid("sessions-button")).click();
      const dialog = page.locator(tid("sessions-dialog"));
      await dialog.waitFor();
      const items = page.locator(tid("session-item"));
      await poll(() => items.count(), (n) => n === 2);
      assert.equal(await items.first().getAttribute("data-number"), "2", "newest first");
      assert.equal(await items.first().getAttribute("aria-pressed"), "true");
      const rows = page.locator(tid("attendance-row"));
      await poll(() => rows.count(), (n) => n > 0);
      const today = await rows.count();
      assert.match(await items.first().innerText(), new RegExp(`${today} students?`));
      assert.match(await rows.first().innerText(), /75 min/);
      await shot(page, "sessions-dialog");
      await items.nth(1).click();
      await poll(() => rows.count(), (n) => n === today + 1);
      assert.deepEqual((await calls(page, "session_attendance")).map((c) => c.number), [2, 1]);

      await page.locator(tid("attendance-csv")).click();
      await page.locator(tid("attendance-saved")).waitFor();
      assert.deepEqual((await calls(page, "save_attendance"))[0], { number: 1, out: "/home/lecturer/obecnosc.csv" });
      assert.match((await calls(page, "plugin:dialog|save"))[0].options.defaultPath, /^attendance-\d{4}-\d\d-\d\d\.csv$/);

      // Collect as of the chosen session's end: the Collect dialog opens with that moment.
      await page.locator(tid("session-collect")).click();
      await page.locator(tid("collect-dialog")).waitFor();
      assert.equal(await dialog.count(), 0);
      // Session 1 ended a week before `now`: 25 Nov 12:00 UTC, 13:00 in Warsaw (the browser's zone).
      // (A browser shows whole minutes without ":00" seconds.)
      assert.match(await page.locator(tid("collect-moment")).inputValue(), /^2026-11-25T13:00(:00)?$/);
      await page.locator(tid("collect-close")).click();

      // The class as it was at the session's end: Compare at that moment, shown at once.
      await page.locator(tid("sessions-button")).click();
      await page.locator(tid("session-item")).nth(1).click();
      await poll(() => calls(page, "session_attendance"), (v) => v.length >= 3);
      await page.locator(tid("session-view")).click();
      await page.locator(tid("compare-view")).waitFor();
      assert.equal(await page.locator(tid("compare-view")).getAttribute("data-mode"), "moment");
      await poll(() => calls(page, "screenshots_at"), (v) => v.length === 1);
      assert.equal((await calls(page, "screenshots_at"))[0].at, now - 7 * 24 * 3600 * 1000);
      assert.match(await page.locator(tid("compare-moment-input")).inputValue(), /^2026-11-25T13:00(:00)?$/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("in Polish: plural forms and no sessions yet", async () => {
    const { page, context } = await openApp(env, {
      running: true,
      settings: { language: "pl" },
      sessions: [{ number: 1, start: Date.now() - 3600000, end: Date.now(), students: 22 }],
    });
    try {
      await page.locator(tid("sessions-button")).click();
      await page.locator(tid("session-item")).first().waitFor();
      assert.match(await page.locator(tid("session-item")).first().innerText(), /22 osoby/);
      assert.match(await page.locator(tid("sessions-dialog")).innerText(), /Obecność/);
    } finally {
      await context.close();
    }
    const none = await openApp(env, { running: true, sessions: [] });
    try {
      await none.page.locator(tid("sessions-button")).click();
      await none.page.locator(tid("sessions-none")).waitFor();
      assert.equal(await none.page.locator(tid("attendance-csv")).isDisabled(), true);
    } finally {
      await none.context.close();
    }
  });
});
