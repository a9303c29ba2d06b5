import { z } from 'zod'
import type { Endpoint } from '../../contracts/api.ts'

const problem = {
  description: 'problem+json (RFC 9457)',
  content: {
    'application/problem+json': {
      schema: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          errors: { type: 'array' },
        },
      },
    },
  },
}

const schema = (s: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'openapi-3.0' })

// openApiDocument describes the public endpoints as OpenAPI 3.0, straight from the zod contracts
export function openApiDocument(endpoints: Endpoint[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const e of endpoints) {
    const parameters: unknown[] = []
    for (const name of e.path.match(/\{(\w+)\}/g) ?? []) {
      const n = name.slice(1, -1)
      parameters.push({ name: n, in: 'path', required: true, schema: { type: 'string' } })
    }
    if (e.query) {
      const q = schema(e.query, 'input') as { properties?: Record<string, unknown> }
      for (const [name, s] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: 'query', required: false, schema: s })
      }
    }
    for (const [name, description] of Object.entries(e.headers ?? {})) {
      parameters.push({
        name,
        in: 'header',
        required: false,
        description,
        schema: { type: 'string' },
      })
    }
    const responses: Record<string, unknown> = {
      [e.status]: {
        description: 'success',
        content: e.response
          ? { 'application/json': { schema: schema(e.response, 'output') } }
          : undefined,
      },
      '4XX': problem,
      '503': problem,
    }
    paths[e.path] ??= {}
    paths[e.path]![e.method] = {
      summary: e.summary,
      tags: [e.tag],
      parameters,
      security: e.auth === 'none' ? [] : [{ bearer: [] }],
      requestBody: e.body
        ? { required: true, content: { 'application/json': { schema: schema(e.body, 'input') } } }
        : undefined,
      responses,
    }
  }
  return {
    openapi: '3.0.3',
    info: {
      ...info,
      description: 'The same API on the monolith (:3000) and on the micro gateway (:4000).',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    paths,
  }
}
