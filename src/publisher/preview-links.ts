import { REQUEST_ID_HEADER } from '../platform/log.ts';

export interface PreviewLink {
  url: string;
  expires_at: string;
}

/** Makes links that show one draft to someone who is not signed in: the authenticating proxy's job. */
export interface PreviewLinks {
  /** `bearerToken`: the editor's signon access token, which the proxy checks for the publisher editor permission. */
  create(req: { auth_bypass_id: string; base_path: string }, requestId: string, bearerToken: string | undefined): Promise<PreviewLink>;
}

export class PreviewLinkUnavailable extends Error {
  constructor(reason: string) {
    super(`a preview link could not be made: ${reason}`);
    this.name = 'PreviewLinkUnavailable';
  }
}

/** `POST <draft origin>/api/preview-links` on the authenticating proxy. */
export function httpPreviewLinks(draftOriginUrl: string, timeoutMs = 5000): PreviewLinks {
  return {
    async create(req, requestId, bearerToken) {
      let res: Response;
      let body: unknown;
      try {
        res = await fetch(`${draftOriginUrl}/api/preview-links`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            [REQUEST_ID_HEADER]: requestId,
            ...(bearerToken ? { authorization: `Bearer ${bearerToken}` } : {}),
          },
          body: JSON.stringify(req),
          signal: AbortSignal.timeout(timeoutMs),
        });
        body = await res.json();
      } catch (err) {
        throw new PreviewLinkUnavailable((err as Error).message);
      }
      const link = body as Partial<PreviewLink>;
      if (!res.ok || typeof link.url !== 'string' || typeof link.expires_at !== 'string') {
        throw new PreviewLinkUnavailable(`the proxy answered ${res.status}`);
      }
      return { url: link.url, expires_at: link.expires_at };
    },
  };
}
