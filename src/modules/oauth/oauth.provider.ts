import { registerEnumType } from 'type-graphql';

export enum OAuthProvider {
  GOOGLE = 'GOOGLE',
  GITHUB = 'GITHUB',
}

registerEnumType(OAuthProvider, {
  name: 'OAuthProvider',
  description: 'An outside identity provider. OAUTH_PROVIDER_UNAVAILABLE when the server has no credentials for it.',
  valuesConfig: {
    GOOGLE: { description: 'Google, by OpenID Connect.' },
    GITHUB: { description: 'GitHub, by OAuth with its verified primary email.' },
  },
});
