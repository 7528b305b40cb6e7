import { createContext, useContext, useSyncExternalStore } from 'react';
import type { AuthState, Session } from './session';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a <SessionContext.Provider>');
  return session;
}

export function useAuthState(): AuthState {
  const session = useSession();
  return useSyncExternalStore(session.subscribe, session.getState);
}
