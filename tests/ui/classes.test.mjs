// Classes in the built UI (Chromium, Tauri IPC mocked): the header's switcher, a new class and its
// refusals (English and Polish), switching that asks first while receiving, and the class dialog
// (retention saved or refused, what thinning would remove with real plurals, Thin now after a
// confirmation and never while receiving, storage per class and per student).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { calls, openApp, poll, setup, shot, tid, tile } from "./helpers.mjs";

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

const two = [
  { folder: "class-1", name: "Class 1" },
  { folder: "grupa-2", name: "Grupa 2", bytes: 5_000_000 },
];
const options = (page) =>
  page.locator(`${tid("class-switcher")} option`).evaluateAll((els) => els.map((o) => [o.value, o.textContent.trim()]));
const switcherValue = (page) => page.locator(tid("class-switcher")).inputValue();

/** The English phrases (two words or more) of the class strings in ui/src/lib/i18n.ts, which the
 * Polish UI must not show (as tests/ui/language_viewer_compare.test.mjs does for the whole catalogue). */
function englishPhrases() {
  const src = fs.readFileSync(new URL("../../ui/src/lib/i18n.ts", import.meta.url), "utf8");
  const en = src.slice(0, src.indexOf("\nconst pl: Catalogue"));
  const rx = /^ {2}"((?:classes|retention|thin|storage)\.[\w.]+)": "((?:[^"\\]|\\.)*)",$/gm;
  const phrases = [];
  for (const m of en.matchAll(rx)) {
    for (const part of JSON.parse(`"${m[2]}"`).split(/\{\w+\}/)) {
      const p = part.replace(/^[\s.,:;()“”„—–-]+|[\s.,:;()“”„—–-]+$/g, "");
      if (p.split(/\s+/).length >= 2 && p.length >= 6) phrases.push(p);
    }
  }
  assert.ok(phrases.length > 20 && phrases.includes("Thin out old screenshots"), "the phrases are read");
  return phrases;
}

/** English class phrases in the page's text, titles, placeholders and labels. */
async function english(page) {
  const text = await page.evaluate(() => {
    const attrs = [...document.querySelectorAll("[title],[placeholder],[aria-label]")].flatMap((el) =>
      ["title", "placeholder", "aria-label"].map((a) => el.getAttribute(a) ?? ""),
    );
    return [document.body.innerText, ...attrs].join("\n");
  });
  return englishPhrases().filter((p) => text.includes(p));
}

describe("the class switcher", () => {
  test("lists the classes; a new class is made (Enter works), a duplicate is refused in the dialog", async () => {
    const { page, context, errors } = await openApp(env, {});
    try {
      await poll(() => options(page), (o) => o.length === 2);
      assert.deepEqual(await options(page), [["class-1", "Class 1"], ["*new", "New class…"]]);
      assert.equal(await switcherValue(page), "class-1");

      await page.locator(tid("class-switcher")).selectOption("*new");
      const dialog = page.locator(tid("new-class-dialog"));
      await dialog.waitFor();
      assert.equal(await switcherValue(page), "class-1", "the switcher still shows the current class");
      await page.locator(tid("new-class-name")).fill("Grupa 2");
      await page.locator(tid("new-class-name")).press("Enter");
      await page.locator(tid("new-class-created")).waitFor();
      assert.deepEqual(await calls(page, "create_class"), [{ name: "Grupa 2" }]);
      await poll(() => options(page), (o) => o.length === 3);
      assert.deepEqual(await options(page), [["class-1", "Class 1"], ["grupa-2", "Grupa 2"], ["*new", "New class…"]]);
      // Made, not switched to: the dialog offers it.
      assert.match(await page.locator(tid("new-class-switch")).innerText(), /Switch to Grupa 2/);
      assert.match(await page.locator(tid("new-class-stay")).innerText(), /Stay in Class 1/);
      await shot(page, "new-class");
      await page.locator(tid("new-class-stay")).click();
      await poll(() => dialog.count(), (n) => n === 0);
      assert.deepEqual(await calls(page, "switch_class"), []);

      // The same name (in other letters' case) again: the refusal's sentence, in the dialog.
      await page.locator(tid("class-switcher")).selectOption("*new");
      await page.locator(tid("new-class-name")).fill("grupa 2");
      await page.locator(tid("new-class-create")).click();
      const err = page.locator(tid("new-class-error"));
      await err.waitFor();
      assert.equal(await err.innerText(), "There is already a class called “grupa 2”.");
      assert.equal(await page.locator(tid("error-message")).count(), 0, "not on the app's error line");
      // From the dialog, switching to the new class (stopped: at once).
      await page.locator(tid("new-class-name")).fill("Grupa 3");
      await page.locator(tid("new-class-create")).click();
      await page.locator(tid("new-class-switch")).click();
      await poll(() => calls(page, "switch_class"), (c) => c.length === 1);
      assert.deepEqual(await calls(page, "switch_class"), [{ folder: "grupa-3" }]);
      await poll(() => switcherValue(page), (v) => v === "grupa-3");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("in Polish: the refusals' sentences, the new-class option and the confirmation", async () => {
    const { page, context } = await openApp(env, {
      running: true,
      settings: { language: "pl" },
      classes: [{ folder: "grupa-1", name: "Grupa 1" }, { folder: "grupa-2", name: "Grupa 2" }],
    });
    try {
      await poll(() => options(page), (o) => o.length === 3);
      assert.deepEqual((await options(page)).at(-1), ["*new", "Nowa grupa…"]);
      await page.locator(tid("class-switcher")).selectOption("*new");
      await page.locator(tid("new-class-name")).fill("Grupa 2");
      await page.locator(tid("new-class-create")).click();
      const err = page.locator(tid("new-class-error"));
      await err.waitFor();
      assert.equal(await err.innerText(), "Grupa o nazwie „Grupa 2” już istnieje.");
      await page.locator(tid("new-class-name")).fill("   ");
      await page.locator(tid("new-class-create")).click();
      await poll(() => err.innerText().catch(() => ""), (v) => v.startsWith("Nazwa grupy"));
      assert.equal(await err.innerText(), "Nazwa grupy ma od 1 do 64 znaków, bez podziału wiersza.");
      assert.deepEqual(await english(page), []);
      await shot(page, "new-class-pl");
      await page.keyboard.press("Escape");
      await poll(() => page.locator(tid("new-class-dialog")).count(), (n) => n === 0);
      await page.locator(tid("class-switcher")).selectOption("grupa-2");
      const confirm = page.locator(tid("switch-class-confirm"));
      await confirm.waitFor();
      assert.match(await confirm.innerText(), /Przełączyć na: Grupa 2\?\s+Odbiór dla grupy Grupa 1 zostanie zatrzymany\./);
      assert.deepEqual(await english(page), []);
      await page.locator(tid("switch-class-cancel")).click();
      assert.deepEqual(await calls(page, "switch_class"), []);
    } finally {
      await context.close();
    }
  });

  test("while receiving, switching asks first: Cancel keeps the class, OK switches, stops and reloads the students", async () => {
    const { page, context, errors } = await openApp(env, { running: true, classes: two });
    try {
      await tile(page, "bartek").waitFor();
      await poll(() => options(page), (o) => o.length === 3);
      // An open student view goes back to the grid after the switch.
      await tile(page, "bartek").locator("button").first().click();
      await page.locator(tid("student-view")).waitFor();
      const listed = (await calls(page, "list_students")).length;

      await page.locator(tid("class-switcher")).selectOption("grupa-2");
      const confirm = page.locator(tid("switch-class-confirm"));
      await confirm.waitFor();
      const text = await confirm.innerText();
      assert.match(text, /Switch to Grupa 2\?/);
      assert.match(text, /Receiving for Class 1 stops\./);
      // Opened from the header, the dialog must not inherit its nowrap: the text wraps inside.
      assert.ok(await confirm.evaluate((e) => e.scrollWidth <= e.clientWidth + 1), "the text stays inside the dialog");
      assert.equal(await switcherValue(page), "class-1");
      await shot(page, "switch-class-confirm");
      await page.locator(tid("switch-class-cancel")).click();
      await poll(() => confirm.count(), (n) => n === 0);
      assert.deepEqual(await calls(page, "switch_class"), []);
      assert.equal(await switcherValue(page), "class-1");
      assert.equal(await page.locator(tid("receiver-state")).getAttribute("data-running"), "true");

      await page.locator(tid("class-switcher")).selectOption("grupa-2");
      await confirm.waitFor();
      await page.locator(tid("switch-class-ok")).click();
      await poll(() => calls(page, "switch_class"), (c) => c.length === 1);
      assert.deepEqual(await calls(page, "switch_class"), [{ folder: "grupa-2" }]);
      await poll(() => calls(page, "list_students"), (c) => c.length > listed);
      await poll(() => page.locator(tid("receiver-state")).getAttribute("data-running"), (v) => v === "false");
      // The other class has nobody yet: the grid's empty line, no view of a student of the first.
      await page.locator(tid("grid-empty")).waitFor();
      assert.equal(await page.locator(tid("student-view")).count(), 0);
      await poll(() => tile(page, "bartek").count(), (n) => n === 0);
      assert.equal(await switcherValue(page), "grupa-2");
      assert.match(await page.locator(tid("notice")).innerText(), /Now showing the class Grupa 2/);

      // Stopped: no question, the switch happens at once.
      await page.locator(tid("class-switcher")).selectOption("class-1");
      await poll(() => calls(page, "switch_class"), (c) => c.length === 2);
      assert.equal(await confirm.count(), 0);
      assert.deepEqual((await calls(page, "switch_class"))[1], { folder: "class-1" });
      await tile(page, "bartek").waitFor();
      assert.equal(await switcherValue(page), "class-1");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe("the class dialog", () => {
  test("retention saved (and refused), what thinning would remove, Thin now after a confirmation, storage per class and student", async () => {
    const { page, context, errors } = await openApp(env, { classes: two });
    try {
      await tile(page, "celina").waitFor();
      await page.locator(tid("class-settings-button")).click();
      const dialog = page.locator(tid("class-dialog"));
      await dialog.waitFor();
      assert.match(await dialog.locator("h3").innerText(), /Class 1/);
      const preview = page.locator(tid("thin-preview"));
      await preview.waitFor();
      assert.equal(await preview.innerText(), "Nothing is thinned out: every file is kept.");
      assert.equal(await page.locator(tid("thin-now")).isDisabled(), true);

      // Storage: every class, and this class's students, the largest first.
      const classRows = page.locator(tid("class-usage-row"));
      await poll(() => classRows.count(), (n) => n === 2);
      assert.match(await classRows.nth(0).innerText(), /Class 1 \(this class\)\s+\d+(\.\d)? MB/);
      assert.match(await classRows.nth(1).innerText(), /Grupa 2\s+4\.8 MB/);
      const studentRows = page.locator(tid("student-usage-row"));
      assert.equal(await studentRows.count(), 6);
      const logins = await studentRows.evaluateAll((els) => els.map((e) => e.dataset.login));
      assert.equal(logins[0], "celina", "two .blend files: the most space");
      assert.equal(logins.at(-1), "dawid");
      assert.match(await studentRows.first().innerText(), /celina\s+7\.\d MB/);

      // Switched on and saved: the preview follows.
      await page.locator(tid("retention-screens")).check();
      await page.locator(tid("retention-screen-days")).fill("14");
      await page.locator(tid("retention-every-min")).fill("5");
      await page.locator(tid("retention-blends")).check();
      await page.locator(tid("retention-blend-days")).fill("30");
      await page.locator(tid("retention-save")).click();
      await page.locator(tid("retention-saved")).waitFor();
      assert.deepEqual(await calls(page, "save_retention"), [{ retention: { screenshot_days: 14, screenshot_every_min: 5, blend_days: 30 } }]);
      await poll(() => preview.innerText(), (v) => v.startsWith("Thinning would"));
      assert.equal(await preview.innerText(), "Thinning would remove 12 screenshots and 3 .blend versions (45 MB).");

      // Refused (0 days): the sentence in the dialog, nothing saved.
      await page.locator(tid("retention-screen-days")).fill("0");
      await page.locator(tid("retention-save")).click();
      const err = page.locator(tid("retention-error"));
      await err.waitFor();
      assert.equal(await err.innerText(), "Keep files for 1 to 3650 days, and one screenshot per 1 to 1440 minutes.");
      assert.equal(await page.locator(tid("retention-saved")).count(), 0);
      await page.locator(tid("retention-screen-days")).fill("14");

      // Thin now asks first; Cancel deletes nothing.
      const thinNow = page.locator(tid("thin-now"));
      assert.equal(await thinNow.isDisabled(), false);
      await thinNow.click();
      const confirm = page.locator(tid("thin-confirm"));
      await confirm.waitFor();
      assert.match(await confirm.innerText(), /Delete 12 screenshots and 3 \.blend versions \(45 MB\) for good\?/);
      await shot(page, "class-dialog");
      assert.ok((await english(page)).length > 5, "the scan finds English where there is English");
      await page.locator(tid("thin-confirm-cancel")).click();
      await poll(() => confirm.count(), (n) => n === 0);
      assert.deepEqual(await calls(page, "thin_now"), []);
      await thinNow.click();
      await page.locator(tid("thin-confirm-ok")).click();
      await page.locator(tid("thin-done")).waitFor();
      assert.equal((await calls(page, "thin_now")).length, 1);
      assert.equal(await page.locator(tid("thin-done")).innerText(), "Removed 12 screenshots and 3 .blend versions (45 MB).");
      await poll(() => preview.innerText(), (v) => v === "Thinning would remove nothing now.");
      assert.equal(await thinNow.isDisabled(), true);
      assert.ok((await calls(page, "class_usage")).length >= 2, "the storage figures are read again");
      await page.locator(tid("class-dialog-close")).click();
      await poll(() => dialog.count(), (n) => n === 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("in Polish: Thin now is disabled while receiving (the reason shown), then the preview with Polish plurals", async () => {
    const { page, context, errors } = await openApp(env, {
      running: true,
      classes: [{ folder: "grupa-1", name: "Grupa 1" }],
      settings: { language: "pl" },
      retention: { screenshot_days: 14, screenshot_every_min: 10, blend_days: 30 },
      thin: { screenshots: 22, blends: 1, bytes: 3 * 1024 * 1024 },
    });
    try {
      await tile(page, "celina").waitFor();
      const open = async () => {
        await page.locator(tid("class-settings-button")).click();
        await page.locator(tid("class-dialog")).waitFor();
      };
      const close = async () => {
        await page.locator(tid("class-dialog-close")).click();
        await poll(() => page.locator(tid("class-dialog")).count(), (n) => n === 0);
      };
      await open();
      const reason = page.locator(tid("thin-stopped"));
      await reason.waitFor();
      assert.match(await reason.innerText(), /^Zatrzymaj odbiór, aby przerzedzić teraz/);
      assert.equal(await page.locator(tid("thin-now")).isDisabled(), true);
      assert.match(await page.locator(tid("thin-now")).getAttribute("title"), /^Zatrzymaj odbiór/);
      assert.equal(await page.locator(tid("retention-screens")).isChecked(), true);
      assert.deepEqual(await calls(page, "thin_preview"), [], "not asked while receiving");
      assert.deepEqual(await english(page), []);
      await shot(page, "class-dialog-pl-running");
      await close();

      await page.locator(tid("stop-button")).click();
      await page.locator(tid("start-button")).waitFor();
      await open();
      const preview = page.locator(tid("thin-preview"));
      await preview.waitFor();
      assert.equal(await preview.innerText(), "Przerzedzanie usunie: 22 zrzuty i 1 wersja .blend (3,0 MB).");
      assert.equal(await page.locator(tid("thin-now")).isDisabled(), false);
      await page.locator(tid("thin-now")).click();
      await page.locator(tid("thin-confirm")).waitFor();
      assert.deepEqual(await english(page), []);
      await close();
      for (const [thin, text] of [
        [{ screenshots: 5, blends: 2, bytes: 1024 * 1024 }, "5 zrzutów i 2 wersje .blend"],
        [{ screenshots: 1, blends: 5, bytes: 1024 * 1024 }, "1 zrzut i 5 wersji .blend"],
      ]) {
        await page.evaluate((t) => window.__mock.setThin(t), thin);
        await open();
        await poll(() => preview.innerText().catch(() => ""), (v) => v.includes(text));
        assert.match(await preview.innerText(), new RegExp(`^Przerzedzanie usunie: ${text.replace(".", "\\.")} \\(1,0 MB\\)\\.$`));
        await close();
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
