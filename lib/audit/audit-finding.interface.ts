export interface AuditFinding {
  code: string;
  reason: string;
  fix: string;
}
