import { Op, type OpCode } from '../contract/ops.js';
import { Kind, Method } from '../trace/request.js';

/** The replayed operation of a trace record's method and kind, or -1 when it is not one. */
export function opOf(method: number, kind: number): OpCode | -1 {
  const manifest = kind === Kind.MANIFEST ? 1 : 0;
  if (kind === Kind.OTHER) return -1;
  if (method === Method.GET) return (Op.GET_BLOB + manifest) as OpCode;
  if (method === Method.PUT) return (Op.PUT_BLOB + manifest) as OpCode;
  if (method === Method.HEAD) return (Op.HEAD_BLOB + manifest) as OpCode;
  return -1;
}
