import { useEffect, useState } from 'react';

/**
 * The token of a link from one of Tollgate's mails (`?token=…`), read once and then taken out of the address
 * bar, so it stays out of the history, bookmarks and shared screens. (index.html's referrer policy keeps it
 * out of the Referer of the requests made before this runs.) Null when the page was opened without one,
 * e.g. by a reload after the token was taken: the mail's link opens it again.
 */
export function useMailedToken(): string | null {
  // Read during render (no side effect there); removed after the first commit.
  const [token] = useState(() => new URLSearchParams(window.location.search).get('token'));
  useEffect(() => {
    const url = new URL(window.location.href);
    if (!url.searchParams.has('token')) return;
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }, []);
  return token || null;
}
