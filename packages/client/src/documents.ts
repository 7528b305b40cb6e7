/**
 * The typed documents (and their result and variable types) of every operation Tollgate ships, generated
 * by graphql-codegen from Tollgate's schema.graphql: for Apollo Client, urql or anything that takes a
 * TypedDocumentNode.
 */
export * from './generated/graphql.js';
