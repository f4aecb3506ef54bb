// "Collect work" in the built UI (Chromium, Tauri IPC mocked): folder and zip, progress, who had
// no file, a refusal as a sentence, and Polish plurals.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { calls, idOf, openApp, poll, push, setup, shot, tid, tile } from "./helpers.mjs";

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

describe("collect work", () => {
  test("into a folder: the chosen folder, now, then who handed in nothing", async () => {
    const { page, context, errors } = await openApp(env, { running: true, dialogResult: "/home/lecturer/lab3" });
    try {
      await page.locator(tid("collect-button")).click();
      const dialog = page.locator(tid("collect-dialog"));
      await dialog.waitFor();
      await page.locator(tid("collect-run")).click();
      await page.locator(tid("collect-summary")).waitFor();
      const call = (await calls(page, "collect_work"))[0];
      assert.deepEqual(call, { out: "/home/lecturer/lab3", zip: false, at: null });
      assert.equal((await calls(page, "plugin:dialog|open"))[0].options.directory, true);
      const summary = await page.locator(tid("collect-summary")).innerText();
      assert.match(summary, /Collected the work of 2 of 6 students\./);
      assert.match(await page.locator(tid("collect-no-file")).innerText(), /No \.blend yet: bartek, dawid, ewa, ewa/);
      await shot(page, "collect-done");
      await page.locator(tid("collect-show")).click();
      await poll(() => calls(page, "reveal_output"), (v) => v.length === 1);
      assert.equal((await calls(page, "reveal_output"))[0].path, "/home/lecturer/lab3");
      await page.locator(tid("collect-close")).click();
      assert.equal(await dialog.count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("as a zip at a chosen moment; a cancelled file dialog collects nothing", async () => {
    const { page, context } = await openApp(env, { running: true, saveResult: null });
    try {
      await page.locator(tid("collect-button")).click();
      await page.locator(tid("collect-zip")).check();
      await page.locator(tid("collect-moment")).fill("2026-12-01T10:30:00");
      await page.locator(tid("collect-run")).click();
      await poll(() => calls(page, "plugin:dialog|save"), (v) => v.length === 1);
      const save = (await calls(page, "plugin:dialog|save"))[0].options;
      assert.equal(save.defaultPath, "work-2026-12-01.zip");
      assert.equal((await calls(page, "collect_work")).length, 0, "cancelled: nothing collected");
      await page.evaluate(() => (window.__MOCK_CONFIG__.saveResult = "/tmp/lab3.zip"));
      await page.locator(tid("collect-run")).click();
      await page.locator(tid("collect-summary")).waitFor();
      const call = (await calls(page, "collect_work"))[0];
      assert.equal(call.zip, true);
      assert.equal(call.out, "/tmp/lab3.zip");
      // 10:30 in Warsaw (the test browser's time zone) is 09:30 UTC.
      assert.equal(call.at, Date.UTC(2026, 11, 1, 9, 30, 0));
    } finally {
      await context.close();
    }
  });

  test("a refusal is a sentence in Polish; the Polish summary uses the right plural", async () => {
    const refused = { kind: "exists", message: "/x already exists and is not empty; choose a new or empty folder" };
    const { page, context } = await openApp(env, { running: true, settings: { language: "pl" }, collectError: refused });
    try {
      await page.locator(tid("collect-button")).click();
      await page.locator(tid("collect-run")).click();
      await page.locator(tid("collect-error")).waitFor();
      assert.equal(await page.locator(tid("collect-error")).innerText(), "Ten folder zawiera już pliki albo ten plik już istnieje — wybierz inny.");
      await page.evaluate(() => (window.__MOCK_CONFIG__.collectError = undefined));
      await page.locator(tid("collect-run")).click();
      await page.locator(tid("collect-summary")).waitFor();
      assert.match(await page.locator(tid("collect-summary")).innerText(), /Zebrano prace 2 z 6 osób\./);
      assert.match(await page.locator(tid("collect-no-file")).innerText(), /Bez pliku \.blend:/);
      await shot(page, "collect-pl");
    } finally {
      await context.close();
    }
  });
});

describe("erase a student", () => {
  test("stopped: the confirmation names them and the size; erasing removes the tile", async () => {
    const { page, context, errors } = await openApp(env, {});
    try {
      await tile(page, "celina").locator("button").first().click();
      await page.locator(tid("student-view")).waitFor();
      await page.locator(tid("erase-student")).click();
      await page.locator(tid("erase-what")).waitFor();
      assert.equal(await page.locator("#erase-title").innerText(), "Erase everything of celina?");
      assert.match(await page.locator(tid("erase-what")).innerText(), /^8 files \(2\.4 MB\), the chat and the timeline will be deleted for good\./);
      await page.locator(tid("erase-cancel")).click();
      assert.equal(await page.locator(tid("erase-dialog")).count(), 0);
      assert.equal((await calls(page, "erase_student")).length, 0, "cancel erases nothing");
      await page.locator(tid("erase-student")).click();
      await page.locator(tid("erase-confirm")).click();
      await page.locator(tid("class-grid")).waitFor();
      assert.equal(await tile(page, "celina").count(), 0);
      assert.match(await page.locator(tid("notice")).innerText(), /Erased the data of celina\./);
      assert.equal((await calls(page, "erase_student")).length, 1);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("while receiving the button is disabled; Polish plural forms", async () => {
    const { page, context } = await openApp(env, { running: true, settings: { language: "pl" } });
    try {
      await tile(page, "dawid").locator("button").first().click();
      await page.locator(tid("student-view")).waitFor();
      assert.equal(await page.locator(tid("erase-student")).isDisabled(), true);
      assert.equal(await page.locator(tid("erase-student")).getAttribute("title"), "Zatrzymaj odbiór, aby usunąć dane.");
      await page.locator(tid("back-button")).click();
      await page.locator(tid("stop-button")).click();
      await page.locator(tid("start-button")).waitFor();
      await tile(page, "dawid").locator("button").first().click();
      await page.locator(tid("erase-student")).click();
      await page.locator(tid("erase-what")).waitFor();
      // dawid: 0 screenshots + 0 blends + 2 = 2 files → "2 pliki"; celina 4+2+2 = 8 → "8 plików".
      assert.match(await page.locator(tid("erase-what")).innerText(), /^2 pliki \(/);
      await page.locator(tid("erase-cancel")).click();
      await page.locator(tid("back-button")).click();
      await tile(page, "celina").locator("button").first().click();
      await page.locator(tid("erase-student")).click();
      await page.locator(tid("erase-what")).waitFor();
      assert.match(await page.locator(tid("erase-what")).innerText(), /^8 plików \(/);
    } finally {
      await context.close();
    }
  });
});

describe("export a student", () => {
  test("asks where (login and date as the name), exports, and says where it went", async () => {
    const { page, context } = await openApp(env, { saveResult: "/tmp/celina.zip", slowExport: true });
    try {
      await tile(page, "celina").locator("button").first().click();
      await page.locator(tid("export-student")).click();
      // While it copies: progress, and the button waits.
      await poll(() => page.locator(tid("export-progress")).count(), (n) => n === 1);
      assert.match(await page.locator(tid("export-progress")).innerText(), /Copied 1\/3 files/);
      assert.equal(await page.locator(tid("export-student")).isDisabled(), true);
      await poll(() => calls(page, "export_student"), (v) => v.length === 1);
      const save = (await calls(page, "plugin:dialog|save"))[0].options;
      assert.match(save.defaultPath, /^celina-\d{4}-\d{2}-\d{2}\.zip$/);
      assert.equal((await calls(page, "export_student"))[0].out, "/tmp/celina.zip");
      await poll(() => page.locator(tid("notice")).innerText(), (v) => /Exported to \/tmp\/celina\.zip/.test(v));
      assert.equal(await page.locator(tid("export-progress")).count(), 0);
    } finally {
      await context.close();
    }
  });
});

describe("mark unread", () => {
  test("the newest chat is unread again: the tile is back in the needs-attention list", async () => {
    const { page, context } = await openApp(env, {});
    try {
      await tile(page, "anna.nowak").locator("button").first().click();
      await page.locator(tid("student-view")).waitFor();
      await page.locator(tid("mark-unread")).click();
      await poll(() => calls(page, "mark_chat_unread"), (v) => v.length === 1);
      assert.match(await page.locator(tid("notice")).innerText(), /newest message from anna\.nowak is unread again/);
      await page.locator(tid("back-button")).click();
      await poll(() => tile(page, "anna.nowak").locator(tid("unread-badge")).count(), (n) => n === 1);
      // dawid never wrote: no button.
      await page.locator(tid("back-button")).count();
      await tile(page, "dawid").locator("button").first().click();
      await page.locator(tid("student-view")).waitFor();
      assert.equal(await page.locator(tid("mark-unread")).count(), 0);
    } finally {
      await context.close();
    }
  });
});

describe("long messages", () => {
  test("a clamped message opens in full on click; Escape closes it", async () => {
    const { page, context } = await openApp(env, { running: true });
    try {
      await tile(page, "anna.nowak").locator("button").first().click();
      await page.locator(tid("student-view")).waitFor();
      const anna = await idOf(page, "anna.nowak");
      const long = Array.from({ length: 40 }, (_, i) => `line ${i + 1} of a long question about modifiers`).join("\n");
      await push(page, { type: "chat", student: anna, login: "anna.nowak", id: "long", text: long });
      const row = page.locator(`${tid("timeline-list")} ${tid("chat-message")}`).first();
      await poll(() => row.innerText(), (v) => v.includes("line 1 of"));
      await row.locator(tid("chat-expand")).click();
      const full = page.locator(tid("chat-full"));
      await full.waitFor();
      assert.match(await full.innerText(), /line 40 of a long question/);
      await shot(page, "chat-full");
      await page.keyboard.press("Escape");
      assert.equal(await full.count(), 0);
      assert.equal(await page.locator(tid("student-view")).count(), 1, "Escape closed the message, not the student view");
    } finally {
      await context.close();
    }
  });
});

describe("empty class", () => {
  test("the hint names the class code when there is one", async () => {
    const { page, context } = await openApp(env, { students: [], settings: { class_code: "KOT-417" } });
    try {
      await page.locator(tid("grid-empty")).waitFor();
      assert.match(await page.locator(tid("grid-empty")).innerText(), /class code KOT-417/);
    } finally {
      await context.close();
    }
  });
});

describe("storage used", () => {
  test("per student in the student view and for the class in the grid header, growing live", async () => {
    const { page, context } = await openApp(env, { running: true });
    try {
      await page.locator(tid("class-bytes")).waitFor();
      // anna 6 shots + 1 blend, celina 4 + 2, … as the mock builds them: about 14 MB in all.
      assert.match(await page.locator(tid("class-bytes")).innerText(), /^1[0-9](\.\d)? MB$/);
      await tile(page, "celina").locator("button").first().click();
      assert.match(await page.locator(tid("student-bytes")).innerText(), /^7\.\d MB stored$/);
      const celina = await idOf(page, "celina");
      await push(page, { type: "file_stored", student: celina, login: "celina", kind: "blend", path: "celina-1/blends/x.blend", size: 10_000_000, sha256: "0" });
      await poll(() => page.locator(tid("student-bytes")).innerText(), (v) => /^17\.\d MB stored$/.test(v));
    } finally {
      await context.close();
    }
  });
});
