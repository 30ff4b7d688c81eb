/** Escapes text for HTML element content and quoted attributes: pages and mail put every interpolated value through it. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
