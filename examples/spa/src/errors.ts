import { errorInfo, formatWait } from '@tollgate/client';

/** What Tollgate answered, read from any error (Apollo's or the client's); null for a network failure. */
export { errorInfo };

const badInput: Record<string, string> = {
  email: 'Enter a valid email address.',
  username: 'A username is 3 to 32 characters of a–z, 0–9 and _.',
  password: 'Choose a password of 8 to 128 characters that is not a common one.',
  newPassword: 'Choose a password of 8 to 128 characters that is not a common one.',
  currentPassword: 'Enter your current password.',
  newEmail: 'Enter a valid email address that is not your current one.',
};

/** A sentence for the user, chosen by `extensions.code`, never by the message text. */
export function describeError(error: unknown): string {
  const extensions = errorInfo(error);
  if (!extensions) return 'Tollgate is not answering. Check your connection and try again.';
  const { code, field, retryAfter } = extensions;
  switch (code) {
    case 'RATE_LIMITED':
      return `Too many requests. Try again in ${formatWait(retryAfter ?? 1)}.`;
    case 'INVALID_CREDENTIALS':
      return 'That email, username or password is not right.';
    case 'CONFLICT':
      return field === 'username' ? 'That username is taken.' : 'An account with that email already exists.';
    case 'BAD_USER_INPUT':
      return (field && badInput[field]) ?? 'Check what you entered.';
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Sign in again.';
    case 'FORBIDDEN':
      return 'You are not allowed to do that.';
    case 'OAUTH_PROVIDER_UNAVAILABLE':
      return 'Signing in with that provider is not set up on this server.';
    case 'OAUTH_FAILED':
      return 'The sign-in with the provider did not complete. Try again.';
    case 'OAUTH_ACCOUNT_EXISTS':
      return 'An account already has that email. Sign in with your password, then link the provider.';
    case 'NOT_FOUND':
      return 'That no longer exists.';
    case 'INVALID_TOKEN':
      return 'This link is invalid, has already been used or has expired.';
    case 'EMAIL_NOT_VERIFIED':
      return 'Confirm your email address first: we have sent you a new link.';
    case 'REAUTHENTICATION_REQUIRED':
      return 'For your safety, sign out and sign in again (within 10 minutes) to do this.';
    case 'MAIL_DISABLED':
      return 'This server sends no mail, so this cannot be done here.';
    case 'UNSUPPORTED_SIGN_IN_STEP':
      return 'This app cannot finish that sign-in yet. Update it and try again.';
    case 'SERVICE_UNAVAILABLE':
      return 'Tollgate is busy. Try again in a moment.';
    default:
      return `Something went wrong (${code ?? 'no code'}). Try again.`;
  }
}
