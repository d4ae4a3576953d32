import { createFailureThrottle } from '../../domain/throttle.ts';

/**
 * The dashboard's one throttle of guesses: passwords at sign-in, its second-factor codes, and
 * the Account page's password and code checks all count together, in 15-minute windows.
 */

/** Failed attempts allowed per email and client address. */
export const SIGN_IN_FAILURES = 5;
/** Per client address across all emails (guessing one password for many accounts). */
export const SIGN_IN_ADDRESS_FAILURES = 20;
/**
 * Wrong codes (or Account-page passwords) per account from any address: whoever knows a
 * password still gets about 10 guesses of a million codes each window.
 */
export const ACCOUNT_FAILURES = 10;
const WINDOW_MS = 15 * 60_000;

/** Who is trying: the email typed, the client's address and, once the password is known right or someone is signed in, the account. */
export interface Attempt {
  email: string;
  ip: string;
  account?: string;
}

export type CredentialThrottle = ReturnType<typeof createCredentialThrottle>;

export function createCredentialThrottle(clock: () => number) {
  const byEmail = createFailureThrottle(SIGN_IN_FAILURES, clock, WINDOW_MS);
  const byAddress = createFailureThrottle(SIGN_IN_ADDRESS_FAILURES, clock, WINDOW_MS);
  const byAccount = createFailureThrottle(ACCOUNT_FAILURES, clock, WINDOW_MS);
  const emailKey = (a: Attempt) => `${a.email}\0${a.ip}`;
  return {
    /** Seconds to wait before the next attempt, or 0. */
    waitFor(a: Attempt): number {
      return Math.max(
        byEmail.blockedFor(emailKey(a)),
        byAddress.blockedFor(a.ip),
        a.account ? byAccount.blockedFor(a.account) : 0,
      );
    },
    fail(a: Attempt): void {
      byEmail.fail(emailKey(a));
      byAddress.fail(a.ip);
      if (a.account) byAccount.fail(a.account);
    },
    /** Never the address's count: signing in to one's own account must not buy more guesses at others. */
    succeeded(a: Attempt): void {
      byEmail.reset(emailKey(a));
      if (a.account) byAccount.reset(a.account);
    },
  };
}

/** "Wait 3 minutes and try again." */
export const waitText = (seconds: number) =>
  `Wait ${Math.ceil(seconds / 60)} minute${seconds > 60 ? 's' : ''} and try again.`;
