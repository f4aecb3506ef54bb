// Encryption in the built UI (Chromium, Tauri IPC mocked): the setting, the join text with the
// key and the lock while receiving, a refused second key flagged on the tile, "Reset key".
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

describe("encryption", () => {
  test("the setting is saved, and an encrypted class shows its lock and the key in the join text", async () => {
    const { page, context, errors } = await openApp(env, { running: false });
    try {
      const toggle = page.locator(tid("encrypt-toggle"));
      assert.equal(await toggle.isChecked(), false);
      await toggle.check();
      await poll(() => calls(page, "save_settings"), (v) => v.length >= 1);
      assert.equal((await calls(page, "save_settings")).at(-1).settings.encrypt, true);
      await page.locator(tid("start-button")).click();
      await page.locator(tid("status-encrypted")).waitFor();
      await page.locator(tid("join-toggle")).click();
      assert.match(await page.locator(tid("status-join")).innerText(), /\?key=A{42}E/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("a refused key is flagged on the tile; Reset key forgets the pin and clears it", async () => {
    const { page, context, errors } = await openApp(env, { running: true, settings: { encrypt: true } });
    try {
      const anna = await idOf(page, "anna.nowak");
      assert.equal(await tile(page, "anna.nowak").locator(tid("key-refused-badge")).count(), 0);
      await push(page, {
        type: "rejected",
        at: Date.now(),
        reason: "key_mismatch",
        detail: "another key claimed this student",
        student: anna,
        login: "anna.nowak",
      });
      await tile(page, "anna.nowak").locator(tid("key-refused-badge")).waitFor();
      await shot(page, "key-refused");
      await tile(page, "anna.nowak").locator("button").first().click();
      const reset = page.locator(tid("reset-key"));
      await reset.waitFor();
      assert.match(await reset.getAttribute("class"), /warn/);
      await reset.click();
      await poll(() => calls(page, "reset_pin"), (v) => v.length === 1);
      assert.deepEqual((await calls(page, "reset_pin"))[0], { student: anna });
      await poll(() => page.locator(tid("reset-key")).getAttribute("class"), (c) => !/warn/.test(c ?? ""));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("in Polish, and no Reset key in an unencrypted class", async () => {
    const { page, context } = await openApp(env, { running: true, settings: { language: "pl", encrypt: true } });
    try {
      assert.match(await page.locator(tid("status-encrypted")).innerText(), /Szyfrowane/);
    } finally {
      await context.close();
    }
    const plain = await openApp(env, { running: true });
    try {
      await tile(plain.page, "anna.nowak").locator("button").first().click();
      await plain.page.locator(tid("back-button")).waitFor();
      assert.equal(await plain.page.locator(tid("reset-key")).count(), 0);
      assert.equal(await plain.page.locator(tid("status-encrypted")).count(), 0);
    } finally {
      await plain.context.close();
    }
  });
});
