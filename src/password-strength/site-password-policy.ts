import { commonPasswordList } from '../common-passwords/common-password-list.ts';
import type { Config } from '../config.ts';
import type { PasswordPolicy } from '../core/password-policy.ts';
import { DIALECT_TABLE } from '../dialects/index.ts';
import { zxcvbnStrength } from './zxcvbn-strength.ts';

/**
 * The password policy of this site, for every way a password is set (server and CLI alike):
 * the configured minimum length, the blocklist, the estimator, and the names an attacker
 * tries first here.
 */
export function sitePasswordPolicy(config: Pick<Config, 'passwordMinLength' | 'senders' | 'publicUrl'>): PasswordPolicy {
  return {
    minLength: config.passwordMinLength,
    common: commonPasswordList(),
    strength: zxcvbnStrength,
    siteNames: siteNames(config),
  };
}

/** resetd, the five products under their own names and as configured (PRODUCT_NAME…), and the host name. */
export function siteNames(config: Pick<Config, 'senders' | 'publicUrl'>): string[] {
  const names = [
    'resetd',
    ...Object.values(DIALECT_TABLE).map((dialect) => dialect.product),
    ...Object.values(config.senders).map((sender) => sender.product),
    new URL(config.publicUrl).hostname,
  ];
  return [...new Set(names)];
}
