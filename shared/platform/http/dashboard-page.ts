import { Hono } from 'hono'
// @ts-expect-error: a file import (Bun hands back the path of the embedded source), not a module
import appSource from '../dashboard/app.ts' with { type: 'file' }
import indexHtml from '../dashboard/index.html' with { type: 'file' }
import styleCss from '../dashboard/style.css' with { type: 'file' }
import type { AppEnv } from './env.ts'

// Bun's types call an .html import a bundle; imported `with { type: 'file' }` it is a path
const htmlPath = indexHtml as unknown as string

const headers = (type: string) => ({ 'Content-Type': type, 'Cache-Control': 'no-cache' })

// the page script is TypeScript with type imports only: transpiled once, on first request
let appJs: Promise<string> | undefined
const script = () => {
  appJs ??= Bun.file(appSource as string)
    .text()
    .then((ts) => new Bun.Transpiler({ loader: 'ts', target: 'browser' }).transformSync(ts))
  return appJs
}

// dashboardPage serves the live dashboard at /_/dashboard and its assets (embedded in the
// binary, nothing from a CDN); the figures come from /_/dashboard/stream
export function dashboardPage(): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get(
      '/_/dashboard',
      () => new Response(Bun.file(htmlPath), { headers: headers('text/html; charset=utf-8') }),
    )
    .get(
      '/_/dashboard/assets/style.css',
      () => new Response(Bun.file(styleCss), { headers: headers('text/css; charset=utf-8') }),
    )
    .get(
      '/_/dashboard/assets/app.js',
      async () =>
        new Response(await script(), { headers: headers('text/javascript; charset=utf-8') }),
    )
}
