import type { ReactNode } from 'react';
import { useAuthState } from '@tollgate/client/react';
import { Budget } from './pages/Budget';
import { ConfirmEmailChangePage } from './pages/ConfirmEmailChange';
import { callbackProvider, OAuthCallback } from './pages/OAuth';
import { Profile } from './pages/Profile';
import { Progress } from './pages/Progress';
import { ForgotPassword, ResetPasswordPage } from './pages/ResetPassword';
import { SecurityHistory } from './pages/SecurityHistory';
import { Sessions } from './pages/Sessions';
import { SignIn } from './pages/SignIn';
import { SignOut } from './pages/SignOut';
import { SignUp } from './pages/SignUp';
import { VerifyEmailPage } from './pages/VerifyEmail';
import { Link, usePath } from './router';

const screens: Record<string, { title: string; render: () => ReactNode }> = {
  '/': { title: 'Profile', render: () => <Profile /> },
  '/sessions': { title: 'Sessions', render: () => <Sessions /> },
  '/security': { title: 'Security history', render: () => <SecurityHistory /> },
  '/budget': { title: 'Rate limits', render: () => <Budget /> },
  '/progress': { title: 'Progress', render: () => <Progress /> },
};

/**
 * Pages that work signed in or not: the ones Tollgate's mails link to (EMAIL_VERIFY_URL, PASSWORD_RESET_URL,
 * EMAIL_CHANGE_URL point here) and the request for a reset link. They need not wait for the session.
 */
const standalone: Record<string, () => ReactNode> = {
  '/verify-email': () => <VerifyEmailPage />,
  '/reset-password': () => <ResetPasswordPage />,
  '/confirm-email-change': () => <ConfirmEmailChangePage />,
  '/forgot-password': () => <ForgotPassword />,
};

export function App() {
  const auth = useAuthState();
  const path = usePath();
  const page = standalone[path];
  if (page) {
    return (
      <main className="narrow">
        <h1 className="brand">Tollgate</h1>
        {page()}
      </main>
    );
  }
  if (auth.status === 'starting') return <p className="loading">Loading…</p>;
  if (auth.status === 'signed-out') {
    return (
      <main className="narrow">
        <h1 className="brand">Tollgate</h1>
        {auth.reason === 'ended' && <p className="notice">Your session has ended. Sign in again.</p>}
        {auth.reason === 'unreachable' && <p className="error">Tollgate is not answering. Is it running?</p>}
        {signedOutScreen(path)}
      </main>
    );
  }
  const screen = screens[path] ?? screens['/'];
  return (
    <div className="shell">
      <header>
        <span className="brand">Tollgate</span>
        <nav>
          {Object.entries(screens).map(([to, { title }]) => (
            <Link key={to} to={to}>
              {title}
            </Link>
          ))}
        </nav>
        <SignOut />
      </header>
      <main>
        <h1>{screen?.title}</h1>
        {screen?.render()}
      </main>
    </div>
  );
}

function signedOutScreen(path: string): ReactNode {
  const provider = callbackProvider(path);
  if (provider) return <OAuthCallback provider={provider} />;
  return path === '/sign-up' ? <SignUp /> : <SignIn />;
}
