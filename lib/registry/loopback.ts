import { createServer, type Server, type Socket } from 'node:net';

/** What the loopback answers to every request: a 200 with a 2-byte body, keeping the connection open. */
const ANSWER = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
const END_OF_HEAD = Buffer.from('\r\n\r\n');

/**
 * A minimal HTTP/1.1 server on 127.0.0.1 in this thread, for rehearsing the HTTP path: it answers every
 * request head it reads with `ANSWER` (requests carry no body). Not a registry, and never reachable
 * from outside the machine.
 */
export async function startLoopback(): Promise<{ origin: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let end: number;
      while ((end = pending.indexOf(END_OF_HEAD)) >= 0) {
        socket.write(ANSWER);
        pending = pending.subarray(end + END_OF_HEAD.length);
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('loopback server has no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
