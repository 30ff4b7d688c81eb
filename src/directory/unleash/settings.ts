import { checkUrlSetting } from '../outbound/url-setting.ts';

/** Problems with UNLEASH_URL / UNLEASH_API_TOKEN, each naming its setting; empty when fine. */
export function checkUnleashDirectorySettings(url: string | null, token: string | null): string[] {
  const problems: string[] = [];
  const urlProblem = checkUrlSetting(url, {
    name: 'UNLEASH_URL',
    pointsAt: 'the Unleash server, such as https://unleash.example.com, when DIRECTORY=unleash',
    authenticatedBy: 'resetd signs in with UNLEASH_API_TOKEN',
    // The admin API's paths are appended to it.
    baseUrl: true,
  });
  if (urlProblem) problems.push(urlProblem);
  // Never echo the token: these messages end up in logs.
  if (!token) problems.push('UNLEASH_API_TOKEN: must be set when DIRECTORY=unleash (an admin API token or an admin\'s personal access token)');
  else if (!/^[\x21-\x7e]+$/.test(token)) problems.push('UNLEASH_API_TOKEN: must be printable ASCII without spaces, as Unleash issues it');
  return problems;
}
