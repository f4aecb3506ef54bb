// Browser tests of the built UI (ui/dist) in Debian's Chromium, with the Tauri IPC mocked
// (tests/ui/harness.ts). Run: npm run build && node --test tests/ui/
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

describe("status bar", () => {
  test("start shows the addresses and counts; stop hides them", async () => {
    const { page, context, errors } = await openApp(env, { stats: { messages: 12, chats: 1, files: 4, bytes: 2_500_000, rejected: { bad_code: 2, too_large: 1 } } });
    try {
      assert.equal(await page.locator(tid("status-addresses")).count(), 0);
      await page.locator(tid("start-button")).click();
      const addresses = page.locator(tid("status-addresses"));
      await addresses.waitFor();
      // The WebDriver test of the real app looks for "on" in this class: keep it exact.
      assert.equal(await page.locator(tid("receiver-state")).getAttribute("class"), "state on");
      const text = await addresses.innerText();
      assert.match(text, /192\.168\.1\.23:5570/);
      assert.match(text, /10\.0\.0\.5:5570/);
      // Chat messages and files, as a lecturer counts them (not protocol messages), with plurals.
      assert.equal(await page.locator(tid("count-chats")).innerText(), "1");
      assert.match(await page.locator(tid("status-counts")).innerText(), /1 chat message\b.*4 files/s);
      // Known codes read as plain labels (the code stays in the title); an unknown one as it is.
      assert.match(await page.locator(tid("count-rejected")).innerText(), /bad_code 2.*files too large 1/s);
      assert.equal(await page.locator('[data-reason="too_large"]').getAttribute("title"), "too_large");
      // Copy puts the address on the clipboard.
      await addresses.locator("button").first().click();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "192.168.1.23:5570");
      // The join text, for pasting into the add-on (folded away: the header stays small), is copied whole.
      await page.locator(tid("join-toggle")).click();
      const join = page.locator(tid("status-join"));
      assert.match(await join.innerText(), /pracownia:\/\/192\.168\.1\.23:5570/);
      await join.locator("button").first().click();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "pracownia://192.168.1.23:5570");
      // Live stats from the receiver.
      await page.evaluate(() =>
        window.__mock.emit("pracownia://event", {
          type: "stats",
          stats: { messages: 40, chats: 9, files: 7, bytes: 9_000_000, online: 5, rejected: { bad_code: 3 }, events_dropped: 0 },
        }),
      );
      await poll(() => page.locator(tid("count-chats")).innerText(), (v) => v === "9");
      assert.equal(await page.locator(tid("count-files")).innerText(), "7");
      await shot(page, "running");
      // Generate a class code: it is saved.
      await page.locator(tid("stop-button")).click();
      await page.locator(tid("start-button")).waitFor();
      assert.equal(await page.locator(tid("status-addresses")).count(), 0);
      assert.equal(await page.locator(tid("receiver-state")).getAttribute("class"), "state");
      await page.locator(tid("generate-code")).click();
      await poll(() => page.locator(tid("class-code-input")).inputValue(), (v) => v === "KOT-417");
      const saved = await calls(page, "save_settings");
      assert.equal(saved.at(-1).settings.class_code, "KOT-417");
      // Started again with the code: it shows beside the addresses and inside the join text.
      await page.locator(tid("start-button")).click();
      await page.locator(tid("status-code")).waitFor();
      assert.match(await page.locator(tid("status-code")).innerText(), /KOT-417/);
      await page.locator(tid("join-toggle")).click();
      assert.match(await page.locator(tid("status-join")).innerText(), /pracownia:\/\/10\.0\.0\.5:5570\/KOT-417/);
      await page.locator(tid("stop-button")).click();
      await page.locator(tid("start-button")).waitFor();
      // Choose a store folder through the dialog.
      await page.evaluate(() => {
        window.__MOCK_CONFIG__.dialogResult = "/tmp/x";
      });
      await page.locator(tid("choose-store")).click();
      await poll(() => calls(page, "plugin:dialog|open"), (v) => v.length === 1);
      assert.equal((await calls(page, "plugin:dialog|open"))[0].options.directory, true);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("start_receiver failing with port_in_use shows the sentence of its kind", async () => {
    const message = "Port 5570 is already in use on 0.0.0.0. Close the other program using it or choose another port.";
    const { page, context } = await openApp(env, { failStart: { kind: "port_in_use", params: { port: "5570" }, message } });
    try {
      await page.locator(tid("start-button")).click();
      const err = page.locator(tid("error-message"));
      await err.waitFor();
      assert.equal(await err.innerText(), "Port 5570 is already used by another program on this computer. Close that program or choose another port.");
      assert.equal(await page.locator(tid("start-button")).count(), 1, "still stopped");
      await shot(page, "error");
      await page.locator(tid("error-dismiss")).click();
      assert.equal(await err.count(), 0);
      // An invalid port is refused by save_settings: its sentence appears too.
      await page.locator(tid("port-input")).fill("70000");
      await page.locator(tid("port-input")).press("Enter");
      await err.waitFor();
      assert.equal(await err.innerText(), "The port must be a number from 1 to 65535.");
    } finally {
      await context.close();
    }
  });
});

describe("class grid", () => {
  test("shows the students and follows events (chat, hand, screenshot, presence)", async () => {
    const { page, context, errors } = await openApp(env);
    try {
      await page.locator(tid("student-tile")).first().waitFor();
      assert.equal(await page.locator(tid("student-tile")).count(), 6);
      // Initial state from list_students.
      assert.equal(await tile(page, "bartek").locator(tid("hand-marker")).count(), 1);
      assert.equal(await tile(page, "bartek").locator(tid("unread-badge")).innerText(), "1");
      assert.equal(await tile(page, "celina").locator(tid("presence")).getAttribute("data-presence"), "idle");
      assert.equal(await page.locator(`${tid("student-tile")}[data-login="ewa"] ${tid("shared-badge")}`).count(), 2);
      assert.equal(await tile(page, "anna.nowak").locator(tid("unread-badge")).count(), 0);

      const anna = await idOf(page, "anna.nowak");
      await push(page, { type: "chat", student: anna, login: "anna.nowak", id: "m1", text: "How do I bevel?" });
      await tile(page, "anna.nowak").locator(tid("unread-badge")).waitFor();
      assert.equal(await tile(page, "anna.nowak").locator(tid("unread-badge")).innerText(), "1");
      await push(page, { type: "chat", student: anna, login: "anna.nowak", id: "m2", text: "Found it" });
      await poll(() => tile(page, "anna.nowak").locator(tid("unread-badge")).innerText(), (v) => v === "2");
      assert.equal(await page.locator(tid("inbox-unread")).innerText(), "5");

      await push(page, { type: "hand", student: anna, login: "anna.nowak", raised: true });
      await tile(page, "anna.nowak").locator(tid("hand-marker")).waitFor();
      const bartek = await idOf(page, "bartek");
      await push(page, { type: "hand", student: bartek, login: "bartek", raised: false });
      await tile(page, "bartek").locator(tid("hand-marker")).waitFor({ state: "detached" });

      const dawid = await idOf(page, "dawid");
      assert.equal(await tile(page, "dawid").locator("img").count(), 0);
      await push(page, { type: "student_joined", student: dawid, login: "dawid", blender: "4.5.0", host: "lab-12" });
      await poll(() => tile(page, "dawid").locator(tid("presence")).getAttribute("data-presence"), (v) => v === "online");
      await push(page, {
        type: "file_stored", student: dawid, login: "dawid", kind: "screenshot",
        path: "dawid-4/screenshots/00001.png", thumb: "dawid-4/thumbs/00001.png", size: 1000, sha256: "00",
      });
      const img = tile(page, "dawid").locator("img");
      await img.waitFor();
      assert.match(await img.getAttribute("src"), /\/__asset__\/home\/lecturer\/Pracownia\/class-1\/dawid-4\/thumbs\/00001\.png$/);
      await push(page, { type: "file_stored", student: dawid, login: "dawid", kind: "blend", path: "dawid-4/blends/a.blend", thumb: null, size: 10, sha256: "00" });
      await poll(() => tile(page, "dawid").locator(tid("last-blend")).innerText(), (v) => /^\.blend \d\d:\d\d$/.test(v));
      await push(page, { type: "student_idle", student: dawid, login: "dawid" });
      await poll(() => tile(page, "dawid").locator(tid("presence")).getAttribute("data-presence"), (v) => v === "idle");
      await push(page, { type: "student_left", student: dawid, login: "dawid", reason: "bye" });
      await poll(() => tile(page, "dawid").locator(tid("presence")).getAttribute("data-presence"), (v) => v === "offline");

      // A student never seen before gets a tile.
      await push(page, { type: "student_joined", student: "00000000-0000-4000-8000-000000000099", login: "zenon" });
      await tile(page, "zenon").waitFor();

      // An error event from the receiver appears as a sentence in the UI's language (by its fault).
      await page.evaluate(() =>
        window.__mock.emit("pracownia://event", { type: "error", at: 1, fault: "store_file", login: "zenon", message: "No space left on device (os error 28)" }),
      );
      await poll(
        () => page.locator(tid("error-message")).innerText().catch(() => ""),
        (v) => v === "A file from zenon could not be stored. Check that the disk has space, or choose another store folder.",
      );
      await page.locator(tid("error-dismiss")).click();
      await shot(page, "grid");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("filter by name and sort by name or activity", async () => {
    const { page, context } = await openApp(env);
    try {
      await page.locator(tid("student-tile")).first().waitFor();
      const logins = () => page.locator(tid("student-tile")).evaluateAll((els) => els.map((e) => e.dataset.login));
      assert.equal(await page.locator(tid("sort-select")).inputValue(), "attention", "needs attention is the default");
      await page.locator(tid("sort-select")).selectOption("name");
      assert.deepEqual(await logins(), ["anna.nowak", "bartek", "celina", "dawid", "ewa", "ewa"]);
      await page.locator(tid("filter-input")).fill("EW");
      assert.deepEqual(await logins(), ["ewa", "ewa"]);
      await page.locator(tid("filter-input")).fill("");
      await page.locator(tid("sort-select")).selectOption("activity");
      const celina = await idOf(page, "celina");
      await push(page, { type: "chat", student: celina, login: "celina", id: "x", text: "hi" });
      await poll(logins, (v) => v[0] === "celina");
      assert.equal((await logins())[0], "celina");
    } finally {
      await context.close();
    }
  });

  test("100 students: one event touches one tile", async () => {
    const students = Array.from({ length: 100 }, (_, i) => ({
      login: `s${String(i).padStart(3, "0")}`, shots: 2, chats: i % 3, presence: i % 5 ? "online" : "idle",
    }));
    const { page, context } = await openApp(env, { students, running: true });
    try {
      await page.locator(tid("student-tile")).nth(99).waitFor();
      assert.equal(await page.locator(tid("student-tile")).count(), 100);
      await page.locator(tid("sort-select")).selectOption("name");
      // Tiles keep their size in a grid that scrolls (they used to be squeezed to fit).
      const box = await tile(page, "s000").boundingBox();
      assert.ok(box.height > 150, `tile height ${box.height}`);
      // Count the tiles whose DOM changes for one chat (sorted by name, so no reordering).
      await page.evaluate(() => {
        window.__touched = new Set();
        const grid = document.querySelector('[data-testid="class-grid"]');
        new MutationObserver((ms) => {
          for (const m of ms) {
            const node = m.target.nodeType === 1 ? m.target : m.target.parentElement;
            if (node?.closest('[data-testid="last-shot"]')) continue; // the clock's "N min ago", not the event
            const el = node?.closest('[data-testid="student-tile"]');
            if (el) window.__touched.add(el.dataset.login);
            else window.__touched.add("(grid)");
          }
        }).observe(grid, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      const id = await idOf(page, "s042");
      await push(page, { type: "chat", student: id, login: "s042", id: "m", text: "x" });
      await tile(page, "s042").locator(tid("unread-badge")).waitFor();
      assert.deepEqual(await page.evaluate(() => [...window.__touched]), ["s042"]);
      // A burst of 500 events is absorbed quickly.
      const ms = await page.evaluate(async () => {
        const t0 = performance.now();
        for (let i = 0; i < 500; i++) {
          const n = i % 100;
          await window.__mock.emit("pracownia://event", {
            type: "hand", at: Date.now(), student: window.__mock.uuid(n + 1), login: "s" + String(n).padStart(3, "0"), raised: i < 400,
          });
        }
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        return performance.now() - t0;
      });
      console.log(`# 500 events on a 100-student grid: ${ms.toFixed(0)} ms`);
      assert.ok(ms < 3000, `took ${ms} ms`);
      assert.equal(await page.locator(tid("hand-marker")).count(), 0); // the last round lowers every hand
      await shot(page, "grid-100");
    } finally {
      await context.close();
    }
  });
});

describe("needs attention", () => {
  test("default order, header counts that filter the grid, and the window title", async () => {
    const NOW = Date.UTC(2026, 2, 3, 9, 0, 0);
    const students = [
      { login: "adam", shots: 1, presence: "online" },
      { login: "basia", shots: 1, chats: 1, unread: 1, unreadSince: NOW - 120_000, presence: "online" },
      { login: "cyryl", shots: 1, presence: "online", hand: true, handSince: NOW - 30_000 },
      { login: "daria", shots: 1, chats: 2, unread: 2, unreadSince: NOW - 600_000, presence: "online" },
      { login: "emil", shots: 1, presence: "idle", hand: true, handSince: NOW - 90_000 },
      { login: "filip", shots: 30, step: 100_000, presence: "online" }, // the most recent activity
    ];
    const { page, context, errors } = await openApp(env, { students, now: NOW, running: true });
    try {
      await page.locator(tid("student-tile")).nth(5).waitFor();
      const logins = () => page.locator(tid("student-tile")).evaluateAll((els) => els.map((e) => e.dataset.login));
      // Hands first (longest wait first), then unread chat (longest wait first), then the rest by name.
      assert.deepEqual(await logins(), ["emil", "cyryl", "daria", "basia", "adam", "filip"]);
      // "By activity" is still there, and puts the hands last here; back to needs attention.
      await page.locator(tid("sort-select")).selectOption("activity");
      assert.equal((await logins())[0], "filip");
      await page.locator(tid("sort-select")).selectOption("attention");
      const hands = page.locator(tid("count-hands"));
      const unread = page.locator(tid("count-unread-students"));
      assert.equal(await hands.innerText(), "✋ 2 hands");
      assert.equal(await hands.getAttribute("title"), "2 raised hands");
      assert.equal(await unread.innerText(), "💬 2 waiting");
      assert.equal(await unread.getAttribute("title"), "2 students with unread chat");
      assert.equal(await page.title(), "(4) Pracownia");
      assert.deepEqual((await calls(page, "plugin:window|set_title")).at(-1), { label: "main", value: "(4) Pracownia" });

      // A new hand goes behind the older ones; a chat from a quiet student joins the unread group.
      const adam = await idOf(page, "adam");
      await push(page, { type: "hand", student: adam, login: "adam", raised: true });
      await poll(logins, (v) => v[2] === "adam");
      assert.deepEqual(await logins(), ["emil", "cyryl", "adam", "daria", "basia", "filip"]);
      const filip = await idOf(page, "filip");
      await push(page, { type: "chat", student: filip, login: "filip", id: "f1", text: "Help?" });
      await poll(logins, (v) => v[5] === "filip" && v[3] === "daria");
      assert.deepEqual(await logins(), ["emil", "cyryl", "adam", "daria", "basia", "filip"]);
      assert.equal(await hands.getAttribute("data-count"), "3");
      assert.equal(await unread.getAttribute("data-count"), "3");
      await poll(() => page.title(), (v) => v === "(6) Pracownia");
      assert.equal(await page.title(), "(6) Pracownia");

      // The hands count shows only raised hands, in order; clicked again, everyone.
      await hands.click();
      await poll(logins, (v) => v.length === 3);
      assert.deepEqual(await logins(), ["emil", "cyryl", "adam"]);
      assert.equal(await page.locator(tid("only-filter")).getAttribute("data-only"), "hands");
      await shot(page, "attention-hands");
      // Answering a hand takes the student out of the list at once.
      await tile(page, "emil").locator(tid("hand-lower")).click();
      await poll(logins, (v) => v.length === 2);
      assert.deepEqual(await logins(), ["cyryl", "adam"]);
      await hands.click();
      await poll(logins, (v) => v.length === 6);
      assert.equal(await page.locator(tid("only-filter")).count(), 0);

      // The unread count works from another view too: it brings back the grid with those students.
      await page.locator(tid("inbox-button")).click();
      await page.locator(tid("class-grid")).waitFor({ state: "detached" });
      await unread.click();
      await page.locator(tid("class-grid")).waitFor();
      assert.deepEqual(await logins(), ["daria", "basia", "filip"]);
      // Opening a student reads their chat: back in the grid, they are no longer listed.
      await tile(page, "daria").locator("button.card-open").click();
      await page.locator(tid("student-view")).waitFor();
      await page.locator(tid("grid-button")).click();
      await poll(logins, (v) => v.length === 2);
      assert.deepEqual(await logins(), ["basia", "filip"]);
      await page.locator(tid("only-clear")).click();
      await poll(logins, (v) => v.length === 6);
      assert.equal(await unread.getAttribute("data-count"), "2");
      await poll(() => page.title(), (v) => v === "(4) Pracownia");

      // Polish, with its plural forms.
      await page.locator(tid("language-select")).selectOption("pl");
      await poll(() => hands.innerText(), (v) => v === "✋ 2 ręce");
      assert.equal(await hands.getAttribute("title"), "2 podniesione ręce");
      assert.equal(await unread.innerText(), "💬 2 czekają");
      assert.equal(await unread.getAttribute("title"), "2 osoby z nieprzeczytanym czatem");
      assert.equal(await page.locator(`${tid("sort-select")} option[value="attention"]`).innerText(), "Wymaga uwagi");
      await shot(page, "attention-pl");
      // Everyone answered: the plain title, no filter left with nobody in it.
      await page.locator(tid("stop-button")).click(); // a stopped receiver lowers every hand
      for (const login of ["basia", "filip"]) await tile(page, login).locator("button.card-open").click().then(() => page.locator(tid("grid-button")).click());
      await poll(() => page.title(), (v) => v === "Pracownia");
      assert.equal(await page.title(), "Pracownia");
      await hands.click();
      await page.locator(tid("only-empty")).waitFor();
      assert.equal(await page.locator(tid("only-empty")).innerText(), "Nikt nie podnosi teraz ręki.");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe("last screenshot", () => {
  test("each tile says when its last screenshot came, live, and flags an online student whose screenshots stopped", async () => {
    const T = Date.UTC(2026, 2, 3, 9, 0, 0);
    const students = [
      { login: "anna", shots: 1, shotAgo: 3 * 60_000 + 10_000, presence: "online" },
      { login: "bartek", shots: 1, shotAgo: 12 * 60_000, presence: "online" },
      { login: "celina", shots: 1, shotAgo: 2 * 3_600_000 + 60_000, presence: "offline" },
      { login: "dawid", shots: 0, presence: "online" },
    ];
    const { page, context, errors } = await openApp(env, { students, running: true }, undefined, { clockAt: T });
    try {
      await page.locator(tid("student-tile")).nth(3).waitFor();
      const shotOf = (login) => tile(page, login).locator(tid("last-shot"));
      assert.equal(await shotOf("anna").innerText(), "screenshot 3 minutes ago");
      assert.equal(await shotOf("anna").getAttribute("data-stale"), "false");
      assert.equal(await shotOf("bartek").innerText(), "screenshot 12 minutes ago");
      assert.equal(await shotOf("bartek").getAttribute("data-stale"), "true", "online, nothing new for 12 min");
      assert.match(await shotOf("bartek").getAttribute("title"), /stuck or sharing paused/);
      assert.equal(await shotOf("celina").innerText(), "screenshot 2 hours ago");
      assert.equal(await shotOf("celina").getAttribute("data-stale"), "false", "an offline student is not stuck");
      assert.equal(await shotOf("dawid").innerText(), "");
      // The clock moves on: anna's screenshot gets older and, past 5 minutes, stale.
      await page.clock.fastForward(2 * 60_000);
      await poll(() => shotOf("anna").innerText(), (v) => v === "screenshot 5 minutes ago");
      assert.equal(await shotOf("anna").innerText(), "screenshot 5 minutes ago");
      assert.equal(await shotOf("anna").getAttribute("data-stale"), "true");
      // A new screenshot: just now, not stale.
      const anna = await idOf(page, "anna");
      await push(page, {
        type: "file_stored", student: anna, login: "anna", kind: "screenshot",
        path: "anna-1/screenshots/new.png", thumb: null, size: 1000, sha256: "00",
      });
      await poll(() => shotOf("anna").innerText(), (v) => v === "screenshot just now");
      assert.equal(await shotOf("anna").getAttribute("data-stale"), "false");
      await page.clock.fastForward(61_000);
      await poll(() => shotOf("anna").innerText(), (v) => v === "screenshot 1 minute ago");
      assert.equal(await shotOf("anna").innerText(), "screenshot 1 minute ago");
      await shot(page, "last-screenshot");
      // Polish, with its plural forms.
      await page.locator(tid("language-select")).selectOption("pl");
      await poll(() => shotOf("anna").innerText(), (v) => v === "zrzut 1 minutę temu");
      assert.equal(await shotOf("bartek").innerText(), "zrzut 15 minut temu");
      assert.equal(await shotOf("celina").innerText(), "zrzut 2 godziny temu");
      await page.clock.fastForward(60_000);
      await poll(() => shotOf("anna").innerText(), (v) => v === "zrzut 2 minuty temu");
      assert.equal(await shotOf("anna").innerText(), "zrzut 2 minuty temu");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe("sharing paused", () => {
  test("tile and student view say 'paused' from the receiver's sharing events, not 'stuck'; a leave clears it", async () => {
    const students = [
      { login: "hania", shots: 1, shotAgo: 20 * 60_000, presence: "online", paused: true },
      { login: "igor", shots: 1, shotAgo: 20 * 60_000, presence: "online" },
    ];
    const { page, context, errors } = await openApp(env, { students, running: true });
    try {
      await page.locator(tid("student-tile")).nth(1).waitFor();
      const badge = (login) => tile(page, login).locator(tid("paused-badge"));
      // From list_students: hania is paused (so not flagged as stuck); igor's screenshots stopped.
      assert.equal(await badge("hania").innerText(), "⏸ sharing paused");
      assert.equal(await tile(page, "hania").locator(tid("last-shot")).getAttribute("data-stale"), "false");
      assert.equal(await badge("igor").count(), 0);
      assert.equal(await tile(page, "igor").locator(tid("last-shot")).getAttribute("data-stale"), "true");
      // igor pauses: the event alone changes the tile.
      const igor = await idOf(page, "igor");
      await push(page, { type: "sharing", student: igor, login: "igor", paused: true });
      await badge("igor").waitFor();
      assert.equal(await tile(page, "igor").locator(tid("last-shot")).getAttribute("data-stale"), "false");
      await shot(page, "sharing-paused");
      // The student view shows it from the same state.
      await tile(page, "igor").locator("button.card-open").click();
      await page.locator(tid("student-view")).waitFor();
      assert.equal(await page.locator(`${tid("student-view")} ${tid("paused-badge")}`).count(), 1);
      await push(page, { type: "sharing", student: igor, login: "igor", paused: false });
      await page.locator(`${tid("student-view")} ${tid("paused-badge")}`).waitFor({ state: "detached" });
      await page.locator(tid("back-button")).click();
      assert.equal(await badge("igor").count(), 0);
      // Polish; then hania leaves: offline, no longer paused.
      await page.locator(tid("language-select")).selectOption("pl");
      await poll(() => badge("hania").innerText(), (v) => v === "⏸ udostępnianie wstrzymane");
      const hania = await idOf(page, "hania");
      await push(page, { type: "student_left", student: hania, login: "hania", reason: "bye" });
      await badge("hania").waitFor({ state: "detached" });
      assert.equal(await tile(page, "hania").locator(tid("presence")).getAttribute("data-presence"), "offline");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe("student view", () => {
  test("timeline, viewer with arrow keys and Play, Open in Blender with Blender not found", async () => {
    const { page, context, errors } = await openApp(env, {
      blenderMissing: true,
      students: [{ login: "anna.nowak", shots: 8, chats: 3, blends: 2, unread: 2, presence: "online", incomplete: true }],
    });
    try {
      await tile(page, "anna.nowak").click();
      await page.locator(tid("student-view")).waitFor();
      await page.locator(tid("viewer-image")).waitFor();
      const anna = await idOf(page, "anna.nowak");
      assert.equal(await page.locator(tid("student-login")).innerText(), "anna.nowak");
      assert.equal(await page.locator(tid("timeline-screenshot")).count(), 8);
      assert.equal(await page.locator(`${tid("timeline-list")} ${tid("chat-message")}`).count(), 3);
      assert.equal(await page.locator(tid("timeline-blend")).count(), 2);
      assert.equal(await page.locator(tid("timeline-incomplete")).count(), 1);
      // Newest first.
      const ids = await page.locator(`${tid("timeline-list")} [data-id]`).evaluateAll((els) => els.map((e) => Number(e.dataset.id)));
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
      // Opening the conversation marked it read.
      assert.deepEqual(await calls(page, "mark_chat_read"), [{ student: anna }]);

      const pos = () => page.locator(tid("viewer-position")).innerText();
      const frame = () => page.locator(tid("viewer-image")).getAttribute("data-id");
      assert.equal(await pos(), "8 of 8");
      const newest = await frame();
      await shot(page, "student");
      await page.keyboard.press("ArrowLeft");
      await poll(pos, (v) => v === "7 of 8");
      assert.notEqual(await frame(), newest);
      await page.keyboard.press("ArrowLeft");
      await page.keyboard.press("ArrowLeft");
      await poll(pos, (v) => v === "5 of 8");
      await page.keyboard.press("ArrowRight");
      await poll(pos, (v) => v === "6 of 8");
      await page.locator(tid("viewer-prev")).click();
      await poll(pos, (v) => v === "5 of 8");
      // Clicking a thumbnail selects it.
      await page.locator(tid("timeline-screenshot")).first().click();
      await poll(pos, (v) => v === "8 of 8");
      // Play from the newest restarts from the oldest and runs to the newest.
      await page.locator(tid("viewer-play")).click();
      assert.equal(await page.locator(tid("viewer-play")).getAttribute("data-playing"), "true");
      const seen = new Set();
      await poll(async () => {
        seen.add(await pos());
        return page.locator(tid("viewer-play")).getAttribute("data-playing");
      }, (v) => v === "false", 8000);
      assert.ok(seen.size >= 4, `frames seen while playing: ${[...seen].join(", ")}`);
      assert.equal(await pos(), "8 of 8");

      // A new screenshot arrives live and the viewer follows it.
      await push(page, {
        type: "file_stored", student: anna, login: "anna.nowak", kind: "screenshot",
        path: "anna.nowak-1/screenshots/00099.png", thumb: "anna.nowak-1/thumbs/00099.png", size: 5, sha256: "0",
      });
      await poll(pos, (v) => v === "9 of 9");
      // A chat while the conversation is open is read at once.
      await push(page, { type: "chat", student: anna, login: "anna.nowak", id: "c", text: "Is this better?" });
      await poll(() => page.locator(`${tid("timeline-list")} ${tid("chat-message")}`).first().innerText(), (v) => v.includes("Is this better?"));
      await poll(() => calls(page, "mark_chat_read"), (v) => v.length === 2);

      // Open in Blender: not found → dialog → set_blender_path → retried.
      await page.locator(tid("open-in-blender")).first().click();
      await page.locator(tid("notice")).waitFor();
      const opens = await calls(page, "open_in_blender");
      assert.equal(opens.length, 2);
      assert.match(opens[0].path, /^anna\.nowak-1\/blends\/model-\d+\.blend$/);
      assert.deepEqual(await calls(page, "set_blender_path"), [{ path: "/opt/blender/blender" }]);
      assert.equal(await page.locator(tid("error-message")).count(), 0);
      await page.locator(tid("show-in-folder")).first().click();
      await poll(() => calls(page, "show_in_folder"), (v) => v.length === 1);

      await page.keyboard.press("Escape");
      await page.locator(tid("class-grid")).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("10,000 events: paged by before_id and virtualised", async () => {
    const { page, context } = await openApp(env, {
      students: [{ login: "maraton", filler: 10_000, step: 1000, presence: "online" }],
    });
    try {
      await tile(page, "maraton").click();
      await page.locator(tid("viewer-image")).waitFor();
      const rows = () => page.locator(`${tid("timeline-list")} [data-id], ${tid("timeline-list")} ${tid("timeline-hand")}`).count();
      assert.ok((await rows()) < 60, `rows in the DOM: ${await rows()}`);
      // Scroll to the end repeatedly: every page is loaded once, keyset by before_id.
      const t0 = Date.now();
      await poll(async () => {
        await page.locator(tid("timeline-list")).evaluate((el) => (el.scrollTop = el.scrollHeight));
        return page.locator(tid("timeline-count")).innerText();
      }, (v) => v === "10001 entries", 30000);
      console.log(`# scrolled through 10,001 entries in ${Date.now() - t0} ms`);
      assert.equal(await page.locator(tid("timeline-count")).innerText(), "10001 entries");
      assert.ok((await rows()) < 60, `rows in the DOM after scrolling: ${await rows()}`);
      // The timeline's pages (500 each); the conversation beside it reads its own one page of 300.
      const all = await calls(page, "timeline_page");
      assert.equal(all.filter((p) => p.limit === 300).length, 1);
      const pages = all.filter((p) => p.limit === 500);
      assert.equal(pages[0].before_id, null);
      assert.equal(pages.length, 21); // 500 a page
      for (let i = 1; i < pages.length; i++) assert.ok(pages[i].before_id < (pages[i - 1].before_id ?? Infinity));
      await page.locator(tid("timeline-list")).evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
      await shot(page, "timeline-10k");
    } finally {
      await context.close();
    }
  });
});

describe("chat inbox", () => {
  test("unread flow: inbox, open a student, badge clears, mark_chat_read invoked, nothing lost", async () => {
    const { page, context, errors } = await openApp(env);
    try {
      await page.locator(tid("student-tile")).first().waitFor();
      assert.equal(await page.locator(tid("inbox-unread")).innerText(), "3");
      await page.locator(tid("inbox-button")).click();
      await page.locator(tid("chat-inbox")).waitFor();
      const msgs = page.locator(tid("inbox-message"));
      await msgs.first().waitFor();
      assert.equal(await msgs.count(), 6);
      const unreadRows = await page.locator(`${tid("inbox-message")}.unread`).evaluateAll((els) => els.map((e) => e.dataset.login));
      assert.deepEqual(unreadRows.sort(), ["bartek", "ewa", "ewa"]);
      await shot(page, "inbox");

      // Three students write at once: all three arrive, newest first.
      const ids = await page.evaluate(() => ["anna.nowak", "celina", "dawid"].map((l) => window.__mock.studentId(l)));
      for (const [i, l] of ["anna.nowak", "celina", "dawid"].entries()) {
        await push(page, { type: "chat", student: ids[i], login: l, id: "n" + i, text: `message ${i}` });
      }
      await poll(() => msgs.count(), (n) => n === 9);
      const texts = await page.locator(`${tid("inbox-message")} ${tid("chat-message")}`).evaluateAll((els) => els.slice(0, 3).map((e) => e.textContent));
      assert.deepEqual(texts, ["message 2", "message 1", "message 0"]);
      assert.equal(await page.locator(tid("inbox-unread")).innerText(), "6");

      // Open ewa's conversation from the unread list.
      const ewa = await page.locator(`${tid("inbox-student")}[data-login="ewa"]`).first();
      const ewaId = await page.evaluate(() => window.__mock.studentId("ewa"));
      await ewa.click();
      await page.locator(tid("student-view")).waitFor();
      await poll(() => calls(page, "mark_chat_read"), (v) => v.length === 1);
      assert.deepEqual(await calls(page, "mark_chat_read"), [{ student: ewaId }]);
      await page.locator(tid("back-button")).click();
      await page.locator(tid("class-grid")).waitFor();
      const ewaTiles = page.locator(`${tid("student-tile")}[data-student="${ewaId}"]`);
      assert.equal(await ewaTiles.locator(tid("unread-badge")).count(), 0);
      assert.equal(await page.locator(tid("inbox-unread")).innerText(), "4");
      await page.locator(tid("inbox-button")).click();
      await msgs.first().waitFor();
      assert.equal(await page.locator(`${tid("inbox-message")}.unread[data-login="ewa"]`).count(), 0);
      assert.equal(await page.locator(`${tid("inbox-message")}.unread`).count(), 4);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe("language", () => {
  test("switching to Polish changes the visible strings and is saved", async () => {
    const { page, context } = await openApp(env, { running: true });
    try {
      await page.locator(tid("student-tile")).first().waitFor();
      assert.equal(await page.locator(tid("grid-button")).innerText(), "Class");
      await page.locator(tid("language-select")).selectOption("pl");
      await poll(() => page.locator(tid("grid-button")).innerText(), (v) => v === "Zajęcia");
      assert.equal(await page.locator(tid("stop-button")).innerText(), "Zatrzymaj");
      assert.equal(await page.locator(tid("filter-input")).getAttribute("placeholder"), "Filtruj po nazwie");
      assert.match(await page.locator(tid("status-addresses")).innerText(), /Studenci łączą się z/);
      assert.equal(await tile(page, "celina").locator(tid("presence")).innerText(), "bez aktywności");
      assert.equal(await page.evaluate(() => document.documentElement.lang), "pl");
      const saved = await calls(page, "save_settings");
      assert.equal(saved.at(-1).settings.language, "pl");
      await shot(page, "polish");
    } finally {
      await context.close();
    }
  });

  test("the saved language is used at start", async () => {
    const { page, context } = await openApp(env, { settings: { language: "pl" } });
    try {
      await poll(() => page.locator(tid("inbox-button")).innerText(), (v) => v.startsWith("Czat"));
      assert.equal(await page.locator(tid("language-select")).inputValue(), "pl");
    } finally {
      await context.close();
    }
  });
});
