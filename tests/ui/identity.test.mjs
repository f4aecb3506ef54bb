// Who is who (issue 13) in the built UI (Chromium, Tauri IPC mocked): a student's seats, merging
// another student in and splitting a seat off again, only while stopped, in English and Polish.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { calls, openApp, setup, shot, tid, tile } from "./helpers.mjs";

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

async function openStudent(page, login) {
  await tile(page, login).locator("button").first().click();
  await page.locator(tid("student-view")).waitFor();
}

describe("seats, merge and split", () => {
  test("stopped: merge dawid into celina, then split dawid's seat off again", async () => {
    const { page, context, errors } = await openApp(env, {});
    try {
      await openStudent(page, "celina");
      assert.equal(await page.locator(tid("seat")).count(), 1);
      assert.match(await page.locator(tid("seat")).innerText(), /^lab-3, last /);
      assert.equal(await page.locator(tid("seat-split")).count(), 0, "a student's only seat cannot be split off");
      await page.locator(tid("merge-student")).click();
      await page.locator(tid("regroup-dialog")).waitFor();
      assert.equal(await page.locator("#regroup-title").innerText(), "Merge another student into celina");
      assert.equal(await page.locator(tid("regroup-confirm")).isDisabled(), true, "nothing picked yet");
      await page.locator(tid("merge-pick")).selectOption({ label: "dawid (00000000)" });
      await page.locator(tid("regroup-confirm")).click();
      await page.locator(tid("class-grid")).waitFor();
      assert.match(await page.locator(tid("notice")).innerText(), /Merged dawid into celina\./);
      assert.equal(await tile(page, "dawid").count(), 0);
      const merge = (await calls(page, "merge_students"))[0];
      assert.deepEqual(merge, { into: "00000000-0000-4000-8000-000000000003", from: "00000000-0000-4000-8000-000000000004" });

      await openStudent(page, "celina");
      assert.equal(await page.locator(tid("seat")).count(), 2);
      await shot(page, "student-seats");
      const dawidSeat = page.locator(`${tid("seat")}[data-wire="00000000-0000-4000-8000-000000000004"]`);
      assert.match(await dawidSeat.innerText(), /^lab-4, last [^\n]+\s+\(dawid\)/);
      await dawidSeat.locator(tid("seat-split")).click();
      assert.equal(await page.locator("#regroup-title").innerText(), "Split seat lab-4 off celina?");
      assert.match(await page.locator(tid("regroup-what")).innerText(), /Nothing is deleted\./);
      await page.locator(tid("regroup-confirm")).click();
      await page.locator(tid("class-grid")).waitFor();
      assert.match(await page.locator(tid("notice")).innerText(), /Seat lab-4 is now the student dawid\./);
      assert.equal(await tile(page, "dawid").count(), 1);
      const split = (await calls(page, "split_student"))[0];
      assert.deepEqual(split, { student: "00000000-0000-4000-8000-000000000003", seat: "00000000-0000-4000-8000-000000000004" });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("while receiving, merging is not offered; Polish labels", async () => {
    const { page, context, errors } = await openApp(env, { running: true, settings: { language: "pl" } });
    try {
      await openStudent(page, "celina");
      assert.equal(await page.locator(tid("merge-student")).isDisabled(), true);
      assert.equal(await page.locator(tid("merge-student")).getAttribute("title"), "Zatrzymaj odbiór, aby łączyć lub rozdzielać.");
      assert.match(await page.locator(tid("seats")).innerText(), /^Stanowiska/);
      assert.match(await page.locator(tid("seat")).innerText(), /^lab-3, ostatnio /);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
