import { createContext, createElement, type ReactNode, useContext, useSyncExternalStore } from 'react';
import type { Tollgate } from './client.js';
import type { AuthState } from './token-manager.js';

const TollgateContext = createContext<Tollgate | null>(null);

/** Makes one Tollgate client (from `createTollgate`) available to the hooks below. */
export function TollgateProvider({ client, children }: { client: Tollgate; children?: ReactNode }) {
  return createElement(TollgateContext.Provider, { value: client }, children);
}

/** The client: `login`, `register`, `logout`, `signedInWith`, `tokens`. */
export function useTollgate(): Tollgate {
  const client = useContext(TollgateContext);
  if (!client) throw new Error('useTollgate needs a <TollgateProvider client={…}> above it');
  return client;
}

/** Starting, signed out (and why) or signed in (and who); re-renders when it changes, in any tab. */
export function useAuthState(): AuthState {
  const { tokens } = useTollgate();
  return useSyncExternalStore(tokens.subscribe, tokens.getState, tokens.getState);
}
