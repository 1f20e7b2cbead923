/** @module Users and their roles. */
import { z } from "zod";

/** A role: every user has `user`; `admin` may manage everything. */
export const RoleSchema = z.enum(["user", "admin"]).describe("Role of a user");
export type Role = z.infer<typeof RoleSchema>;

/** Usernames as facilities issue them: letters, digits and `._@-`, 1–128 characters. */
export const UsernameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, "letters, digits and . _ @ - only, starting with a letter or digit")
  .describe("Login name as issued by the facility");

/** A user known to Calipso. */
export const UserSchema = z
  .object({
    id: z.string().min(1).describe("Stable identifier assigned by the store"),
    username: UsernameSchema,
    displayName: z.string().max(256).optional().describe("Name to show"),
    email: z.string().max(320).optional().describe("E-mail address"),
    roles: z.array(RoleSchema).describe("Roles; always contains 'user'"),
    mayUseOwnResources: z.boolean().describe("May launch environments without an experiment"),
    createdAt: z.date(),
    experimentsSyncedAt: z.date().optional().describe("When the user's experiments were last read from the source"),
  })
  .describe("User");
export type User = z.infer<typeof UserSchema>;

/** Who a provider says someone is, after a successful login. */
export const IdentitySchema = z.object({
  username: UsernameSchema,
  displayName: z.string().max(256).optional(),
  email: z.string().max(320).optional(),
  roles: z.array(RoleSchema).optional().describe("Role hint from the identity provider"),
  mayUseOwnResources: z.boolean().optional(),
});
export type Identity = z.infer<typeof IdentitySchema>;

/** Whether the user has the admin role. */
export function isAdmin(user: Pick<User, "roles">): boolean {
  return user.roles.includes("admin");
}
