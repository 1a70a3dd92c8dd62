import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * Debian's Chromium, headless, driven by playwright-core (no browser download: .ci/run installs
 * the `chromium` package). The machine has no network, so everything that would reach out is
 * off; each browser gets a fresh profile directory, removed at close.
 */
export const ChromiumPath = "/usr/bin/chromium";
export const ChromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Errors the page threw (a test asserts there were none). */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(url: string, viewport = { width: 1400, height: 860 }): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), "ct-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: ChromiumPath,
    headless: true,
    args: ChromiumArgs,
    viewport,
    locale: "en-US",
    timezoneId: "Europe/Berlin",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url);
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where the console's screenshots go (docs/screenshots, referenced from the README). */
export function screenshotPath(name: string): string {
  const dir = path.resolve("docs/screenshots");
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `console-${name}.png`);
}
