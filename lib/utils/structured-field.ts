/** RFC 8941 sf-string: printable ASCII only, quotes and backslashes escaped. */
export function sfString(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}
