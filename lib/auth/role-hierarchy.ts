import { ShieldConfigurationError } from '../options/shield-configuration.error.js';
import { assertValidRoleName } from './role-names.js';

/**
 * Transitive role inheritance, checked for cycles once at start-up.
 * `{ admin: ['moderator'], moderator: ['user'] }`: admin also holds moderator and user.
 */
export class RoleHierarchy {
  /** role -> every role it holds, itself included. */
  private readonly closure = new Map<string, ReadonlySet<string>>();

  constructor(definition: Record<string, string[]> = {}) {
    if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
      throw new ShieldConfigurationError('authorization.roleHierarchy must be an object of role -> string[]');
    }
    const edges = new Map<string, string[]>();
    for (const [role, inherits] of Object.entries(definition)) {
      assertValidRoleName(role, 'authorization.roleHierarchy');
      if (!Array.isArray(inherits)) {
        throw new ShieldConfigurationError(`authorization.roleHierarchy.${role} must be an array of role names`);
      }
      inherits.forEach((child) => assertValidRoleName(child, `authorization.roleHierarchy.${role}`));
      edges.set(role, [...inherits]);
    }
    for (const role of this.allRoles(edges)) {
      this.closure.set(role, this.expand(role, edges, []));
    }
  }

  /** Every role named anywhere in the hierarchy. */
  get roles(): ReadonlySet<string> {
    return new Set(this.closure.keys());
  }

  get isEmpty(): boolean {
    return this.closure.size === 0;
  }

  /** Roles that satisfy a requirement of `anyOf`: the required roles and every role above them. */
  grantingRoles(anyOf: readonly string[]): ReadonlySet<string> {
    const granting = new Set<string>(anyOf);
    for (const [role, holds] of this.closure) {
      if (anyOf.some((required) => holds.has(required))) granting.add(role);
    }
    return granting;
  }

  /** A role plus every role it inherits. */
  expand(role: string): ReadonlySet<string>;
  expand(role: string, edges: Map<string, string[]>, path: string[]): ReadonlySet<string>;
  expand(role: string, edges?: Map<string, string[]>, path: string[] = []): ReadonlySet<string> {
    if (!edges) return this.closure.get(role) ?? new Set([role]);
    if (path.includes(role)) {
      throw new ShieldConfigurationError(`authorization.roleHierarchy has a cycle: ${[...path, role].join(' -> ')}`);
    }
    const held = new Set<string>([role]);
    for (const child of edges.get(role) ?? []) {
      for (const inherited of this.expand(child, edges, [...path, role])) held.add(inherited);
    }
    return held;
  }

  private allRoles(edges: Map<string, string[]>): Set<string> {
    const all = new Set<string>();
    for (const [role, children] of edges) {
      all.add(role);
      children.forEach((c) => all.add(c));
    }
    return all;
  }
}
