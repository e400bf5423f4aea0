// One product through the whole national-2026 cycle in a real browser: the producer
// registers it (its name is a script tag), the commune proposes it, the provincial office
// and the advisory group pass it on, the council chair constitutes a council of five,
// the five members score it through the form (one with the keyboard only), the chair
// closes the council, the provincial chair certifies it; the office announces it, opens a
// revocation on one of the six grounds, and the chair dismisses it. On the way: a role
// that must not see an action, guards that block with their explanation, a member who
// cannot see another's sheet before the council closes, axe-core and screenshots of
// every page. Run by crates/ocop-cli/tests/web.rs against `ocop serve --dev-login`.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { BASE, SHOTS, axeResults, flash, launch, look, person, signIn, take } from "./lib.mjs";

const PEOPLE = {
  producer: ["htx-binh-minh", ["producer"]],
  commune: ["ubnd-xa-thoi-lai", ["commune_officer"]],
  office: ["so-nn-ct", ["province_office"]],
  advisory: ["to-tu-van", ["advisory_group"]],
  chair: ["hd-chu-tich", ["province_council_chair", "province_council_member"]],
  m1: ["hd-m1", ["province_council_member"]],
  m2: ["hd-m2", ["province_council_member"]],
  m3: ["hd-m3", ["province_council_member"]],
  m4: ["hd-m4", ["province_council_member"]],
  decider: ["chu-tich-ubnd", ["province_chair"]],
};
const NAME = "<script>alert(1)</script> Bánh pía Bình Minh";

let browser;
const people = {};
let caseUrl = "";
let pluginHash = "";

async function as(who) {
  if (!people[who]) {
    const p = await person(browser);
    await signIn(p.page, PEOPLE[who][0], PEOPLE[who][1]);
    people[who] = p;
  }
  return people[who].page;
}

before(async () => {
  browser = await launch();
});

after(async () => {
  // Every axe finding of every page (none is serious or critical, or a test failed).
  const out = {};
  for (const [k, v] of axeResults()) out[k] = v.map((x) => `${x.impact} ${x.id}: ${x.help}`);
  const findings = Object.values(out).flat().length;
  console.log(`axe-core: ${axeResults().size} pages, ${findings} findings (minor or moderate): ${JSON.stringify(out)}`);
  if (SHOTS) writeFileSync(join(SHOTS, "axe.json"), JSON.stringify(out, null, 1));
  if (process.env.OCOP_OUT) {
    writeFileSync(join(process.env.OCOP_OUT, "case.txt"), decodeURIComponent(caseUrl.split("/cases/")[1] || ""));
  }
  await browser?.close();
});

/** Picks, per criterion, the options that bring the sheet to `target` points while
 * keeping every 4-star minimum mark, then chooses them (by mouse or by keyboard). */
async function score(page, target, { keyboard = false } = {}) {
  const plan = await page.evaluate((target) => {
    const groups = [...document.querySelectorAll("fieldset.criterion:not([disabled])")].map((fs) => {
      const radios = [...fs.querySelectorAll("input[type=radio]")].map((r, i) => ({
        i,
        id: r.id,
        points: parseFloat(r.dataset.points),
        mark: r.dataset.minStars ? parseInt(r.dataset.minStars, 10) : null,
      }));
      // An option below any option marked 3 or 4 stars caps the product under 4 stars.
      const four = radios.filter((r) => r.mark !== null && r.mark <= 4).map((r) => r.points);
      const floor = four.length ? Math.max(...four) : -1;
      const allowed = radios.filter((r) => r.points >= floor).sort((a, b) => b.points - a.points);
      return { id: fs.id, allowed };
    });
    let total = groups.reduce((s, g) => s + g.allowed[0].points, 0);
    const pick = groups.map((g) => {
      let chosen = g.allowed[0];
      for (const o of g.allowed) {
        if (total - (chosen.points - o.points) >= target) {
          total -= chosen.points - o.points;
          chosen = o;
        }
      }
      return { group: g.id, option: chosen.i, id: chosen.id };
    });
    return { pick, total };
  }, target);
  if (!keyboard) {
    for (const p of plan.pick) await page.check(`#${CSS.escape(p.id)}`);
  } else {
    // Keyboard only: Tab from the page's top to each radio group, Space to choose its first
    // option, the arrow keys to the option wanted; then Tab to the submit button, Enter.
    await page.keyboard.press("Tab");
    for (const p of plan.pick) {
      for (let n = 0; n < 400; n++) {
        const inGroup = await page.evaluate(
          (g) => document.activeElement?.closest("fieldset")?.id === g,
          p.group,
        );
        if (inGroup) break;
        await page.keyboard.press("Tab");
      }
      await page.keyboard.press("Space");
      for (let k = 0; k < p.option; k++) await page.keyboard.press("ArrowDown");
      const ok = await page.evaluate((id) => document.getElementById(id).checked, p.id);
      assert.ok(ok, `keyboard: ${p.id} is not chosen`);
    }
  }
  return plan.total;
}

// node's CSS.escape is not global; a small one for ids like `c-1.1-2`.
const CSS = { escape: (s) => s.replace(/([.:])/g, "\\$1") };

async function submitSheet(page, { keyboard = false } = {}) {
  if (keyboard) {
    for (let n = 0; n < 200; n++) {
      const onSubmit = await page.evaluate(
        () => document.activeElement?.getAttribute("value") === "submit",
      );
      if (onSubmit) break;
      await page.keyboard.press("Tab");
    }
    await Promise.all([page.waitForURL(/\/cases\/[^/]+$/), page.keyboard.press("Enter")]);
  } else {
    await Promise.all([
      page.waitForURL(/\/cases\/[^/]+$/),
      page.locator("button[value=submit]").click(),
    ]);
  }
}

test("sign-in page and the development provider", async () => {
  const { page, context } = await person(browser);
  await page.goto(`${BASE}/work`);
  assert.match(page.url(), /\/login\?next=/);
  await look(page, "login");
  await page.locator("a.button[href^='/login/start/dev']").click();
  await page.waitForURL(/\/login\/dev\?/);
  await look(page, "login-dev");
  await context.close();
});

test("a product from registration to a 4-star certificate, scored by five members through the form", async () => {
  // The producer registers the product; its name is a script tag, shown as text.
  let page = await as("producer");
  await look(page, "work-producer");
  await page.goto(`${BASE}/cases/new`);
  await look(page, "case-new");
  await page.fill("#name", NAME);
  await page.selectOption("#set", "1");
  await page.fill("#producer", "HTX Bình Minh");
  await page.selectOption("#kind", "cooperative");
  await page.fill("#commune", "thoi-lai");
  await page.check("#doc-food_safety_certificate");
  await Promise.all([page.waitForURL(/\/cases\/can-tho-/), page.locator("form[action='/cases/new'] button[type=submit]").click()]);
  caseUrl = page.url();
  assert.equal(await page.locator("h1").textContent(), NAME);
  assert.match(await page.locator("#cycle-title").textContent(), /<script>alert\(1\)<\/script>/);
  assert.equal(await page.locator("main script").count(), 0, "no script element from the name");
  await look(page, "case-registration");
  await take(page, "Nộp hồ sơ cho UBND cấp xã");
  assert.match(await flash(page), /Đã thực hiện/);

  // The commune officer finds it in "my work" and proposes it.
  page = await as("commune");
  await page.goto(`${BASE}/work`);
  await look(page, "work-commune");
  const link = page.locator("table.work a", { hasText: "Bánh pía" }).first();
  assert.equal(await link.textContent(), NAME);
  await link.click();
  await take(page, "Đề nghị UBND cấp tỉnh đánh giá");
  page = await as("office");
  await page.goto(caseUrl);
  await take(page, "Hồ sơ hợp lệ, chuyển Tổ tư vấn");
  page = await as("advisory");
  await page.goto(caseUrl);
  await take(page, "Báo cáo đánh giá gửi Chủ tịch Hội đồng");

  // The chair constitutes a council of five; closing it now is blocked, and says why.
  page = await as("chair");
  await page.goto(caseUrl);
  await look(page, "case-constitute");
  await page.fill("#members", "hd-m1\nhd-m2\nhd-m3\nhd-m4");
  await Promise.all([page.waitForLoadState("load"), page.locator("form.council button[type=submit]").click()]);
  assert.match(await flash(page), /5 thành viên/);
  const close = page.locator("li.action", { hasText: "Hội đồng báo cáo kết quả" });
  assert.ok(await close.locator("button[disabled]").isVisible());
  assert.match(await close.locator(".why").textContent(), /Mới có 0\/5 thành viên nộp phiếu chấm; cần ít nhất 5 phiếu/);

  // A role that must not see an action: the producer sees neither the council's nor the
  // decision's buttons, only the case.
  page = await as("producer");
  await page.goto(caseUrl);
  assert.equal(await page.locator("li.action").count(), 0);
  assert.equal(await page.getByText("Chấm điểm sản phẩm").count(), 0);

  // Five members score through the form; m4 with the keyboard only.
  const targets = { chair: 80, m1: 81, m2: 82, m3: 81, m4: 80 };
  for (const [who, target] of Object.entries(targets)) {
    page = await as(who);
    await page.goto(caseUrl);
    await page.getByRole("link", { name: "Chấm điểm sản phẩm" }).click();
    await page.waitForURL(/\/score\/province_council$/);
    if (who === "chair") await look(page, "score-form-empty");
    const hash = await page.locator("main code.hash").first().textContent();
    assert.match(hash, /^[0-9a-f]{64}$/);
    pluginHash ||= hash;
    assert.equal(hash, pluginHash, "every member scores with the same plugin");
    const total = await score(page, target, { keyboard: who === "m4" });
    assert.ok(total >= target && total < target + 1, `${who}: planned ${total}`);
    // The running total and the plugin's preview follow the choices.
    await page.waitForFunction(() => /Kết quả/.test(document.getElementById("preview").textContent));
    const preview = await page.locator("#preview").textContent();
    assert.match(preview, /Hạng theo điểm: 4 ★★★★/, preview);
    assert.match(preview, /Kết quả: 4 ★★★★/, preview);
    const shown = (await page.locator("#total-all").textContent()).replace(",", ".");
    assert.equal(parseFloat(shown), total);
    if (who === "chair") {
      await look(page, "score-form-filled");
      if (SHOTS) {
        // The README's picture: the first criteria with their options, marks and the totals.
        await page.setViewportSize({ width: 1000, height: 660 });
        await page.evaluate(() => window.scrollTo(0, document.querySelector("section.part").offsetTop - 8));
        await page.screenshot({ path: join(SHOTS, "readme-scoring-form.png") });
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    }
    await submitSheet(page, { keyboard: who === "m4" });
    assert.match(await flash(page), /Đã nộp phiếu chấm/);
    if (who === "m1") {
      // m1 cannot see the chair's sheet before the council closes.
      await page.goto(`${caseUrl}/sheets/province_council/hd-chu-tich`);
      assert.match(await page.locator("main").textContent(), /giữ kín/);
      await look(page, "sheet-hidden");
      await page.goto(caseUrl);
      assert.match(await page.locator("ol.timeline").textContent(), /Điểm được giữ kín/);
      await page.goto(`${caseUrl}/sheets/province_council/hd-m1`);
      // The event keeps the plugin's totals only; the lines come from scoring the sheet
      // again with the plugin its sha256 pins.
      assert.ok((await page.locator("table.lines tbody tr").count()) >= 30);
      assert.equal(await page.locator("main .why").count(), 0);
      await look(page, "sheet-own");
    }
  }

  // The chair closes the council; now everyone sees every sheet.
  page = await as("chair");
  await page.goto(caseUrl);
  await take(page, "Hội đồng báo cáo kết quả");
  page = await as("m1");
  await page.goto(`${caseUrl}/sheets/province_council/hd-chu-tich`);
  assert.match(await page.locator("h1").textContent(), /hd-chu-tich/);
  // The sheet names the plugin that scored it by the hash the form announced.
  assert.equal(await page.locator("main code.hash").first().textContent(), pluginHash);

  // A member may not decide: the case page offers the result to read, not to decide,
  // and the decision page shows no decision; the provincial chair certifies there.
  await page.goto(caseUrl);
  assert.equal(await page.getByRole("link", { name: "Xem kết quả hội đồng", exact: true }).count(), 1);
  assert.equal(await page.getByText("và quyết định").count(), 0);
  await page.goto(`${caseUrl}/decision`);
  assert.equal(await page.locator("li.action").count(), 0);
  page = await as("decider");
  await page.goto(`${caseUrl}/decision`);
  const result = page.locator("table.result");
  assert.equal(await result.locator("tbody tr").count(), 5);
  assert.match(await result.locator("tfoot").textContent(), /80,8/);
  await look(page, "decision");
  await take(page, "Công nhận, cấp giấy chứng nhận 3-4 sao");
  assert.match(await page.locator(".lead").textContent(), /★★★★/);
  assert.match(await page.locator("dl.facts").textContent(), /★★★★/);
  await look(page, "case-certified");

  // The office announces it and opens a revocation on one of the six grounds; the chair
  // dismisses it and the certificate stays.
  page = await as("office");
  await page.goto(caseUrl);
  await take(page, "Công bố kết quả");
  await page.goto(`${caseUrl}/revocation`);
  assert.equal(await page.locator("input[name=ground]").count(), 6);
  await look(page, "revocation-open");
  await page.check("input[name=ground][value=no_longer_meets_criteria]");
  await page.fill("textarea[name=note]", "Biên bản kiểm tra số 12/BB-SNN");
  await Promise.all([page.waitForLoadState("load"), page.locator("form[action$='/revocation'] button[type=submit]").click()]);
  assert.match(await flash(page), /Đã thực hiện/);
  page = await as("decider");
  await page.goto(`${caseUrl}/revocation`);
  await look(page, "revocation-decide");
  await take(page, "Không thu hồi");
  assert.match(await page.locator(".lead").textContent(), /★★★★/);

  // The programme dashboard, in both languages.
  await page.goto(`${BASE}/dashboard`);
  await look(page, "dashboard");
  await page.getByRole("link", { name: "English" }).click();
  await page.waitForURL(/\/dashboard/);
  assert.equal(await page.locator("html").getAttribute("lang"), "en");
  await look(page, "dashboard-en");
  await page.goto(caseUrl);
  await look(page, "case-monitoring-en");
  await page.goto(`${BASE}/work?scope=all`);
  await look(page, "work-all-en");
});

test("a guard that blocks says why, in words", async () => {
  const page = await as("producer");
  await page.goto(`${BASE}/cases/new`);
  await page.fill("#name", "Trà mãng cầu");
  await page.fill("#producer", "Hộ Nguyễn Văn A");
  await page.fill("#commune", "phong-dien");
  await page.uncheck("#doc-form_02");
  await Promise.all([page.waitForURL(/\/cases\/can-tho-/), page.locator("form[action='/cases/new'] button[type=submit]").click()]);
  const file = page.locator("li.action", { hasText: "Nộp hồ sơ cho UBND cấp xã" });
  assert.ok(await file.locator("button[disabled]").isVisible());
  assert.match(await file.locator(".why").textContent(), /Hồ sơ chưa có: Phiếu tự đánh giá \(Mẫu 02\)/);
  await look(page, "case-blocked");
  // Withdrawing ends the case: not the main button, and the page asks first.
  const withdraw = page.locator("li.action form", { hasText: "Chủ thể rút hồ sơ" });
  assert.match(await withdraw.getAttribute("data-confirm"), /không thể hoàn tác/);
  assert.equal(await withdraw.locator("button.primary").count(), 0);
  // Filing the missing form lifts the block.
  await page.locator("details.dossier summary").click();
  await page.check("#doc-form_02");
  await Promise.all([page.waitForLoadState("load"), page.locator("form[action$='/dossier'] button[type=submit]").click()]);
  assert.equal(await page.locator("li.action", { hasText: "Nộp hồ sơ cho UBND cấp xã" }).locator("button[disabled]").count(), 0);
});

test("a form posted from another origin is refused", async () => {
  const page = await as("office");
  await page.goto(caseUrl);
  const version = await page.locator("input[name=version]").first().getAttribute("value");
  const csrf = await page.locator("input[name=csrf]").first().getAttribute("value");
  // Another site on this machine serves a form that posts to the case (even with the
  // right token, which an attacker could not know).
  const evil = createServer((req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(`<!doctype html><html lang="en"><title>x</title><form id="f" method="post" action="${caseUrl}/take">
      <input name="csrf" value="${csrf}"><input name="version" value="${version}">
      <input name="transition" value="inspect_ad_hoc"><input name="inspection" value="non_compliant">
      <button>go</button></form>`);
  });
  await new Promise((r) => evil.listen(0, "127.0.0.1", r));
  const port = evil.address().port;
  await page.goto(`http://127.0.0.1:${port}/`);
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(caseUrl) && r.request().method() === "POST"),
    page.locator("#f button").click(),
  ]);
  await page.waitForLoadState("load");
  assert.equal(answer.status(), 403);
  assert.match(await page.locator("main").textContent(), /biểu mẫu không được gửi từ trang của hệ thống này/);
  await look(page, "refused");
  evil.close();
  await page.goto(caseUrl);
  assert.doesNotMatch(await page.locator("ol.timeline").textContent(), /Ghi nhận kiểm tra/);
});

test("cookies are HttpOnly, Secure and SameSite; pages refuse to be framed", async () => {
  const page = await as("m2");
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "__Host-ocop_session");
  assert.ok(session, JSON.stringify(cookies));
  for (const c of cookies) {
    assert.equal(c.httpOnly, true, c.name);
    assert.equal(c.secure, true, c.name);
    assert.equal(c.sameSite, "Lax", c.name);
  }
  const res = await page.goto(`${BASE}/work`);
  const h = res.headers();
  assert.match(h["content-security-policy"], /frame-ancestors 'none'/);
  assert.equal(h["x-frame-options"], "DENY");
});

test("signing in makes a new session id; the old one and a signed-out one open nothing", async () => {
  const cookieOf = async (context) =>
    (await context.cookies()).find((c) => c.name === "__Host-ocop_session")?.value;
  // The attacker plants a session id of their choosing in the victim's browser.
  const victim = await person(browser);
  const url = new URL(BASE);
  await victim.context.addCookies([
    { name: "__Host-ocop_session", value: "planted-by-the-attacker", domain: url.hostname, path: "/", secure: true, httpOnly: true, sameSite: "Lax" },
  ]);
  await victim.page.goto(`${BASE}/login`);
  await victim.page.locator("a.button[href^='/login/start/dev']").click();
  await victim.page.waitForURL(/\/login\/dev\?/);
  const during = await cookieOf(victim.context);
  await victim.page.fill("#actor", "hd-m3");
  await victim.page.check("#role-province_council_member");
  await victim.page.locator("form[action='/login/dev'] button[type=submit]").click();
  await victim.page.waitForURL(/\/work/);
  const after = await cookieOf(victim.context);
  assert.ok(after && after.length >= 40, `a long random id: ${after}`);
  assert.notEqual(after, "planted-by-the-attacker");
  assert.notEqual(after, during);
  // Neither the planted id nor the one of the unfinished sign-in opens the victim's pages.
  const attacker = await person(browser);
  for (const value of ["planted-by-the-attacker", during].filter(Boolean)) {
    await attacker.context.clearCookies();
    await attacker.context.addCookies([{ name: "__Host-ocop_session", value, domain: url.hostname, path: "/", secure: true, httpOnly: true, sameSite: "Lax" }]);
    await attacker.page.goto(`${BASE}/work`);
    assert.match(attacker.page.url(), /\/login\?next=/, value);
  }
  // After signing out, the id that was signed in opens nothing either.
  await Promise.all([victim.page.waitForURL(/\/login/), victim.page.locator("form[action='/logout'] button").click()]);
  await attacker.context.clearCookies();
  await attacker.context.addCookies([{ name: "__Host-ocop_session", value: after, domain: url.hostname, path: "/", secure: true, httpOnly: true, sameSite: "Lax" }]);
  await attacker.page.goto(`${BASE}/work`);
  assert.match(attacker.page.url(), /\/login\?next=/);
  await victim.context.close();
  await attacker.context.close();
});
