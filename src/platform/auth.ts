/** Who a bearer token belongs to, and what it may do. */
export interface Principal {
  tokenId: string;
  name: string;
  permissions: string[];
}

/** Resolves a bearer token to its principal, or null when it is unknown or revoked. Injected into every API. */
export type Authenticate = (token: string) => Promise<Principal | null>;

/** Permissions an API token can hold. */
export const PERMISSIONS = {
  publishingApiRead: 'publishing-api.read',
  publishingApiWrite: 'publishing-api.write',
  contentStoreWrite: 'content-store.write',
} as const;

/** The token from an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
