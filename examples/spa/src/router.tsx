import { type MouseEvent, type ReactNode, useSyncExternalStore } from 'react';

/** Enough routing for a handful of screens: the path, a way to change it, and links that use it. */
const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});

export function navigate(path: string) {
  if (path === window.location.pathname + window.location.search) return;
  window.history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

export function usePath(): string {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    () => window.location.pathname,
  );
}

export function Link({ to, children }: { to: string; children: ReactNode }) {
  const active = usePath() === to;
  const follow = (event: MouseEvent) => {
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={follow} aria-current={active ? 'page' : undefined}>
      {children}
    </a>
  );
}
