import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

// CHROMIUM is Debian's chromium, which .ci/run installs when it is missing
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

// SCREENSHOTS is where browser tests leave their pictures (git-ignored)
export const SCREENSHOTS = join(import.meta.dir, '..', '..', 'test-results')

// hasChromium tells whether the browser tests can run here
export const hasChromium = () => existsSync(CHROMIUM)

// Browser is one headless Chromium with a fresh profile, closed (and its profile removed) by close
export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

// launchBrowser starts headless Chromium on a throwaway user-data-dir, offline from the world:
// no sync, no component updates, no background networking
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'twinstack-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 1000 },
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return {
    context,
    async close() {
      await context.close().catch(() => {})
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

// screenshotPath names a file under test-results/, creating the folder
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true })
  return join(SCREENSHOTS, name)
}
