import { useMutation } from '@apollo/client/react';
import { useEffect, useRef } from 'react';
import { useTollgate } from '@tollgate/client/react';
import { graphql } from '../gql';
import type { OAuthProvider } from '../gql/graphql';
import { navigate } from '../router';
import { ErrorMessage } from './ErrorMessage';

const StartOAuth = graphql(`
  mutation StartOAuth($provider: OAuthProvider!, $redirectUri: String!) {
    startOAuth(provider: $provider, redirectUri: $redirectUri) {
      authorizationUrl
      binding
    }
  }
`);

const CompleteOAuth = graphql(`
  mutation CompleteOAuth($provider: OAuthProvider!, $code: String!, $state: String!, $binding: String!) {
    completeOAuth(provider: $provider, code: $code, state: $state, binding: $binding) {
      accessToken
      deviceToken
      user {
        email
        username
      }
    }
  }
`);

/** Where the tab that started a provider sign-in keeps startOAuth's binding until the callback. */
const BINDING_KEY = 'tollgate.oauth.binding';

const providers: { id: OAuthProvider; label: string }[] = [
  { id: 'GOOGLE', label: 'Google' },
  { id: 'GITHUB', label: 'GitHub' },
];

/** Where the provider sends the browser back; each one must be listed in Tollgate's OAUTH_REDIRECT_URIS. */
const callbackUri = (provider: OAuthProvider) => `${window.location.origin}/auth/callback/${provider.toLowerCase()}`;

export function OAuthButtons() {
  const [start, { loading, error }] = useMutation(StartOAuth);
  const go = async (provider: OAuthProvider) => {
    const { data } = await start({ variables: { provider, redirectUri: callbackUri(provider) } }).catch(() => ({
      data: undefined,
    }));
    if (!data) return;
    // Only this tab can finish the flow: the binding never travels in a URL.
    sessionStorage.setItem(BINDING_KEY, data.startOAuth.binding);
    window.location.assign(data.startOAuth.authorizationUrl);
  };
  return (
    <div className="providers">
      {providers.map(({ id, label }) => (
        <button key={id} type="button" className="secondary" disabled={loading} onClick={() => void go(id)}>
          Sign in with {label}
        </button>
      ))}
      <ErrorMessage error={error} />
    </div>
  );
}

/** /auth/callback/<provider>?code=…&state=…: Tollgate checks the state (single use) and signs in. */
export function OAuthCallback({ provider }: { provider: OAuthProvider }) {
  const tollgate = useTollgate();
  const [complete, { error }] = useMutation(CompleteOAuth);
  // The state works once: React's development double-mount must not send it twice.
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    const params = new URLSearchParams(window.location.search);
    const binding = sessionStorage.getItem(BINDING_KEY) ?? '';
    sessionStorage.removeItem(BINDING_KEY);
    const variables = { provider, code: params.get('code') ?? '', state: params.get('state') ?? '', binding };
    complete({ variables }).then(
      ({ data }) => {
        if (!data) return;
        tollgate.signedInWith(data.completeOAuth);
        navigate('/');
      },
      () => undefined,
    );
  }, [complete, provider, tollgate]);
  return error ? <ErrorMessage error={error} /> : <p className="loading">Signing you in…</p>;
}

export function callbackProvider(path: string): OAuthProvider | null {
  const match = /^\/auth\/callback\/(google|github)$/.exec(path);
  return match?.[1] ? (match[1].toUpperCase() as OAuthProvider) : null;
}
