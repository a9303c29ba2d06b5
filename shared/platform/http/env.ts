import type { AuthUser } from '../../contracts/common.ts'

// AppEnv is the Hono environment every app and sub-app shares
export type AppEnv = {
  Variables: {
    requestId: string
    user: AuthUser | undefined
    // a token identify refused, answered 401 once the rate limiter has counted the request
    authError: Error | undefined
  }
}
