// Browser tests of the wording and the viewing (issue 10's later parts): wrong-code senders named in
// the header, errors and the whole UI in the chosen language, the screenshot viewer and the minimum
// window, compare, and notices of what happened out of view. Run: npm run build && node --test tests/ui/
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { calls, idOf, openApp, poll, push, setup, shot, tid, tile } from "./helpers.mjs";

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

const stats = (extra) => ({ messages: 40, chats: 0, files: 0, bytes: 0, online: 0, rejected: {}, events_dropped: 0, wrong_code: [], ...extra });

describe("wrong class code", () => {
  test("the header names who uses a wrong code (plurals, inert names, the rest in the title) instead of a bare count", async () => {
    const now = Date.UTC(2026, 2, 3, 9, 31, 5);
    const { page, context, errors } = await openApp(env, { running: true });
    try {
      await page.locator(tid("status-counts")).waitFor();
      const emit = (s) => page.evaluate((st) => window.__mock.emit("pracownia://event", { type: "stats", stats: st }), s);
      // Refused but nobody could be named (garbage headers): the bare labelled count stays.
      await emit(stats({ rejected: { bad_mac: 2 } }));
      await poll(() => page.locator(tid("count-rejected")).count(), (n) => n === 1);
      assert.match(await page.locator(tid("count-rejected")).innerText(), /wrong class code 2/);
      assert.equal(await page.locator(tid("wrong-code")).count(), 0);
      const senders = [
        { login: "anna", host: "lab-07", count: 12, last: now },
        { login: "bartek", host: null, count: 3, last: now - 1000 },
        { login: "x\\u{1b}]0;owned\\u{7}", host: null, count: 1, last: now - 2000 },
        { login: "<b>dawid</b>", host: "<i>pc</i>", count: 1, last: now - 3000 },
      ];
      await emit(stats({ rejected: { bad_mac: 17, too_large: 1 }, wrong_code: senders }));
      const line = page.locator(tid("wrong-code"));
      await line.waitFor();
      assert.equal(await line.innerText(), "⚠ 4 students are using a wrong class code: anna, bartek, x\\u{1b}]0;owned\\u{7}, …");
      const title = await line.getAttribute("title");
      assert.match(title, /anna on lab-07 \(12 refused, last \d\d:\d\d:\d\d\)/);
      // Markup in a login is text, never HTML.
      assert.match(title, /<b>dawid<\/b> on <i>pc<\/i>/);
      assert.equal(await page.locator("header b:text-is('dawid')").count(), 0);
      // The bad_mac count is replaced by the names; other refusals stay.
      const rejected = await page.locator(tid("count-rejected")).innerText();
      assert.doesNotMatch(rejected, /wrong class code/);
      assert.match(rejected, /files too large 1/);
      await shot(page, "wrong-code-en");
      // One sender: singular. Polish plurals: 1 osoba, 2 osoby, 5 osób.
      await emit(stats({ rejected: { bad_mac: 1 }, wrong_code: senders.slice(0, 1) }));
      await poll(() => line.innerText(), (t) => t.includes("1 student is"));
      assert.equal(await line.innerText(), "⚠ 1 student is using a wrong class code: anna");
      await page.locator(tid("language-select")).selectOption("pl");
      await poll(() => line.innerText(), (t) => t.includes("osoba"));
      assert.equal(await line.innerText(), "⚠ 1 osoba używa złego kodu zajęć: anna");
      await emit(stats({ rejected: { bad_mac: 5 }, wrong_code: senders.slice(0, 2) }));
      await poll(() => line.innerText(), (t) => t.includes("2 osoby"));
      assert.equal(await line.innerText(), "⚠ 2 osoby używają złego kodu zajęć: anna, bartek");
      const five = ["a", "b", "c", "d", "e"].map((l, i) => ({ login: l, host: null, count: 1, last: now - i }));
      await emit(stats({ rejected: { bad_mac: 5 }, wrong_code: five }));
      await poll(() => line.innerText(), (t) => t.includes("5 osób"));
      assert.equal(await line.innerText(), "⚠ 5 osób używa złego kodu zajęć: a, b, c, …");
      assert.match(await line.getAttribute("title"), /^Ich wiadomości zostały odrzucone/);
      await shot(page, "wrong-code-pl");
      // Everyone fixed their code: the line goes away.
      await emit(stats({ rejected: { bad_mac: 5 }, wrong_code: [] }));
      await poll(() => line.count(), (n) => n === 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

/** The English catalogue's phrases that must not appear in the Polish UI: the literal parts of
 * every English sentence that differs from its Polish one, two words or more (single words such
 * as "Port" or "Blender" are the same in both languages). Read from ui/src/lib/i18n.ts. */
function englishPhrases() {
  const src = fs.readFileSync(new URL("../../ui/src/lib/i18n.ts", import.meta.url), "utf8");
  const split = src.indexOf("\nconst pl: Catalogue");
  const entries = (text) => new Map([...text.matchAll(/^ {2}"([\w.]+)": "((?:[^"\\]|\\.)*)",$/gm)].map((m) => [m[1], JSON.parse(`"${m[2]}"`)]));
  const en = entries(src.slice(0, split));
  const pl = entries(src.slice(split));
  assert.ok(en.size > 200 && pl.size === en.size, `catalogues read: ${en.size} en, ${pl.size} pl`);
  const phrases = new Set();
  for (const [key, value] of en) {
    if (pl.get(key) === value) continue;
    for (const part of value.split(/\{\w+\}/)) {
      const p = part.replace(/^[\s.,:;()“”„—–-]+|[\s.,:;()“”„—–-]+$/g, "");
      if (p.split(/\s+/).length >= 2 && p.length >= 6) phrases.add(p);
    }
  }
  return [...phrases];
}

/** Visible text plus titles, placeholders and labels of the page, for the scan. */
const pageText = (page) =>
  page.evaluate(() => {
    const attrs = [...document.querySelectorAll("[title],[placeholder],[aria-label],[alt]")].flatMap((el) =>
      ["title", "placeholder", "aria-label", "alt"].map((a) => el.getAttribute(a) ?? ""),
    );
    return [document.body.innerText, ...attrs].join("\n");
  });

function untranslated(text, phrases) {
  return phrases.filter((p) => text.includes(p));
}

describe("errors in the UI's language", () => {
  test("a Rust error is worded from its kind and parameters, rewords on a language change, without jargon", async () => {
    const failStart = {
      kind: "port_in_use",
      params: { port: "5570" },
      message: "Port 5570 is already in use on 0.0.0.0. Close the other program using it or choose another port.",
    };
    const { page, context, errors } = await openApp(env, { settings: { language: "pl" }, failStart });
    try {
      await page.locator(tid("start-button")).click();
      const err = page.locator(tid("error-message"));
      await err.waitFor();
      assert.equal(await err.getAttribute("data-kind"), "port_in_use");
      assert.equal(await err.innerText(), "Port 5570 jest już używany przez inny program na tym komputerze. Zamknij ten program albo wybierz inny port.");
      assert.doesNotMatch(await err.innerText(), /0\.0\.0\.0/);
      await page.locator(tid("language-select")).selectOption("en");
      await poll(() => err.innerText(), (t) => t.startsWith("Port 5570 is already used"));
      await page.locator(tid("language-select")).selectOption("pl");
      // The store error tells the lecturer to choose another folder.
      await page.evaluate(() => {
        window.__MOCK_CONFIG__.failStart = { kind: "store_not_writable", params: { path: "/mnt/ro/Pracownia" }, message: "The store folder /mnt/ro/Pracownia is not writable: Permission denied (os error 13)" };
      });
      await page.locator(tid("error-dismiss")).click();
      await page.locator(tid("start-button")).click();
      await poll(() => err.innerText().catch(() => ""), (t) => t.includes("/mnt/ro"));
      assert.equal(await err.innerText(), "Pracownia nie może zapisywać w folderze /mnt/ro/Pracownia. Wybierz inny folder.");
      await shot(page, "error-pl");
      // A kind from a newer backend: said to be a problem, in Polish, with the backend's words.
      await page.evaluate(() => {
        window.__MOCK_CONFIG__.failStart = { kind: "from_the_future", message: "Future." };
      });
      await page.locator(tid("error-dismiss")).click();
      await page.locator(tid("start-button")).click();
      await poll(() => err.innerText().catch(() => ""), (t) => t.includes("Future"));
      assert.equal(await err.innerText(), "Coś poszło nie tak: Future.");
      assert.deepEqual(errors.filter((e) => !/from_the_future|store_not_writable|port_in_use/.test(e)), []);
    } finally {
      await context.close();
    }
  });

  test("the rendered Polish UI has no English sentence from the catalogue (grid, header, student view, inbox, dialogs, errors)", async () => {
    const phrases = englishPhrases();
    assert.ok(phrases.includes("Students connect to") && phrases.includes("students are using a wrong class code"), "the scan list is the catalogue's");
    const now = Date.now();
    const wrong_code = [{ login: "anna", host: "lab-07", count: 3, last: now }, { login: "bartek", host: null, count: 1, last: now }];
    const { page, context } = await openApp(env, {
      running: true,
      settings: { language: "pl", class_code: "KOT-417" },
      stats: { messages: 40, chats: 3, files: 7, bytes: 9_000_000, online: 4, rejected: { bad_mac: 4, too_large: 1, rate_limited: 2 }, wrong_code },
    });
    const seen = [];
    const scan = async (where) => {
      const text = await pageText(page);
      seen.push(where);
      assert.deepEqual(untranslated(text, phrases), [], `English in the Polish UI (${where})`);
    };
    try {
      await page.locator(tid("student-tile")).first().waitFor();
      await page.locator(tid("wrong-code")).waitFor();
      // The self-check: the same scan finds English in the English UI.
      await page.locator(tid("language-select")).selectOption("en");
      await poll(() => page.locator(tid("grid-button")).innerText(), (v) => v === "Class");
      assert.ok(untranslated(await pageText(page), phrases).length > 5, "the scan finds English where there is English");
      await page.locator(tid("language-select")).selectOption("pl");
      await poll(() => page.locator(tid("grid-button")).innerText(), (v) => v === "Zajęcia");
      await scan("grid");
      await page.locator(tid("broadcast-button")).click();
      await page.locator(tid("broadcast-box")).waitFor();
      await scan("message everyone dialog");
      await page.keyboard.press("Escape");
      await poll(() => page.locator(tid("broadcast-box")).count(), (n) => n === 0);
      await page.locator(tid("collect-button")).click();
      await page.locator(tid("collect-run")).waitFor();
      await scan("collect dialog");
      await page.keyboard.press("Escape");
      await poll(() => page.locator(tid("collect-run")).count(), (n) => n === 0);
      await page.locator(tid("count-hands")).click();
      await scan("only raised hands");
      await page.locator(tid("count-hands")).click();
      await page.locator(`${tid("student-tile")}[data-login="bartek"]`).click();
      await page.locator(tid("student-view")).waitFor();
      await page.locator(tid("viewer-image")).waitFor();
      await scan("student view");
      await page.locator(tid("inbox-button")).click();
      await poll(() => page.locator(tid("student-view")).count(), (n) => n === 0);
      await scan("inbox");
      await page.locator(tid("grid-button")).click();
      await page.locator(tid("compare-button")).click();
      await page.locator(tid("compare-hint")).waitFor();
      await scan("compare");
      await page.locator(tid("grid-button")).click();
      await page.locator(tid("stop-button")).click();
      await page.locator(tid("start-button")).waitFor();
      await scan("stopped");
      // Every error kind the UI knows, one after another on the error line.
      await page.evaluate(() => {
        window.__MOCK_CONFIG__.failStart = { kind: "cannot_listen", params: { port: "80" }, message: "Cannot listen on tcp://0.0.0.0:80: Permission denied" };
      });
      await page.locator(tid("start-button")).click();
      await page.locator(tid("error-message")).waitFor();
      await scan("error line");
      assert.doesNotMatch(await page.locator(tid("error-message")).innerText(), /0\.0\.0\.0|tcp:/);
      await shot(page, "polish-scan");
      assert.equal(seen.length, 9);
    } finally {
      await context.close();
    }
  });
});

/** What at 900×600 wraps onto a second line, is cut or leaves the window: every text in the
 * header, the grid's tools, a tile's buttons, the student view's head, timeline and viewer controls. */
const layoutProblems = (page) =>
  page.evaluate(() => {
    const problems = [];
    const scopes = ["header.bar", ".tools", ".actions", ".head", ".controls", ".tl-list .row:not(.chat)", ".tl-head", ".caption", ".bar"];
    const els = new Set();
    for (const s of scopes) for (const el of document.querySelectorAll(s)) els.add(el);
    const name = (el) => el.dataset.testid ?? `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`;
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const st = getComputedStyle(el);
      return r.width > 1 && r.height > 1 && st.visibility !== "hidden"; // not the 1 px screen-reader text
    };
    for (const scope of els) {
      if (!visible(scope)) continue;
      const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent.trim() || !n.parentElement || !visible(n.parentElement)) continue;
        if (n.parentElement.closest(".bubble, .join")) continue; // chat is clamped to two lines by design; the join list is a popover
        const range = document.createRange();
        range.selectNodeContents(n);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) problems.push(`wraps: "${n.textContent.trim()}" in ${name(n.parentElement)}`);
      }
      for (const el of scope.querySelectorAll("button, select, input, label, span, b, small, h1, h2, code")) {
        if (!visible(el) || el.closest(".join")) continue;
        const r = el.getBoundingClientRect();
        const sr = scope.getBoundingClientRect();
        if (r.right > sr.right + 0.5 || r.left < sr.left - 0.5) problems.push(`out of ${name(scope)}: ${name(el)} (${Math.round(r.right)} > ${Math.round(sr.right)})`);
        if (r.right > window.innerWidth + 0.5 || r.left < -0.5) problems.push(`outside the window: ${name(el)} (${Math.round(r.left)}–${Math.round(r.right)})`);
        if (r.bottom > window.innerHeight + 0.5) problems.push(`below the window: ${name(el)}`);
        // A text field scrolls its text (the store path is in its title): not counted as cut.
        const clips = el.tagName !== "INPUT" && (el.tagName === "BUTTON" || el.tagName === "SELECT" || getComputedStyle(el).overflowX !== "visible");
        if (clips && el.scrollWidth > el.clientWidth + 1) problems.push(`cut: ${name(el)}`);
      }
    }
    return problems;
  });

describe("the viewer, and the minimum window", () => {
  const students = [
    { login: "anna.nowak", shots: 20, blends: 0, presence: "online", step: 60_000 },
    { login: "bartek", shots: 3, chats: 1, unread: 1, presence: "online", hand: true },
    { login: "celina", shots: 2, blends: 2, presence: "idle" },
  ];

  test("full screen with zoom and pan (double-click or F, Esc leaves); Play from the first screenshot of the chosen range at a chosen speed", async () => {
    const { page, context, errors } = await openApp(env, { running: true, students });
    try {
      await page.locator(`${tid("student-tile")}[data-login="anna.nowak"]`).click();
      const img = page.locator(tid("viewer-image"));
      await img.waitFor();
      const pos = () => page.locator(tid("viewer-position")).innerText();
      assert.equal(await pos(), "20 of 20");
      assert.match(await page.locator(tid("viewer-time")).innerText(), /^\d\d:\d\d:\d\d$/);
      // Double-click: the screenshot fills the window.
      await img.dblclick();
      const zoom = page.locator(tid("viewer-zoom"));
      await zoom.waitFor();
      const box = await zoom.boundingBox();
      assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 1280, 800]);
      assert.equal(await zoom.getAttribute("data-zoom"), "1.00");
      // The wheel zooms in around the pointer; dragging pans; 0 fits again.
      await page.mouse.move(800, 300);
      await page.mouse.wheel(0, -300);
      await poll(() => zoom.getAttribute("data-zoom"), (z) => Number(z) > 1);
      await page.mouse.wheel(0, -300);
      await poll(() => zoom.getAttribute("data-zoom"), (z) => Number(z) > 1.5);
      const zoomImg = page.locator(tid("viewer-zoom-image"));
      const before = await zoomImg.evaluate((e) => e.style.transform);
      await page.mouse.move(640, 400);
      await page.mouse.down();
      await page.mouse.move(540, 350, { steps: 5 });
      await page.mouse.up();
      const after = await zoomImg.evaluate((e) => e.style.transform);
      assert.notEqual(after, before);
      const [tx, ty] = after.match(/-?[\d.]+px/g).map(parseFloat);
      const [bx, by] = before.match(/-?[\d.]+px/g).map(parseFloat);
      assert.ok(Math.abs(tx - bx + 100) < 2 && Math.abs(ty - by + 50) < 2, `panned by the drag: ${before} → ${after}`);
      await shot(page, "viewer-zoom");
      await page.keyboard.press("0");
      await poll(() => zoom.getAttribute("data-zoom"), (z) => z === "1.00");
      await page.keyboard.press("+");
      await poll(() => zoom.getAttribute("data-zoom"), (z) => z === "1.25");
      // Arrow keys step through the screenshots in full screen.
      await page.keyboard.press("ArrowLeft");
      await poll(pos, (v) => v === "19 of 20");
      assert.equal(await zoomImg.getAttribute("src"), await img.getAttribute("src"));
      // Escape leaves full screen only (still this student).
      await page.keyboard.press("Escape");
      await poll(() => zoom.count(), (n) => n === 0);
      assert.equal(await page.locator(tid("student-view")).count(), 1);
      // F opens it, Escape closes it.
      await page.keyboard.press("f");
      await zoom.waitFor();
      await page.keyboard.press("Escape");
      await poll(() => zoom.count(), (n) => n === 0);
      assert.equal(await page.locator(tid("student-view")).count(), 1);

      // Play over the last 10 minutes at half speed starts at the first screenshot of those 10
      // minutes (one a minute: the 10th of 20), not at the current one.
      await page.locator(tid("viewer-range")).selectOption("10");
      await page.locator(tid("viewer-speed")).selectOption("0.5");
      await page.locator(tid("viewer-play")).click();
      assert.equal(await pos(), "10 of 20");
      await poll(pos, (v) => v === "11 of 20", 2000);
      // Pause and Play again: goes on from there.
      await page.locator(tid("viewer-play")).click();
      const paused = await pos();
      await page.locator(tid("viewer-speed")).selectOption("4");
      await page.locator(tid("viewer-play")).click();
      const started = Date.now();
      const frames = new Set();
      await poll(async () => {
        frames.add(await pos());
        return page.locator(tid("viewer-play")).getAttribute("data-playing");
      }, (v) => v === "false", 6000);
      assert.ok(!frames.has("10 of 20"), `resumed from ${paused}, not restarted: ${[...frames].join(", ")}`);
      assert.equal(await pos(), "20 of 20");
      assert.ok(Date.now() - started < 2500, "4× is fast: 100 ms a frame");
      // All: from the very first screenshot.
      await page.locator(tid("viewer-range")).selectOption("0");
      await page.locator(tid("viewer-speed")).selectOption("0.5");
      await page.locator(tid("viewer-play")).click();
      assert.equal(await pos(), "1 of 20");
      await page.locator(tid("viewer-play")).click();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test(".blend versions show the time with seconds and the size; Open in Blender names the copy after the student and the time", async () => {
    const { page, context } = await openApp(env, { running: true, students, settings: { language: "pl" } });
    try {
      await page.locator(`${tid("student-tile")}[data-login="celina"]`).click();
      const blend = page.locator(tid("timeline-blend")).first();
      await blend.waitFor();
      assert.match(await blend.locator(tid("blend-meta")).innerText(), /^\d\d:\d\d:\d\d · 3,\d MB$/);
      await blend.locator(tid("open-in-blender")).click();
      await poll(() => page.evaluate(() => window.__mock.callsOf("open_in_blender")), (v) => v.length === 1);
      const [call] = await page.evaluate(() => window.__mock.callsOf("open_in_blender"));
      assert.equal(call.login, "celina");
      assert.equal(typeof call.at, "number");
      assert.match(call.path, /^celina-3\/blends\/model-\d+\.blend$/);
    } finally {
      await context.close();
    }
  });

  test("at 900×600 nothing wraps, is cut or leaves the window, and the header is at most a fifth of the height", async () => {
    const wrong_code = [{ login: "anna", host: null, count: 2, last: Date.now() }];
    const viewport = { width: 900, height: 600 };
    for (const language of ["pl", "en"]) {
      for (const running of [true, false]) {
        const { page, context } = await openApp(
          env,
          { running, students, settings: { language, class_code: "KOT-417" }, stats: { online: 3, chats: 4, files: 27, bytes: 9e6, rejected: { bad_mac: 2, too_large: 1 }, wrong_code } },
          viewport,
        );
        try {
          const where = `${language}, ${running ? "receiving" : "stopped"}`;
          await page.locator(tid("student-tile")).first().waitFor();
          if (running) await page.locator(tid("wrong-code")).waitFor();
          const header = await page.locator("header.bar").boundingBox();
          assert.ok(header.height <= 600 / 5, `header ${header.height}px high (${where})`);
          assert.deepEqual(await layoutProblems(page), [], `grid (${where})`);
          await shot(page, `900x600-grid-${language}-${running ? "on" : "off"}`);
          for (const login of ["celina", "bartek"]) {
            await page.locator(`${tid("student-tile")}[data-login="${login}"]`).click();
            await page.locator(tid("viewer-image")).waitFor();
            await page.locator(`${tid("timeline-list")} [data-id]`).first().waitFor();
            assert.deepEqual(await layoutProblems(page), [], `student view of ${login} (${where})`);
            if (login === "celina") await shot(page, `900x600-student-${language}-${running ? "on" : "off"}`);
            await page.locator(tid("back-button")).click();
            await page.locator(tid("class-grid")).waitFor();
          }
          await page.locator(tid("inbox-button")).click();
          await page.locator(tid("chat-inbox")).waitFor();
          assert.deepEqual(await layoutProblems(page), [], `inbox (${where})`);
          await page.locator(tid("grid-button")).click();
          await page.locator(tid("compare-button")).click();
          await page.locator(`${tid("compare-pick")}[data-login="celina"]`).check();
          await page.locator(`${tid("compare-pick")}[data-login="bartek"]`).check();
          await page.locator(tid("compare-cell")).first().waitFor();
          assert.deepEqual(await layoutProblems(page), [], `compare (${where})`);
          await page.locator(tid("compare-moment")).click();
          assert.deepEqual(await layoutProblems(page), [], `compare at a moment (${where})`);
        } finally {
          await context.close();
        }
      }
    }
  });
});

describe("compare", () => {
  test("2–6 chosen students side by side, live; the whole class at a chosen moment", async () => {
    const now = Date.now();
    const { page, context, errors } = await openApp(env, { running: true, now });
    try {
      await page.locator(tid("student-tile")).first().waitFor();
      await page.locator(tid("compare-button")).click();
      await page.locator(tid("compare-view")).waitFor();
      assert.equal(await page.locator(tid("compare-hint")).count(), 1, "fewer than two: a hint");
      const pick = (login) => page.locator(`${tid("compare-pick")}[data-login="${login}"]`).first(); // two use "ewa"
      await pick("celina").check();
      assert.equal(await page.locator(tid("compare-cell")).count(), 0);
      await pick("anna.nowak").check();
      const cells = page.locator(tid("compare-cell"));
      await poll(() => cells.count(), (n) => n === 2);
      assert.deepEqual(await cells.evaluateAll((els) => els.map((e) => e.dataset.login)), ["celina", "anna.nowak"], "in the order chosen");
      // Side by side: same row, equal widths.
      const [a, b] = [await cells.nth(0).boundingBox(), await cells.nth(1).boundingBox()];
      assert.equal(Math.round(a.y), Math.round(b.y));
      assert.ok(Math.abs(a.width - b.width) < 1 && b.x > a.x + a.width - 1);
      // At most six.
      for (const l of ["bartek", "dawid", "ewa"]) await pick(l).check();
      await poll(() => cells.count(), (n) => n === 5);
      const rest = page.locator(`${tid("compare-pick")}:not(:checked)`);
      assert.equal(await rest.count(), 1);
      await rest.first().check();
      await poll(() => cells.count(), (n) => n === 6);
      assert.equal(await page.locator(`${tid("compare-pick")}:disabled`).count(), 0, "all six chosen, nothing left to disable");
      assert.match(await page.locator(tid("compare-count")).innerText(), /6 of at most 6/);
      await pick("dawid").uncheck();
      await pick("ewa").uncheck();
      await poll(() => cells.count(), (n) => n === 4);
      // Live: a new screenshot of anna replaces hers in place.
      const annaImg = page.locator(`${tid("compare-cell")}[data-login="anna.nowak"] ${tid("compare-image")}`);
      const before = await annaImg.getAttribute("src");
      const anna = await idOf(page, "anna.nowak");
      await push(page, { type: "file_stored", student: anna, login: "anna.nowak", kind: "screenshot", path: "anna.nowak-1/screenshots/00777.png", thumb: null, size: 5, sha256: "0" });
      await poll(() => annaImg.getAttribute("src"), (s) => s !== before && s.includes("00777"));
      await shot(page, "compare-live");

      // The whole class at a moment: each student's newest screenshot until then, from the backend.
      await page.locator(tid("compare-moment")).click();
      assert.equal(await page.locator(tid("compare-hint")).count(), 1);
      const at = now - 3_600_000 + 4 * 60_000; // a few minutes into the class
      // A datetime-local value in the page's time zone (Europe/Warsaw), not the test runner's.
      const local = (ms) =>
        page.evaluate((t) => {
          const d = new Date(t);
          const p = (n) => String(n).padStart(2, "0");
          return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
        }, ms);
      await page.locator(tid("compare-moment-input")).fill(await local(at));
      await page.locator(tid("compare-show")).click();
      await poll(() => cells.count(), (n) => n > 0);
      const [call] = await calls(page, "screenshots_at");
      assert.equal(Math.floor(call.at / 1000), Math.floor(at / 1000));
      const times = await page.locator(tid("compare-time")).allInnerTexts();
      assert.ok(times.length === (await cells.count()) && times.every((t) => /^\d\d:\d\d:\d\d$/.test(t)));
      const expected = await page.evaluate((t) => window.__TAURI_INTERNALS__.invoke("screenshots_at", { at: t }), call.at);
      assert.deepEqual(await cells.evaluateAll((els) => els.map((e) => e.dataset.login)), expected.map((e) => e.login));
      assert.ok(expected.every((e) => e.ts <= call.at));
      await shot(page, "compare-moment");
      // Before the class: nobody.
      await page.locator(tid("compare-moment-input")).fill(await local(now - 5 * 3_600_000));
      await page.locator(tid("compare-show")).click();
      await page.locator(tid("compare-empty")).waitFor();
      // A picture opens that student; Escape from Compare goes back to the class.
      await page.locator(tid("compare-live")).click();
      await page.locator(`${tid("compare-cell")}[data-login="celina"] button`).click();
      await page.locator(tid("student-view")).waitFor();
      await page.locator(tid("back-button")).click();
      await page.locator(tid("compare-button")).click();
      await poll(() => cells.count(), (n) => n === 4);
      await page.keyboard.press("Escape");
      await page.locator(tid("class-grid")).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe("notified when not seen", () => {
  test("a hand or chat of a student scrolled out of view: a notice with Show, and the soft sound only when the setting is on", async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ login: `s${String(i).padStart(2, "0")}`, shots: 1, presence: "online" }));
    const { page, context, errors } = await openApp(env, { students: many });
    try {
      await page.locator(tid("student-tile")).first().waitFor();
      assert.equal(await page.evaluate(() => document.hasFocus()), true, "the page has the focus");
      const chimes = () => page.evaluate(() => Number(document.documentElement.dataset.chimes ?? 0));
      const notice = page.locator(tid("attention-notice"));
      // Sorted by name, s00 is at the top (seen), s39 far below (not seen).
      const top = await idOf(page, "s00");
      const bottom = await idOf(page, "s39");
      await push(page, { type: "hand", student: top, login: "s00", raised: true });
      await tile(page, "s00").locator(tid("hand-marker")).waitFor();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await notice.count(), 0, "a tile in view needs no notice");
      // Off by default: a notice, no sound.
      assert.equal(await page.locator(tid("sound-toggle")).isChecked(), false);
      await push(page, { type: "hand", student: bottom, login: "s39", raised: true });
      await notice.waitFor();
      assert.equal(await notice.getAttribute("data-student"), bottom);
      assert.match(await notice.innerText(), /s39 raised a hand/);
      assert.equal(await chimes(), 0);
      await shot(page, "attention-notice");
      // Show brings the tile into view.
      await page.locator(tid("attention-show")).click();
      await poll(() => notice.count(), (n) => n === 0);
      await poll(
        () => tile(page, "s39").evaluate((el) => {
          const r = el.getBoundingClientRect();
          const g = el.closest(".grid").getBoundingClientRect();
          return r.top >= g.top - 1 && r.bottom <= g.bottom + 1;
        }),
        (v) => v === true,
      );
      // Sound on (saved): a chat from a student out of view now chimes once.
      await page.locator(tid("sound-toggle")).check();
      await poll(() => calls(page, "save_settings"), (v) => v.length > 0 && v.at(-1).settings.sound === true);
      // (Needs attention puts raised hands first: s00 and s39 are at the top now, s30 below.)
      const far = await idOf(page, "s30");
      await push(page, { type: "chat", student: far, login: "s30", id: "m-far", text: "help please" });
      await notice.waitFor();
      assert.match(await notice.innerText(), /s30: help please/);
      await poll(chimes, (n) => n === 1);
      // A student in view: no sound, no new notice; a hand already up: nothing again.
      await page.locator(tid("attention-dismiss")).click();
      const near = await idOf(page, "s01");
      await push(page, { type: "chat", student: near, login: "s01", id: "m-near", text: "ok" });
      await push(page, { type: "hand", student: bottom, login: "s39", raised: true });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await notice.count(), 0);
      assert.equal(await chimes(), 1);
      // Polish words.
      await page.locator(tid("language-select")).selectOption("pl");
      await push(page, { type: "hand", student: await idOf(page, "s25"), login: "s25", raised: true });
      await poll(() => notice.innerText().catch(() => ""), (v) => v.includes("s25 podnosi rękę"));
      await poll(chimes, (n) => n === 2);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
