import { isIP } from 'node:net';

/** Problems with UNLEASH_URL / UNLEASH_API_TOKEN, each naming its setting; empty when fine. */
export function checkUnleashDirectorySettings(url: string | null, token: string | null): string[] {
  const problems: string[] = [];
  const urlProblem = checkUrl(url);
  if (urlProblem) problems.push(`UNLEASH_URL: ${urlProblem}`);
  // Never echo the token: these messages end up in logs.
  if (!token) problems.push('UNLEASH_API_TOKEN: must be set when DIRECTORY=unleash (an admin API token or an admin\'s personal access token)');
  else if (!/^[\x21-\x7e]+$/.test(token)) problems.push('UNLEASH_API_TOKEN: must be printable ASCII without spaces, as Unleash issues it');
  return problems;
}

function checkUrl(url: string | null): string | null {
  if (!url) return 'must be set to the Unleash server, such as https://unleash.example.com, when DIRECTORY=unleash';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be an absolute http:// or https:// URL';
  if (parsed.username || parsed.password) return 'must not carry credentials; resetd signs in with UNLEASH_API_TOKEN';
  if (parsed.search || parsed.hash) return 'must be the server\'s base URL, without a query or fragment';
  // The token and new passwords travel in these calls: plain http only where no network is crossed.
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
