// oidc-provider ships no types; server.ts declares the part it uses.
declare module 'oidc-provider';
