// Shared set-up of the browser tests: Debian's Chromium via playwright-core, the static server,
// one page per test with the mock backend configured.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const artifacts = path.resolve(here, "../../artifacts");

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export async function setup() {
  fs.mkdirSync(artifacts, { recursive: true });
  const { server, url } = await startServer();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  return {
    url,
    browser,
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A fresh page with the mock backend configured, loaded and ready (settings read). */
export async function openApp(env, config = {}, viewport = { width: 1280, height: 800 }, opts = {}) {
  const context = await env.browser.newContext({ viewport, locale: "en-GB", timezoneId: "Europe/Warsaw" });
  // A fake clock (opts.clockAt: a time in ms), for labels that follow the time: page.clock.fastForward().
  if (opts.clockAt != null) await context.clock.install({ time: opts.clockAt });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: env.url });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.addInitScript((c) => {
    window.__MOCK_CONFIG__ = c;
  }, config);
  await page.goto(env.url);
  await page.locator('[data-testid="app"][data-ready="true"]').waitFor();
  page.errors = errors;
  return { page, context, errors };
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `ui-${name}.png`) });
}

export const tid = (id) => `[data-testid="${id}"]`;

/** A student's tile in the class grid. */
export const tile = (page, login) => page.locator(`${tid("student-tile")}[data-login="${login}"]`);
/** The mocked backend's record of the calls of one command. */
export const calls = (page, cmd) => page.evaluate((c) => window.__mock.callsOf(c), cmd);
export const idOf = (page, login) => page.evaluate((l) => window.__mock.studentId(l), login);
/** Delivers a receiver event to the UI, as the backend would. */
export const push = (page, ev) => page.evaluate((e) => window.__mock.push(e), ev);

/** fn() until check(value) holds or ms pass; returns the last value (the caller asserts it). */
export async function poll(fn, check, ms = 5000) {
  const end = Date.now() + ms;
  let v;
  while (Date.now() < end) {
    v = await fn();
    if (check(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return v;
}
