import { checkUrlSetting } from '../outbound/url-setting.ts';

const MIN_SECRET_LENGTH = 16;

/** Problems with DIRECTORY_URL / DIRECTORY_SECRET, each naming its setting; empty when fine. */
export function checkHttpDirectorySettings(url: string | null, secret: string | null): string[] {
  const problems: string[] = [];
  const urlProblem = checkUrlSetting(url, {
    name: 'DIRECTORY_URL',
    pointsAt: "the application's callback URL when DIRECTORY=http",
    authenticatedBy: 'the calls are signed with DIRECTORY_SECRET',
  });
  if (urlProblem) problems.push(urlProblem);
  // Never echo the secret: these messages end up in logs.
  if (!secret) problems.push('DIRECTORY_SECRET: must be set when DIRECTORY=http (the callbacks are signed with it)');
  else if (secret.length < MIN_SECRET_LENGTH) problems.push(`DIRECTORY_SECRET: must be at least ${MIN_SECRET_LENGTH} characters long`);
  return problems;
}
