/** The authenticated caller, as put on `request.user` by ShieldAuthGuard. */
export interface Principal {
  /** The token's `sub` claim. */
  id: string;
  /** Roles as carried by the token (before hierarchy expansion). */
  roles: string[];
  /** Every verified claim of the token. */
  claims: Readonly<Record<string, unknown>>;
}
