// Shared helpers of the browser tests: Debian's Chromium through playwright-core, the
// development sign-in, axe-core on every page, and screenshots at 1280 and 390 px.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The server under test (a `localhost` URL: Chromium keeps Secure cookies there). */
export const BASE = process.env.OCOP_URL || "http://localhost:8080";
export const SHOTS = process.env.OCOP_SHOTS || "";

/** Starts Debian's Chromium the way CI can: headless, sandbox off (root), no network. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // Playwright gives every launch a fresh --user-data-dir of its own (a temporary
    // profile, removed on close); passing one here is refused.
  });
}

/** A browser context for one person, failing the test on any page error or dialog. */
export async function person(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Every wait is bounded: a page that does not come in 10 s fails the test, not CI.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on("pageerror", (e) => {
    throw new Error(`script error on ${page.url()}: ${e.message}`);
  });
  page.on("dialog", async (d) => {
    // No page of ours opens dialogs; an alert here would be script injected by a name.
    await d.dismiss();
    throw new Error(`unexpected dialog on ${page.url()}: ${d.message()}`);
  });
  return { context, page };
}

/** Signs in through the development provider (the same PKCE flow as a real provider). */
export async function signIn(page, actor, roles, { lang } = {}) {
  await page.goto(`${BASE}/login`);
  if (lang === "en") {
    await page.getByRole("link", { name: "English" }).click();
  }
  await page.locator("a.button[href^='/login/start/dev']").click();
  await page.waitForURL(/\/login\/dev\?/);
  await page.fill("#actor", actor);
  for (const r of roles) await page.check(`#role-${r}`);
  await page.locator("form[action='/login/dev'] button[type=submit]").click();
  await page.waitForURL(/\/work/);
}

const seen = new Map();

/** Runs axe-core on the page: no serious or critical violation. Returns the counts. */
export async function axe(page, name) {
  // The pages' CSP forbids inline scripts: axe goes in through the devtools protocol.
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  seen.set(name, result);
  assert.deepEqual(bad, [], `axe on ${name}: ${JSON.stringify(bad, null, 1)}`);
  return result;
}

/** Every axe result so far, by page. */
export function axeResults() {
  return seen;
}

/** The page at 1280 and 390 px wide: nothing wider than the screen (the page never scrolls
 * sideways; wide tables and the graph scroll inside their own box), and full-page
 * screenshots into $OCOP_SHOTS when it is set. */
export async function shots(page, name) {
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= width, `${name} at ${width} px is ${wide} px wide`);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** No script element but the binary's own files: a name like `<script>…` stays text. */
export async function ownScriptsOnly(page, name) {
  const scripts = await page.evaluate(() =>
    [...document.querySelectorAll("script")].map((s) => s.getAttribute("src") || `inline: ${s.textContent}`),
  );
  for (const s of scripts) assert.match(s, /^\/assets\//, `${name}: a script that is not ours: ${s}`);
}

/** axe, own scripts only, no sideways scrolling, and screenshots of the page as it is. */
export async function look(page, name) {
  await ownScriptsOnly(page, name);
  await axe(page, name);
  await shots(page, name);
}

/** Clicks the button of a transition by its label and waits for the case page again. */
export async function take(page, label) {
  const button = page.locator("li.action button:not([disabled])", { hasText: label });
  await button.first().click();
  await page.waitForLoadState("load");
}

/** The text of the page's one-time message. */
export async function flash(page) {
  return (await page.locator(".flash").first().textContent())?.trim() ?? "";
}
