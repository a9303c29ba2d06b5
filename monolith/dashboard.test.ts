import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { CARD_OK } from '../shared/testing/api-suite.ts'
import {
  type Browser,
  hasChromium,
  launchBrowser,
  screenshotPath,
} from '../shared/testing/browser.ts'
import { loginAt } from '../shared/testing/http.ts'
import { freePort, type Started, startProcess } from '../shared/testing/process.ts'

// The dashboard of the monolith in headless Chromium, started under its keeper as users start
// it: modules instead of services, and a crash in one module taking the whole process down
const entry = join(import.meta.dir, '..', 'twinstack.ts')
let dir = ''
let url = ''
let keeper: Started | undefined
let browser: Browser | undefined
let page: Page

describe.skipIf(!hasChromium() && !process.env.CI)(
  'Dashboard on the monolith (headless Chromium)',
  () => {
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'twinstack-dashboard-mono-'))
      const port = freePort()
      url = `http://127.0.0.1:${port}`
      keeper = await startProcess([process.execPath, entry, 'monolith', '--demo', '--open-ops'], {
        env: { TWINSTACK_DATA: dir, PORT: String(port), HOST: '127.0.0.1' },
        url,
      })
      browser = await launchBrowser()
      page = await browser.context.newPage()
    }, 60_000)
    afterAll(async () => {
      await browser?.close()
      await keeper?.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    it('loads and shows the modules of one process, without process buttons', async () => {
      await page.goto(`${url}/_/dashboard`)
      await page.waitForSelector('#connection[data-state="live"]', { timeout: 15_000 })
      await page.waitForSelector('.card[data-target="payments"][data-state="up"]', {
        timeout: 15_000,
      })
      expect(await page.textContent('#deployment')).toBe('monolith')
      expect(await page.textContent('#topology-title')).toBe('Modules')
      for (const m of ['storefront', 'catalog', 'checkout', 'orders', 'payments', 'credit-check'])
        expect(await page.locator(`.card[data-target="${m}"]`).count()).toBe(1)
      expect(await page.isVisible('button[data-action="kill"][data-target="payments"]')).toBe(false)
      expect(await page.isVisible('button[data-action="crash"][data-target="payments"]')).toBe(true)
    })

    it('arms a crash with its button; the next checkout takes everything down until restart', async () => {
      await page.fill('#email', 'admin@twinstack.dev')
      await page.fill('#password', 'admin-password')
      await page.click('#sign-in')
      await page.click('button[data-action="crash"][data-target="payments"]:enabled')
      await page.waitForSelector('.card[data-target="payments"][data-state="crash-armed"]', {
        timeout: 10_000,
      })
      const user = await loginAt(url, 'demo13@twinstack.dev', 'demo-password')
      const crashed = await fetch(`${url}/api/checkout`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${user}` },
        body: JSON.stringify({ items: [{ productId: 'p-0021', quantity: 1 }], card: CARD_OK }),
      }).catch((e: Error) => e)
      expect(crashed).toBeInstanceOf(Error)
      // the page saw the stream drop, then came back by itself once the keeper restarted the process
      await page.waitForSelector('body[data-outages]', { state: 'attached', timeout: 15_000 })
      await page.waitForSelector('#connection[data-state="live"]', { timeout: 20_000 })
      await page.waitForSelector('.card[data-target="payments"][data-state="up"]', {
        timeout: 10_000,
      })
      await page.waitForSelector('#events li:has-text("restarted")', { timeout: 10_000 })
      await page.screenshot({ path: screenshotPath('dashboard-monolith.png'), fullPage: true })
    }, 60_000)

    it('shows the armed faults by class, on the card and in the chaos panel, until healed', async () => {
      await page.click('button[data-action="hang"][data-target="pricing"]:enabled')
      const card = '.card[data-target="pricing"] [data-f="faults"]'
      await page.waitForSelector(`${card} .chip:has-text("hung")`, { timeout: 10_000 })
      await page.waitForSelector('#faults .chip:has-text("pricing: hung")', { timeout: 10_000 })
      const admin = await loginAt(url, 'admin@twinstack.dev', 'admin-password')
      const arm = (action: string, body: object) =>
        fetch(`${url}/_/chaos/${action}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${admin}` },
          body: JSON.stringify({ target: 'pricing', ...body }),
        })
      expect((await arm('cpu', { ms: 5 })).status).toBe(200)
      expect((await arm('leak', { mibPerSec: 0.5 })).status).toBe(200)
      await page.click('button[data-action="poison"][data-target="pricing"]:enabled')
      for (const text of ['cpu 5 ms/call', 'leak 0.5 MiB/s', 'poison armed'])
        await page.waitForSelector(`${card} .chip:has-text("${text}")`, { timeout: 10_000 })
      await page.click('button[data-action="heal"][data-target="pricing"]:enabled')
      await page.waitForSelector(`${card} .chip`, { state: 'detached', timeout: 10_000 })
      expect(await page.textContent('#faults')).toContain('no faults in force')
    }, 60_000)

    it('says so when the deployment is gone', async () => {
      await keeper?.stop()
      await page.waitForSelector('#banner', { state: 'visible', timeout: 15_000 })
      await page.waitForSelector('.card[data-target="payments"][data-state="down"]', {
        timeout: 5000,
      })
      expect(await page.getAttribute('#connection', 'data-state')).toBe('down')
      await page.screenshot({
        path: screenshotPath('dashboard-monolith-unreachable.png'),
        fullPage: true,
      })
    }, 30_000)
  },
)
