// Drives VS Code's workbench (code-server) in headless Chromium for test_server_vscode.py:
// waits for the scaffold extension's diagnostics in the Problems panel, runs "Fix All", then
// the `noqa` quick fix, saving each time, and prints what it saw as lines on stdout.
"use strict";

const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const [url, project, chromiumPath] = process.argv.slice(2);
const initFile = path.join(project, "pkg", "__init__.py");
// Patience for a slow machine only: every wait ends as soon as its state is reached.
const PATIENCE = 120000;

function report(line) {
  process.stdout.write(line + "\n");
}

async function problems(page) {
  return page.$$eval(".markers-panel .monaco-list-row", (rows) =>
    rows.map((row) => row.innerText.replace(/\s+/g, " ").trim()),
  );
}

async function waitForProblems(page, predicate) {
  const deadline = Date.now() + PATIENCE;
  for (;;) {
    const rows = await problems(page);
    if (predicate(rows)) return rows;
    if (Date.now() > deadline) throw new Error("problems never settled: " + JSON.stringify(rows));
    await page.waitForTimeout(250);
  }
}

async function waitForFile(expected) {
  const deadline = Date.now() + PATIENCE;
  for (;;) {
    const text = fs.readFileSync(initFile, "utf8");
    if (text.includes(expected)) return text;
    if (Date.now() > deadline) throw new Error("file never became: " + expected + "\n" + text);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// A command is listed only once its precondition holds (Fix All needs the file's code action
// provider, registered when the server has started): ask again until it is.
async function runCommand(page, title) {
  const deadline = Date.now() + PATIENCE;
  for (;;) {
    await page.keyboard.press("F1");
    await page.waitForSelector(".quick-input-widget input", { state: "visible" });
    await page.keyboard.type(title);
    const item = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
    try {
      await item.waitFor({ timeout: 3000 });
      await item.click();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press("Escape");
    }
  }
}

async function goTo(page, position) {
  await page.keyboard.press("Control+G");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(position);
  await page.keyboard.press("Enter");
}

// Ctrl+. right after a jump sometimes shows "No code actions available" although the server's
// answer (in the LSP trace) has the action; asking again shows the menu.
async function quickFixMenu(page, title) {
  const deadline = Date.now() + PATIENCE;
  const row = page.locator(".action-widget .monaco-list-row", { hasText: title }).first();
  for (;;) {
    await page.keyboard.press("Control+.");
    try {
      await row.waitFor({ timeout: 3000 });
      return (await row.innerText()).trim();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press("Escape");
    }
  }
}

// The code action menu takes no clicks while it opens (a pointer block covers the page):
// walk its focus down to the wanted action and apply it with Enter, as a keyboard user does.
async function pick(page, title) {
  const focused = page.locator(".action-widget .monaco-list-row.focused");
  for (let step = 0; step < 20; step++) {
    if ((await focused.innerText()).includes(title)) {
      await page.keyboard.press("Enter");
      return;
    }
    await page.keyboard.press("ArrowDown");
  }
  throw new Error("the code action menu never focused " + title);
}

// A finding's row reads "message scaffold CODE [Ln 5, Col 34]" (the parentheses around the
// code are drawn by CSS); its related locations and the file headers do not name the source.
const isProblem = (row) => / scaffold \w+ \[Ln \d+, Col \d+\]$/.test(row);
const problemsOf = (rows) => rows.filter(isProblem);

async function main() {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // The machine's closed network refuses Chromium's background connections.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(PATIENCE);
    await page.goto(`${url}/?folder=${encodeURIComponent(project)}`);
    await page.waitForSelector(".monaco-workbench .part.editor");
    await runCommand(page, "View: Toggle Problems");
    await page.waitForSelector(".markers-panel");
    // Findings of files never opened (a.py, b.py) arrive too: VS Code pulls the workspace's.
    let rows = await waitForProblems(page, (r) => problemsOf(r).length === 4);
    for (const row of problemsOf(rows).sort()) report("problem " + row);

    await page.keyboard.press("Control+P");
    await page.waitForSelector(".quick-input-widget input", { state: "visible" });
    await page.keyboard.type("pkg/__init__.py");
    // Enter only once the list is filtered down to the file (the first row until then is any).
    const row = page.locator(".quick-input-list .monaco-list-row.focused", {
      hasText: "__init__.py",
    });
    await row.waitFor();
    await page.keyboard.press("Enter");
    await page.locator(".tab.active", { hasText: "__init__.py" }).waitFor();
    await page.waitForSelector(".monaco-editor .view-lines");

    await runCommand(page, "Fix All");
    await page.keyboard.press("Control+S");
    report("after fix all: " + (await waitForFile('["present", "missing"]')).split("\n")[4]);
    rows = await waitForProblems(page, (r) => problemsOf(r).length === 3);
    report("republished " + !problemsOf(rows).some((row) => row.includes("more than once")));

    await page.locator(".monaco-editor .view-lines").first().click();
    await goTo(page, "5:23");
    report("offered " + (await quickFixMenu(page, "noqa: EXP001")));
    await pick(page, "noqa: EXP001");
    await page.keyboard.press("Control+S");
    report("after noqa: " + (await waitForFile("# noqa: EXP001")).split("\n")[4]);
    rows = await waitForProblems(page, (r) => problemsOf(r).length === 2);
    report("file clean " + !problemsOf(rows).some((row) => row.includes("__all__")));
  } catch (error) {
    if (process.env.SCAFFOLD_VSCODE_SCREENSHOT) {
      const [page] = browser.contexts().flatMap((context) => context.pages());
      if (page) await page.screenshot({ path: process.env.SCAFFOLD_VSCODE_SCREENSHOT });
    }
    throw error;
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
