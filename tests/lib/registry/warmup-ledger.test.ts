import t from 'tap';
import { WarmupLedger } from '../../../lib/registry/warmup-ledger.js';
import type { DigestMap } from '../../../lib/registry/digest-map.js';

const failure = (uri: string, registry = 'r1') => ({
  type: 'failed' as const,
  uri,
  registry,
  error: { code: 'E_REGISTRY_CONNECT' as const, message: 'refused' },
});

t.test(
  'a digest an earlier warmup recorded survives a failure; a URI that failed on any registry stays failed',
  async (t) => {
    const map: DigestMap = new Map([['v2/a/blobs/1', 'sha256:old']]);
    const ledger = new WarmupLedger(map);
    t.same(ledger.known, { 'v2/a/blobs/1': 'sha256:old' });
    ledger.record(failure('v2/a/blobs/1'));
    ledger.record(failure('v2/a/blobs/1', 'r2'));
    t.equal(map.get('v2/a/blobs/1'), 'sha256:old', 'the earlier digest kept');
    t.equal(ledger.kept, 1, 'counted once however many registries failed it');
    t.match(ledger.failures[0], /^v2\/a\/blobs\/1: E_REGISTRY_CONNECT: refused \(the map keeps sha256:old\)$/);
    ledger.record({ type: 'pushed', uri: 'v2/a/blobs/2', digest: 'sha256:new', bytes: 5, registry: 'r1' });
    ledger.record(failure('v2/a/blobs/2', 'r2'));
    ledger.record({ type: 'present', uri: 'v2/a/blobs/2', digest: 'sha256:new', registry: 'r3' });
    t.same(
      map.get('v2/a/blobs/2'),
      { failed: 'E_REGISTRY_CONNECT: refused' },
      'failed on r2: not replayable, whatever r3 said',
    );
    t.ok(ledger.dirty);
  },
);

t.test("an image's layers are its repository's blobs pushed as archives, in item order", async (t) => {
  const ledger = new WarmupLedger(new Map());
  const archive = { archive: true, diffId: 'sha256:d' };
  ledger.record({ type: 'pushed', uri: 'v2/a/blobs/1', digest: 'sha256:1', bytes: 40, registry: 'r', layer: archive });
  ledger.record({
    type: 'pushed',
    uri: 'v2/a/blobs/2',
    digest: 'sha256:2',
    bytes: 3,
    registry: 'r',
    layer: { archive: false, diffId: '' },
  });
  ledger.record({ type: 'present', uri: 'v2/b/blobs/3', digest: 'sha256:3', registry: 'r', layer: archive });
  ledger.record(failure('v2/a/blobs/4'));
  const items = ['v2/a/blobs/1', 'v2/a/blobs/2', 'v2/b/blobs/3', 'v2/a/blobs/4'].map((uri) => ({
    uri,
    repo: uri.split('/')[1],
    size: 40,
  }));
  const layers = ledger.imageLayers([...items, { uri: 'v2/a/manifests/latest', repo: 'a', size: 500, manifest: true }]);
  t.same([...layers.keys()], ['a', 'b']);
  t.same(
    layers.get('a')?.map((l) => l.digest),
    ['sha256:1'],
    'the plain-content layer and the failed one left out',
  );
  t.equal(ledger.notArchives(), 1);
});
