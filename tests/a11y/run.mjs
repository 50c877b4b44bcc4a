// Measure built pages with Lighthouse (mobile preset) and axe-core in Debian's Chromium.
// Usage: node run.mjs OUTPUT_DIR PATH... ; exits 1 unless every score is 100 and axe finds nothing.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import { chromium } from "playwright-core";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const CHROME = process.env.CHROME_PATH || "/usr/bin/chromium";
const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".svg": "image/svg+xml", ".xml": "application/xml", ".json": "application/json", ".png": "image/png" };

const [rootArg, ...pages] = process.argv.slice(2);
const root = path.resolve(rootArg);

// A static server like the production one: gzip is left to the web server, so serve as files.
const server = http.createServer((req, res) => {
  let file = path.join(root, decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  if (!file.startsWith(path.resolve(root)) || !fs.existsSync(file)) {
    res.writeHead(404, { "Content-Type": TYPES[".html"] });
    return res.end(fs.readFileSync(path.join(root, "404.html")));
  }
  res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream",
    "Cache-Control": "max-age=3600" });
  res.end(fs.readFileSync(file));
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}`;

let failed = false;
const rows = [];
const chrome = await chromeLauncher.launch({ chromePath: CHROME, chromeFlags: FLAGS });
for (const page of pages) {
  const result = await lighthouse(base + page, { port: chrome.port, output: "json", logLevel: "error",
    formFactor: "mobile", onlyCategories: ["performance", "accessibility", "best-practices", "seo"] });
  if (result.lhr.runtimeError) {
    console.error(`${page}: lighthouse failed: ${result.lhr.runtimeError.message}`);
  }
  const scores = Object.fromEntries(Object.entries(result.lhr.categories)
    .map(([k, v]) => [k, Math.round(v.score * 100)]));
  const misses = Object.values(result.lhr.audits)
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative"
      && a.scoreDisplayMode !== "notApplicable" && a.scoreDisplayMode !== "manual")
    .map((a) => a.id);
  rows.push({ page, ...scores, misses });
  if (Object.values(scores).some((s) => s < 100)) failed = true;
}
await chrome.kill();

const browser = await chromium.launch({ executablePath: CHROME, args: FLAGS });
const tab = await browser.newPage({ viewport: { width: 390, height: 844 } });
for (const row of rows) {
  await tab.goto(base + row.page);
  await tab.addScriptTag({ content: AXE });
  const result = await tab.evaluate(() => window.axe.run());
  row.axe = result.violations.map((v) => `${v.id}(${v.nodes.length})`);
  if (row.axe.length) failed = true;
}
await browser.close();
server.close();

console.log("page".padEnd(40), "perf a11y bp  seo  axe / lighthouse audits below 1");
for (const r of rows) {
  console.log(r.page.padEnd(40), String(r.performance).padEnd(4), String(r.accessibility).padEnd(4),
    String(r["best-practices"]).padEnd(4), String(r.seo).padEnd(4),
    [...r.axe, ...r.misses].join(" ") || "ok");
}
process.exit(failed ? 1 : 0);
