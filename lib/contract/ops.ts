/**
 * Request classes and object-size classes: the rows of every histogram table. Ops are the replayed
 * operations, stored as a Uint8 column of the plan.
 */
export const Op = {
  GET_BLOB: 0,
  GET_MANIFEST: 1,
  PUT_BLOB: 2,
  PUT_MANIFEST: 3,
  HEAD_BLOB: 4,
  HEAD_MANIFEST: 5,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];
export const OP_NAMES = ['GET blob', 'GET manifest', 'PUT blob', 'PUT manifest', 'HEAD blob', 'HEAD manifest'] as const;

export function isRead(op: number): boolean {
  return op === Op.GET_BLOB || op === Op.GET_MANIFEST || op === Op.HEAD_BLOB || op === Op.HEAD_MANIFEST;
}

export function isHead(op: number): boolean {
  return op === Op.HEAD_BLOB || op === Op.HEAD_MANIFEST;
}

/** Object size classes: under 1 MB, 1-10 MB, 10-100 MB, 100 MB and more. */
export const SIZE_CLASS_NAMES = ['<1MB', '1-10MB', '10-100MB', '>=100MB'] as const;

export function sizeClass(bytes: number): number {
  if (bytes < 1e6) return 0;
  if (bytes < 1e7) return 1;
  if (bytes < 1e8) return 2;
  return 3;
}
