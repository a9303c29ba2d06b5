import { z } from 'zod'
import { contract } from './contract.ts'

export const RegisterInput = z.object({
  email: z.email().max(200),
  password: z.string().min(8).max(200),
  name: z.string().trim().min(1).max(200),
})
export const LoginInput = z.object({ email: z.string().max(200), password: z.string().max(200) })
export const UserSchema = z.object({ id: z.string(), email: z.string(), name: z.string() })
export const SessionSchema = z.object({
  token: z.string(),
  user: UserSchema.extend({ role: z.enum(['customer', 'admin']) }),
})
export type RegisterInput = z.infer<typeof RegisterInput>
export type LoginInput = z.infer<typeof LoginInput>
export type User = z.infer<typeof UserSchema>
export type Session = z.infer<typeof SessionSchema>

// Users registers people, checks passwords and issues tokens
export interface Users {
  register(input: RegisterInput): Promise<User>
  login(input: LoginInput): Promise<Session>
  user(id: string): Promise<User | null>
}

// usersContract is the Users interface as a neighbour asks for it (module users)
export const usersContract = contract<Users>('users')
