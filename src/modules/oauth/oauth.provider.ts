import { registerEnumType } from 'type-graphql';

export enum OAuthProvider {
  GOOGLE = 'GOOGLE',
  GITHUB = 'GITHUB',
}

registerEnumType(OAuthProvider, { name: 'OAuthProvider' });
