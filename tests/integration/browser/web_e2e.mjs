// Browser checks of quai serve's web UI, driven by test_web_browser.py:
// node web_e2e.mjs CONFIG.json; prints one JSON object of results.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = {};

const browser = await chromium.launch({
  executablePath: cfg.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"],
});
try {
  async function signIn(user) {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await ctx.newPage();
    page.on("dialog", async (d) => { out.dialog = d.message(); await d.dismiss(); });
    await page.goto(cfg.url + "/login");
    await page.fill("input[name=user]", user);
    await page.fill("input[name=password]", cfg.password);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    return page;
  }
  const admin = await signIn("alice");
  out.projects = await admin.textContent("main");
  await admin.screenshot({ path: cfg.shots + "/projects.png", fullPage: true });

  await admin.goto(cfg.url + "/pipelines/" + cfg.hostile_pipeline);
  out.message = await admin.textContent("pre.msg");
  out.scripts = await admin.evaluate(() => Array.from(document.scripts).map((s) => s.src));
  await admin.screenshot({ path: cfg.shots + "/pipeline.png", fullPage: true });

  // the live log: lines appear while the job runs
  await admin.goto(cfg.url + "/jobs/" + cfg.live_job);
  const count = () => admin.evaluate(() => document.querySelectorAll("#log .l").length);
  const first = await count();
  await admin.waitForFunction((n) => document.querySelectorAll("#log .l").length >= n + 5, first, { timeout: 20000 });
  out.live_first = first;
  out.live_later = await count();
  out.live_text = await admin.textContent("#log");
  await admin.screenshot({ path: cfg.shots + "/job-log.png", fullPage: true });

  // cancel with the button
  await admin.goto(cfg.url + "/pipelines/" + cfg.live_pipeline);
  await Promise.all([admin.waitForNavigation(), admin.click("button:has-text('Cancel')")]);
  out.after_cancel_url = admin.url();

  // a read-only user: no action buttons
  const reader = await signIn("bob");
  await reader.goto(cfg.url + "/pipelines/" + cfg.hostile_pipeline);
  out.reader_buttons = await reader.evaluate(() =>
    Array.from(document.querySelectorAll("main button")).map((b) => b.textContent));
  await reader.goto(cfg.url + "/");
  out.reader_all_buttons = await reader.evaluate(() =>
    Array.from(document.querySelectorAll("button")).map((b) => b.textContent));
  // a phone
  await reader.setViewportSize({ width: 375, height: 740 });
  await reader.screenshot({ path: cfg.shots + "/projects-phone.png", fullPage: true });
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
