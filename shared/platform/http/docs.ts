import { Hono } from 'hono'
import swaggerCss from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' }
import swaggerJs from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' }
import type { AppEnv } from './env.ts'

const page = (title: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title} — API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`

// INIT starts Swagger UI from a file of its own: the CSP allows no inline script
const INIT = "SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true })\n"

// docsRoutes serves /openapi.json and a Swagger UI page whose assets come from this process
// (swagger-ui-dist, embedded in the binary), so the docs work offline
export function docsRoutes(document: unknown, title: string): Hono<AppEnv> {
  const html = page(title)
  const json = JSON.stringify(document)
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) => c.body(json, 200, { 'Content-Type': 'application/json' }))
    .get('/docs', (c) => c.html(html))
    .get('/docs/swagger-ui.css', () => asset(swaggerCss, 'text/css; charset=utf-8'))
    .get('/docs/swagger-ui-bundle.js', () => asset(swaggerJs, 'text/javascript; charset=utf-8'))
    .get('/docs/init.js', (c) =>
      c.body(INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
    )
}

const asset = (path: string, type: string) =>
  new Response(Bun.file(path), {
    headers: { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' },
  })
