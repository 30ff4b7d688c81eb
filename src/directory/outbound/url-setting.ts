import { isIP } from 'node:net';

export interface UrlSetting {
  /** The setting's name, such as DIRECTORY_URL; every problem starts with it. */
  name: string;
  /** Said when it is unset, after "must be set to": what it should point at. */
  pointsAt: string;
  /** Said when it carries credentials: what authenticates the calls instead. */
  authenticatedBy: string;
  /** Paths are appended to it, so a query or fragment is refused. */
  baseUrl?: boolean;
}

/**
 * The problem with a URL setting that a directory calls out to, prefixed with the setting's
 * name, or null when it is fine. The URL itself is never echoed: credentials in it are the
 * very thing refused here, and these messages end up in logs.
 */
export function checkUrlSetting(url: string | null, setting: UrlSetting): string | null {
  const problem = urlProblem(url, setting);
  return problem ? `${setting.name}: ${problem}` : null;
}

function urlProblem(url: string | null, setting: UrlSetting): string | null {
  if (!url) return `must be set to ${setting.pointsAt}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be an absolute http:// or https:// URL';
  if (parsed.username || parsed.password) return `must not carry credentials; ${setting.authenticatedBy}`;
  if (setting.baseUrl && (parsed.search || parsed.hash)) return "must be the server's base URL, without a query or fragment";
  // Secrets and new passwords travel in these calls: plain http only where no network is crossed.
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
    return `plain http:// is allowed only to a loopback host (localhost, 127.0.0.0/8, [::1]), not ${parsed.hostname}; use https://`;
  }
  return null;
}

/** `hostname` as the URL parser leaves it: IPv4 canonical (127.1 → 127.0.0.1), IPv6 in brackets and compressed. */
function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}
