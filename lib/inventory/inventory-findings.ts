import type { PolicyKind } from '../auth/route-policy.interface.js';
import type { Finding, RouteEntry } from './route-entry.interface.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'ALL']);
const ADMIN_SEGMENT = /^_.+|(^|[-_.])(admin|administrator|internal|debug|actuator|management|manage|backoffice|console|ops)([-_.]|$)/i;
const AUTH_FLOW = /(^|\/)(login|log-in|signin|sign-in|signup|sign-up|register|password|forgot-password|reset-password|otp|mfa|2fa|verify|token|refresh)(\/|$)/i;
const STRENGTH: Record<PolicyKind, number> = { public: 0, authenticated: 1, roles: 2, deny: 3 };

const where = (e: RouteEntry) => `${e.method} ${e.path} (${e.controller}.${e.handler})`;

/** Each rule: a stable code, what is wrong, and the one-line fix. */
function rawFindings(entries: RouteEntry[]): [RouteEntry, Omit<Finding, 'route'>][] {
  const out: [RouteEntry, Omit<Finding, 'route'>][] = [];
  for (const e of entries) {
    if (!e.guarded) {
      out.push([e, { code: 'UNGUARDED_ROUTE', message: 'no ShieldAuthGuard applies to this route (global: false)', fix: `add @UseGuards(ShieldAuthGuard, RolesGuard) to ${e.controller}, or set global: true` }]);
    }
    if (!e.explicit) {
      out.push([e, { code: 'DEFAULT_POLICY', message: `relies on the default policy ('${e.policy}')`, fix: `add @Public() or @Roles(...) to ${e.controller}.${e.handler}` }]);
    }
    const limitedAuthFlow = AUTH_FLOW.test(e.path) && e.flows.length > 0;
    if (e.policy === 'public' && STATE_CHANGING.has(e.method) && !limitedAuthFlow) {
      out.push([e, { code: 'PUBLIC_STATE_CHANGE', message: `a ${e.method} route is public`, fix: `remove @Public() from ${e.controller}.${e.handler}, or acknowledge it with @AcknowledgeFinding('PUBLIC_STATE_CHANGE', reason)` }]);
    }
    if (e.policy !== 'roles' && e.policy !== 'deny' && e.path.split('/').some((s) => ADMIN_SEGMENT.test(s))) {
      out.push([e, { code: 'ADMIN_PATH_WITHOUT_ROLES', message: 'an administrative-looking path has no @Roles', fix: `add @Roles('admin') to ${e.controller}.${e.handler}` }]);
    }
    if (e.policy === 'public' && e.flows.length === 0 && AUTH_FLOW.test(e.path)) {
      out.push([e, { code: 'AUTH_FLOW_WITHOUT_LIMIT', message: 'a public login/signup/password route has no @SensitiveFlow', fix: `add @SensitiveFlow({ limit: 10, windowMs: 60_000, by: 'ip' }) to ${e.controller}.${e.handler}` }]);
    }
  }
  out.push(...weakerOlderVersions(entries));
  return out;
}

/** Same method and path apart from the URI version: an older version must not be weaker than a newer one. */
function weakerOlderVersions(entries: RouteEntry[]): [RouteEntry, Omit<Finding, 'route'>][] {
  const groups = new Map<string, { version: number; entry: RouteEntry }[]>();
  for (const e of entries) {
    const match = /\/v(\d+)(?=\/|$)/.exec(e.path);
    if (!match) continue;
    const key = `${e.method} ${e.path.replace(match[0], '/v*')}`;
    groups.set(key, [...(groups.get(key) ?? []), { version: Number(match[1]), entry: e }]);
  }
  const out: [RouteEntry, Omit<Finding, 'route'>][] = [];
  for (const versions of groups.values()) {
    const newest = versions.reduce((a, b) => (b.version > a.version ? b : a));
    for (const { version, entry } of versions) {
      if (version === newest.version) continue;
      const weakerPolicy = STRENGTH[entry.policy] < STRENGTH[newest.entry.policy];
      const fewerFlows = entry.flows.length < newest.entry.flows.length;
      if (weakerPolicy || fewerFlows) {
        out.push([entry, {
          code: 'WEAKER_OLDER_VERSION',
          message: `v${version} is weaker than v${newest.version} (${weakerPolicy ? `policy ${entry.policy} < ${newest.entry.policy}` : 'fewer flow limits'})`,
          fix: `give ${entry.controller}.${entry.handler} the protection of v${newest.version}, or retire v${version}`,
        }]);
      }
    }
  }
  return out;
}

export function findingsFor(entries: RouteEntry[], acknowledgedFor: (entry: RouteEntry) => Record<string, string>): Finding[] {
  return rawFindings(entries).map(([entry, finding]) => {
    const reason = acknowledgedFor(entry)[finding.code];
    return { ...finding, route: where(entry), ...(reason ? { acknowledged: reason } : {}) };
  });
}
