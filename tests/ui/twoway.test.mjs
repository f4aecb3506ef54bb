// Browser tests of answering students (protocol 1.1) with the Tauri IPC mocked: the reply box,
// the conversation thread with delivery states, "Message everyone", asking for screenshots,
// answering raised hands, and the Polish strings of these controls.
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

describe("answering a student", () => {
  test("reply box: Enter sends, Shift+Enter is a new line; the thread shows both sides and live delivery", async () => {
    const { page, context, errors } = await openApp(env, { running: true });
    try {
      await tile(page, "bartek").click();
      const box = page.locator(tid("reply-box"));
      await box.waitFor();
      // Bartek's chat is in the thread, on the student's side.
      await page.locator(`${tid("thread-item")}[data-kind="chat"]`).first().waitFor();
      await box.click();
      await box.type("Line one");
      await box.press("Shift+Enter");
      await box.type("line two");
      assert.equal((await calls(page, "send_reply")).length, 0, "Shift+Enter does not send");
      assert.equal(await box.inputValue(), "Line one\nline two");
      await box.press("Enter");
      const sent = await poll(() => calls(page, "send_reply"), (v) => v.length === 1);
      assert.deepEqual(sent, [{ student: await idOf(page, "bartek"), text: "Line one\nline two" }]);
      assert.equal(await box.inputValue(), "", "the box is cleared once sent");

      const reply = page.locator(`${tid("thread-item")}[data-kind="reply"]`);
      await reply.waitFor();
      assert.match(await reply.innerText(), /Line one\s+line two/);
      assert.equal(await reply.getAttribute("data-delivery"), "queued");
      assert.match(await reply.locator(tid("thread-delivery")).innerText(), /Queued/);

      // The add-on acknowledges, then the student reads it: the state follows the events.
      const student = await idOf(page, "bartek");
      const messageId = (await page.evaluate(() => window.__mock.lastMessageId()));
      await push(page, { type: "message_delivery", student, login: "bartek", id: messageId, kind: "reply", delivery: "delivered" });
      await poll(() => reply.getAttribute("data-delivery"), (v) => v === "delivered");
      await push(page, { type: "message_delivery", student, login: "bartek", id: messageId, kind: "reply", delivery: "read" });
      await poll(() => reply.getAttribute("data-delivery"), (v) => v === "read");
      assert.equal(await reply.locator(tid("thread-delivery")).innerText(), "Read by the student");
      await shot(page, "reply-thread");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("a first page that answers late: a chat that came meanwhile and the reply each show once", async () => {
    // The real app's failure: the thread's first page was still being read when the student's chat
    // event came; both reads returned the same rows and the thread held them twice, after which
    // a reply's row never showed.
    const { page, context, errors } = await openApp(env, { running: true, slowFirstPage: 700 });
    try {
      const student = await idOf(page, "bartek");
      await tile(page, "bartek").click();
      // The chat comes after the thread asked for its first page and before that page answers.
      await poll(() => calls(page, "timeline_page"), (c) => c.length >= 2);
      await push(page, { type: "chat", student, login: "bartek", text: "Is this right?" });
      const items = page.locator(tid("thread-item"));
      const ids = () => items.evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
      await poll(() => page.locator(`${tid("thread-item")}[data-kind="chat"]`).allInnerTexts(), (t) => t.some((x) => x.includes("Is this right?")));
      await page.waitForTimeout(1000); // past the late first page
      const shown = await ids();
      assert.equal(new Set(shown).size, shown.length, `each row once: ${shown}`);
      assert.ok((await items.allInnerTexts()).some((x) => x.includes("Is this right?")), "the late page did not take the chat away");
      const box = page.locator(tid("reply-box"));
      await box.click();
      await box.type("Yes");
      await box.press("Enter");
      const reply = page.locator(`${tid("thread-item")}[data-kind="reply"]`);
      await reply.waitFor();
      assert.equal(await reply.count(), 1);
      const after = await ids();
      assert.equal(new Set(after).size, after.length, `each row once: ${after}`);
      assert.equal(after.length, shown.length + 1);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("stopped: the reply box is disabled with a reason; a refused reply is a sentence in the UI language", async () => {
    const { page, context } = await openApp(env, { running: false });
    try {
      await tile(page, "anna.nowak").click();
      const box = page.locator(tid("reply-box"));
      await box.waitFor();
      assert.equal(await box.isDisabled(), true);
      assert.match(await page.locator(tid("reply-disabled")).innerText(), /Start the receiver/);
      await page.locator(tid("start-button")).click();
      await poll(() => box.isDisabled(), (v) => v === false);
      await page.evaluate(() => {
        window.__MOCK_CONFIG__.failSend = { kind: "text_too_long", params: { max: "4096" }, message: "The message is too long (5000 bytes; at most 4096)." };
      });
      await box.fill("x".repeat(20));
      await box.press("Enter");
      const err = page.locator(tid("reply-error"));
      await err.waitFor();
      assert.equal(await err.innerText(), "The message is too long (at most 4096 bytes).");
    } finally {
      await context.close();
    }
  });

  test("a request shows its answer; the inbox has the conversation and a reply box", async () => {
    const { page, context, errors } = await openApp(env, { running: true });
    try {
      await page.locator(tid("student-tile")).first().waitFor();
      await tile(page, "anna.nowak").locator(tid("tile-ask-screenshot")).click();
      const asked = await poll(() => calls(page, "request_capture"), (v) => v.length === 1);
      const anna = await idOf(page, "anna.nowak");
      assert.deepEqual(asked, [{ student: anna, what: "screenshot" }]);
      await tile(page, "anna.nowak").locator("button").first().click();
      const req = page.locator(`${tid("thread-item")}[data-kind="request"]`);
      await req.waitFor();
      const messageId = await page.evaluate(() => window.__mock.lastMessageId());
      await push(page, { type: "request_answered", student: anna, login: "anna.nowak", id: messageId, status: "paused", text: null });
      await poll(() => req.locator(tid("thread-answer")).count(), (n) => n === 1);
      assert.match(await req.locator(tid("thread-answer")).innerText(), /sharing paused/);

      await page.locator(tid("inbox-button")).click();
      await page.locator(tid("inbox-reply")).first().waitFor();
      await page.locator(`${tid("inbox-message")}[data-login="ewa"] ${tid("inbox-reply")}`).first().click();
      const conv = page.locator(tid("conversation"));
      const ewa = await idOf(page, "ewa");
      await poll(() => conv.getAttribute("data-student"), (v) => v === ewa);
      await page.locator(tid("reply-box")).fill("On my way");
      await page.locator(tid("reply-send")).click();
      const sent = await poll(() => calls(page, "send_reply"), (v) => v.length === 1);
      assert.equal(sent[0].student, await conv.getAttribute("data-student"));
      assert.equal(sent[0].text, "On my way");
      await page.locator(`${tid("thread-item")}[data-kind="reply"]`).waitFor();
      await shot(page, "inbox-conversation");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe("the whole class", () => {
  test("Message everyone (dialog, Escape closes) and Ask everyone for a screenshot; hands", async () => {
    const { page, context, errors } = await openApp(env, { running: true });
    try {
      await page.locator(tid("student-tile")).first().waitFor();
      const open = page.locator(tid("broadcast-button"));
      await open.click();
      const box = page.locator(tid("broadcast-box"));
      await box.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "broadcast-box");
      await box.press("Escape");
      assert.equal(await box.count(), 0, "Escape closes the dialog");
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "broadcast-button");
      await open.press("Enter");
      await box.waitFor();
      await box.fill("Save your work, break in 5 minutes");
      await shot(page, "broadcast-dialog");
      await page.locator(tid("broadcast-send")).click();
      const sent = await poll(() => calls(page, "announce"), (v) => v.length === 1);
      assert.deepEqual(sent, [{ text: "Save your work, break in 5 minutes" }]);
      await poll(() => box.count(), (n) => n === 0);
      assert.match(await page.locator(tid("notice")).innerText(), /Message sent to 6 students \(5 online now\)/);

      await page.locator(tid("ask-all-screenshot")).click();
      const asked = await poll(() => calls(page, "request_capture"), (v) => v.length === 1);
      assert.deepEqual(asked, [{ student: null, what: "screenshot" }]);

      // Bartek's hand is raised: Acknowledge and Lower hand on his tile only.
      assert.equal(await tile(page, "anna.nowak").locator(tid("hand-ack")).count(), 0);
      await tile(page, "bartek").locator(tid("hand-ack")).click();
      await tile(page, "bartek").locator(tid("hand-lower")).click();
      const hands = await poll(() => calls(page, "answer_hand"), (v) => v.length === 2);
      const bartek = await idOf(page, "bartek");
      assert.deepEqual(hands, [
        { student: bartek, state: "acknowledged" },
        { student: bartek, state: "lowered" },
      ]);
      await poll(() => tile(page, "bartek").locator(tid("hand-marker")).count(), (n) => n === 0);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("Polish: the new controls are translated, counted notices use Polish plurals", async () => {
    const { page, context } = await openApp(env, { running: true, settings: { language: "pl" } });
    try {
      await page.locator(tid("student-tile")).first().waitFor();
      await poll(() => page.locator(tid("broadcast-button")).innerText(), (v) => /Wiadomość do wszystkich/.test(v));
      // Its words are its label and title (the icon alone shows below 1450 px wide).
      assert.equal(await page.locator(tid("ask-all-screenshot")).getAttribute("aria-label"), "Poproś wszystkich o zrzut ekranu teraz");
      assert.equal(await tile(page, "bartek").locator(tid("hand-ack")).innerText(), "Potwierdź");
      assert.equal(await tile(page, "bartek").locator(tid("hand-lower")).innerText(), "Opuść rękę");
      assert.equal(await tile(page, "anna.nowak").locator(tid("tile-ask-screenshot")).getAttribute("title"), "Poproś o zrzut ekranu teraz");
      await page.locator(tid("ask-all-screenshot")).click();
      await poll(() => page.locator(tid("notice")).count(), (n) => n === 1);
      assert.equal(await page.locator(tid("notice")).innerText(), "Poproszono 6 osób o zrzut ekranu (w sieci teraz: 5).");
      await tile(page, "bartek").locator("button").first().click();
      const box = page.locator(tid("reply-box"));
      await box.waitFor();
      assert.match(await box.getAttribute("placeholder"), /Enter wysyła/);
      assert.equal(await page.locator(tid("reply-send")).innerText(), "Wyślij");
      await box.fill("Już idę");
      await box.press("Enter");
      await page.locator(`${tid("thread-item")}[data-kind="reply"]`).waitFor();
      assert.equal(await page.locator(`${tid("thread-item")}[data-kind="reply"] ${tid("thread-delivery")}`).innerText(), "W kolejce");
      await shot(page, "polish-thread");
    } finally {
      await context.close();
    }
  });
});
