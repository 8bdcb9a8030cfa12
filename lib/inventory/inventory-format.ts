import type { Finding, RouteEntry } from './route-entry.interface.js';

export type InventoryFormat = 'table' | 'json' | 'md';

function protection(e: RouteEntry): string {
  const base = e.policy === 'roles' ? `roles: ${e.roles.join('|')}` : e.policy;
  return `${base}${e.explicit ? '' : ' (default)'}${e.guarded ? '' : ' UNGUARDED'}`;
}

function flows(e: RouteEntry): string {
  return e.flows.map((f) => `${f.name} ${f.limit}/${Math.round(f.windowMs / 1000)}s by ${f.by}${f.scope ? ` per ${f.scope}` : ''}`).join('; ') || '-';
}

function rows(entries: RouteEntry[]): string[][] {
  return entries.map((e) => [e.method, e.path, protection(e), flows(e), `${e.controller}.${e.handler}`]);
}

const HEADER = ['METHOD', 'PATH', 'PROTECTION', 'FLOWS', 'HANDLER'];

export function formatTable(entries: RouteEntry[]): string {
  const all = [HEADER, ...rows(entries)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

export function formatFindings(findings: Finding[]): string {
  if (findings.length === 0) return 'No findings.';
  return findings
    .map((f) => `${f.acknowledged ? '[acknowledged] ' : ''}${f.code} ${f.route}: ${f.message}. Fix: ${f.fix}${f.acknowledged ? ` (reason: ${f.acknowledged})` : ''}`)
    .join('\n');
}

export function formatInventory(entries: RouteEntry[], findings: Finding[], format: InventoryFormat): string {
  if (format === 'json') return JSON.stringify({ routes: entries, findings }, null, 2);
  if (format === 'md') {
    const escape = (s: string) => s.replace(/\|/g, '\\|');
    const table = [
      `| ${HEADER.join(' | ')} |`,
      `|${HEADER.map(() => '---').join('|')}|`,
      ...rows(entries).map((r) => `| ${r.map((c) => escape(c)).join(' | ')} |`),
    ].join('\n');
    const list = findings.length ? findings.map((f) => `- ${f.acknowledged ? '~~' : ''}**${f.code}** ${escape(f.route)}: ${f.message}. Fix: ${f.fix}${f.acknowledged ? `~~ (acknowledged: ${f.acknowledged})` : ''}`).join('\n') : 'No findings.';
    return `## API inventory\n\n${table}\n\n## Findings\n\n${list}\n`;
  }
  return `${formatTable(entries)}\n\n${formatFindings(findings)}`;
}
