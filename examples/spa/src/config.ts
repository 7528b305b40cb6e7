/**
 * Where Tollgate answers. The default, `/graphql` on the app's own origin, goes through Vite's proxy in
 * development (see vite.config.ts) and through your reverse proxy in production. Set VITE_TOLLGATE_URL
 * to call Tollgate on another origin; that origin must then list this app's origin in CORS_ORIGINS.
 */
const configured: string = import.meta.env.VITE_TOLLGATE_URL || '/graphql';

export const httpUrl = new URL(configured, window.location.href).toString();
export const wsUrl = httpUrl.replace(/^http/, 'ws');
