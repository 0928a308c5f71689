/** A page of the static copy of the live site, as the crawler saved it. */
export interface MirrorPage {
  body: Buffer;
  contentType: string;
  /** When the crawler saved it. */
  savedAt: Date;
}

/**
 * What the edge reads when origin fails: the saved copy of a public path
 * (`/guidance/x`, `/`), query string ignored. Undefined when the mirror
 * has none.
 */
export interface MirrorReader {
  read(path: string): Promise<MirrorPage | undefined>;
}
