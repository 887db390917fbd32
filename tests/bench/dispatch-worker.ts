/**
 * Worker-thread entry of the load probe's `dispatch-worker` tool: the dispatch loop in a worker of its
 * own, started for the measurement. Its cost is the least any load generator of drtp's shape (client
 * actors on worker threads holding undici connections) can cost: worker start, undici loaded in that
 * worker's isolate, and the loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { dispatchLoop } from './dispatch-loop.js';

const { url, connections, requests } = workerData as { url: string; connections: number; requests: number };
parentPort?.postMessage(await dispatchLoop(url, connections, requests));
