import { z } from 'zod';

export const RoleSchema = z.enum(['user', 'admin']);
export type Role = z.infer<typeof RoleSchema>;

/** What a client may know about an account: never the password hash. */
export const UserSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: RoleSchema,
  createdAt: z.iso.datetime(),
  /** The address was confirmed by following a link sent to it. */
  emailVerified: z.boolean(),
});
export type User = z.infer<typeof UserSchema>;
