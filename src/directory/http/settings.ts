const MIN_SECRET_LENGTH = 16;

/** Problems with DIRECTORY_URL / DIRECTORY_SECRET, each naming its setting; empty when fine. */
export function checkHttpDirectorySettings(url: string | null, secret: string | null): string[] {
  const problems: string[] = [];
  const urlProblem = checkUrl(url);
  if (urlProblem) problems.push(`DIRECTORY_URL: ${urlProblem}`);
  // Never echo the secret: these messages end up in logs.
  if (!secret) problems.push('DIRECTORY_SECRET: must be set when DIRECTORY=http (the callbacks are signed with it)');
  else if (secret.length < MIN_SECRET_LENGTH) problems.push(`DIRECTORY_SECRET: must be at least ${MIN_SECRET_LENGTH} characters long`);
  return problems;
}

function checkUrl(url: string | null): string | null {
  if (!url) return "must be set to the application's callback URL when DIRECTORY=http";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be an absolute http:// or https:// URL';
  // The URL is not echoed either: credentials in it are the very thing refused here.
  if (parsed.username || parsed.password) return 'must not carry credentials; the calls are signed with DIRECTORY_SECRET';
  // New passwords travel in these calls: plain http only where no network is crossed.
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
    return `plain http:// is allowed only to a loopback host (localhost, 127.0.0.0/8, [::1]), not ${parsed.hostname}; use https://`;
  }
  return null;
}

/** `hostname` as the URL parser leaves it: IPv4 already canonical (127.1 → 127.0.0.1), IPv6 in brackets. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
