import { connect } from 'node:net';
import t from 'tap';
import { request } from 'undici';
import { startLoopback } from '../../../lib/registry/loopback.js';

t.test('the loopback answers every request head, pipelined ones included, on 127.0.0.1', async (t) => {
  const loopback = await startLoopback();
  t.match(loopback.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await request(`${loopback.origin}/v2/any/blobs/sha256:0`);
  t.equal(res.statusCode, 200);
  t.equal(await res.body.text(), 'ok');
  // Two heads in one write, the second split over two more: three answers.
  const socket = connect(Number(new URL(loopback.origin).port), '127.0.0.1');
  const answers = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.split('HTTP/1.1 200 OK').length - 1 === 3) resolve(text);
    });
  });
  socket.write('GET /a HTTP/1.1\r\nhost: x\r\n\r\nGET /b HTTP/1.1\r\nhost: x\r\n\r\nGET /c HTTP/1.1\r\nho');
  setTimeout(() => socket.write('st: x\r\n\r\n'), 20);
  t.equal((await answers).split('\r\n\r\nok').length - 1, 3);
  // close() does not wait for clients to hang up.
  await loopback.close();
  t.ok(await new Promise((resolve) => socket.once('close', () => resolve(true))), 'open connections are closed');
});
