/**
 * What a signed-in user may do beyond the routes every user has. Quarry has no user management
 * yet: the one administrator is the `admin` user made on the first start (src/server/bootstrap.ts),
 * and every other user (made by hand in the meta store, or by a later user API) has no capability.
 * When roles are stored, only `hasCapability` changes.
 */

export const Capability = {
  /** Set other users' passwords and replace ingest tokens. */
  Admin: 'admin',
} as const;
export type Capability = (typeof Capability)[keyof typeof Capability];

/** The username of the administrator created on the first start. */
export const ADMIN_USERNAME = 'admin';

/** True when the user (however they signed in) has the capability. */
export function hasCapability(user: { username: string }, capability: Capability): boolean {
  switch (capability) {
    case Capability.Admin:
      return user.username === ADMIN_USERNAME;
  }
}
