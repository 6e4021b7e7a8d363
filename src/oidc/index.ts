export { adapterFactory, type FindClient, type OidcPayloadPort } from './adapter.js';
export { createOidcProvider, OIDC_SCOPES, TTL, oidcErrors, type OidcProviderPorts, type Provider } from './provider.js';
export { escapeText, type PageFrame } from './pages.js';
