import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { type Browser, hasChromium, launchBrowser } from '../shared/testing/browser.ts'
import { freePort, type Started, startProcess } from '../shared/testing/process.ts'

// The HTML pages in headless Chromium on a monolith started without --demo or --open-ops: the
// dashboard asks for an admin sign-in before it shows anything, and neither it nor Swagger UI
// trips the Content-Security-Policy
const ADMIN_PASSWORD = 'pages-test-admin-password'
let dir = ''
let monolith: Started | undefined
let browser: Browser | undefined
let page: Page
const violations: string[] = []

describe.skipIf(!hasChromium() && !process.env.CI)(
  'HTML pages under CSP (headless Chromium)',
  () => {
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'twinstack-pages-'))
      const port = freePort()
      monolith = await startProcess([process.execPath, join(import.meta.dir, 'main.ts')], {
        env: {
          TWINSTACK_DATA: dir,
          PORT: String(port),
          HOST: '127.0.0.1',
          TWINSTACK_ADMIN_PASSWORD: ADMIN_PASSWORD,
        },
        url: `http://127.0.0.1:${port}`,
      })
      browser = await launchBrowser()
      page = await browser.context.newPage()
      // Chromium reports every blocked script, style or connection on the console
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text())
      })
    }, 60_000)
    afterAll(async () => {
      await browser?.close()
      await monolith?.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    it('shows the dashboard only after an admin signs in, with empty sign-in fields', async () => {
      await page.goto(`${monolith!.url}/_/dashboard`)
      await page.waitForSelector('#connection[data-state="down"]', { timeout: 15_000 })
      expect(await page.textContent('#connection')).toBe('sign in')
      expect(await page.inputValue('#email')).toBe('')
      expect(await page.inputValue('#password')).toBe('')
      expect(await page.locator('.card').count()).toBe(0)
      await page.fill('#email', 'admin@twinstack.dev')
      await page.fill('#password', ADMIN_PASSWORD)
      await page.click('#sign-in')
      await page.waitForSelector('#connection[data-state="live"]', { timeout: 15_000 })
      await page.waitForSelector('.card[data-target="payments"][data-state="up"]', {
        timeout: 15_000,
      })
      expect(violations).toEqual([])
    }, 30_000)

    it('renders Swagger UI from local files without inline script', async () => {
      await page.goto(`${monolith!.url}/docs`)
      await page.waitForSelector('.swagger-ui .opblock', { timeout: 20_000 })
      expect(await page.locator('.swagger-ui .opblock').count()).toBeGreaterThan(10)
      expect(violations).toEqual([])
    }, 30_000)
  },
)
