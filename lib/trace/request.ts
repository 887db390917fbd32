/**
 * Codes for the small enumerations of a trace record, stored in Uint8Array columns. Plain constants
 * (not TS enums) so the code stays erasable and the numbers can be written to .drtp files.
 */
export const Method = { OTHER: 0, GET: 1, PUT: 2, HEAD: 3, POST: 4, PATCH: 5, DELETE: 6 } as const;
export type MethodCode = (typeof Method)[keyof typeof Method];
export const METHOD_NAMES = ['OTHER', 'GET', 'PUT', 'HEAD', 'POST', 'PATCH', 'DELETE'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export const Kind = { OTHER: 0, BLOB: 1, MANIFEST: 2 } as const;
export type KindCode = (typeof Kind)[keyof typeof Kind];
export const KIND_NAMES = ['other', 'blob', 'manifest'] as const;
export type KindName = (typeof KIND_NAMES)[number];

/** One request in object form: for tests, user models and small traces. Hot paths use TraceTable columns. */
export interface Request {
  /** Milliseconds since the first request of the (selected) trace. */
  offsetMs: number;
  method: MethodName;
  kind: KindName;
  /** Repository path between `v2/` and `/blobs/` or `/manifests/`. */
  repo: string;
  /** Blob id or manifest reference (for other URIs: the whole URI). */
  object: string;
  uri: string;
  /** `http.response.written`, in bytes. */
  size: number;
  /** `http.request.remoteaddr`, the anonymized client. */
  client: string;
  /** `http.request.useragent` ('' when the record had none). */
  agent: string;
  /** `http.request.duration`, in seconds (NaN when the record had none). */
  duration: number;
  /** `http.response.status` (0 when the record had none). */
  status: number;
}
