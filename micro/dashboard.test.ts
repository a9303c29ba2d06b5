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
import type { Started } from '../shared/testing/process.ts'
import { eventually } from '../shared/testing/wait.ts'
import { startMicro } from './testing.ts'
import { topology } from './topology.ts'

// The dashboard of the microservices, driven in headless Chromium as a user would: kill
// payments with its button, watch it go down and orders -> payments open, start it, watch both
// recover. Waits are bounded; nothing here asserts a duration.
let dataDir = ''
let micro: Started | undefined
let browser: Browser | undefined
let page: Page
let user = ''

const card = (target: string, state: string) =>
  `.card[data-target="${target}"][data-state="${state}"]`
const breaker = (link: string, state: string) => `tr[data-breaker="${link}"][data-state="${state}"]`
const checkout = () =>
  fetch(`${micro!.url}/api/checkout`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${user}` },
    body: JSON.stringify({ items: [{ productId: 'p-0021', quantity: 1 }], card: CARD_OK }),
  }).then((res) => res.status)
// drive checkouts until the page shows what we wait for (a breaker only moves when called)
const driveUntil = (selector: string, waitMs = 30_000) =>
  eventually(async () => {
    await checkout()
    await page.waitForSelector(selector, { timeout: 1000 })
  }, waitMs)

describe.skipIf(!hasChromium() && !process.env.CI)(
  'Dashboard on the microservices (headless Chromium)',
  () => {
    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'twinstack-dashboard-'))
      micro = await startMicro(dataDir, ['--no-restart'])
      user = await loginAt(micro.url, 'demo12@twinstack.dev', 'demo-password')
      browser = await launchBrowser()
      page = await browser.context.newPage()
    }, 120_000)
    afterAll(async () => {
      await browser?.close()
      await micro?.stop()
      rmSync(dataDir, { recursive: true, force: true })
    })

    it('shows every service up, live, with no CDN in sight', async () => {
      const outside: string[] = []
      page.on('request', (r) => {
        if (!r.url().startsWith(micro!.url)) outside.push(r.url())
      })
      await page.goto(`${micro!.url}/_/dashboard`)
      await page.waitForSelector('#connection[data-state="live"]', { timeout: 15_000 })
      await page.waitForSelector(card('payments', 'up'), { timeout: 15_000 })
      expect(await page.locator('.card').count()).toBe(topology.services.length)
      expect(await page.textContent('#deployment')).toBe('microservices')
      // control buttons wait for a sign-in
      expect(await page.isDisabled('button[data-action="kill"][data-target="payments"]')).toBe(true)
      expect(outside).toEqual([])
    })

    it('kills payments with its button: payments down, orders -> payments open', async () => {
      await page.fill('#email', 'admin@twinstack.dev')
      await page.fill('#password', 'admin-password')
      await page.click('#sign-in')
      await page.waitForSelector('button[data-action="kill"][data-target="payments"]:enabled', {
        timeout: 10_000,
      })
      expect(await checkout()).toBe(201)
      await page.click('button[data-action="kill"][data-target="payments"]')
      await page.waitForSelector(card('payments', 'down'), { timeout: 15_000 })
      await driveUntil(breaker('orders->payments', 'open'))
      // the rest stands: the product page's services are still up
      expect(await page.locator(card('storefront', 'up')).count()).toBe(1)
      expect(await page.locator(card('payments', 'down')).count()).toBe(1)
      await page.waitForSelector('#events li[data-tone="bad"]', { timeout: 5000 })
      await page.screenshot({
        path: screenshotPath('dashboard-micro-payments-down.png'),
        fullPage: true,
      })
    }, 60_000)

    it('starts payments with its button: payments up, the breaker closes again', async () => {
      await page.click('button[data-action="start"][data-target="payments"]')
      await page.waitForSelector(card('payments', 'up'), { timeout: 30_000 })
      await driveUntil(breaker('orders->payments', 'closed'))
      expect(await checkout()).toBe(201)
      expect(await page.locator('.card[data-state="down"]').count()).toBe(0)
      await page.screenshot({
        path: screenshotPath('dashboard-micro-recovered.png'),
        fullPage: true,
      })
    }, 60_000)
  },
)
