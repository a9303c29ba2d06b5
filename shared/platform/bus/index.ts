import { migrationsOf } from '../module.ts'

// busMigrations are the outbox, inbox and dead-letter tables every database with events holds
export const busMigrations = migrationsOf('bus', import.meta.dirname)
