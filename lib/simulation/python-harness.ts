/**
 * The Python side of a Python model, run as `python -c HARNESS MODEL.py` (shipped as source: the package
 * holds no .py file). It imports the model as the original's master.py did (the model's directory first
 * on sys.path), reads the requests drtp streams on stdin (a header line, then chunks of columns as JSON
 * lines), builds the original's list of dicts, calls init(requests, args) or init(requests), and writes
 * one JSON line to fd 3: {"ok": true, "stats": ...} or {"ok": false, "stage", "error", "frame"}.
 * Python 2.7 and 3 alike, for the models written for the original under Python 2.
 */
export const PYTHON_HARNESS = String.raw`
import sys, os, json, traceback
result = os.fdopen(3, 'w')
path = sys.argv[1]

def report(obj):
    result.write(json.dumps(obj) + '\n')
    result.flush()

def fail(stage):
    kind, value, tb = sys.exc_info()
    frames = [f for f in traceback.extract_tb(tb) if os.path.abspath(f[0]) == os.path.abspath(path)]
    frame = frames[-1] if frames else None
    where = None
    if isinstance(value, SyntaxError):
        where = 'File "%s", line %s' % (value.filename, value.lineno)
    elif frame is not None:
        where = 'File "%s", line %d, in %s' % (frame[0], frame[1], frame[2])
    traceback.print_exception(kind, value, tb)
    report({'ok': False, 'stage': stage, 'error': '%s: %s' % (kind.__name__, value), 'frame': where})
    sys.exit(3)

try:
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    name = os.path.splitext(os.path.basename(path))[0]
    if sys.version_info[0] >= 3:
        import importlib.util
        spec = importlib.util.spec_from_file_location(name, path)
        model = importlib.util.module_from_spec(spec)
        sys.modules[name] = model
        spec.loader.exec_module(model)
    else:
        import imp
        model = imp.load_source(name, path)
except BaseException:
    fail('import')
init = getattr(model, 'init', None)
if not callable(init):
    report({'ok': False, 'stage': 'init-missing', 'error': 'the model defines no init(requests, args) function', 'frame': None})
    sys.exit(3)

stdin = sys.stdin.buffer if hasattr(sys.stdin, 'buffer') else sys.stdin
header = json.loads(stdin.readline())
requests = []
for line in stdin:
    c = json.loads(line)
    requests.extend({'delay': float(d), 'uri': u, 'size': s, 'method': m, 'duration': float(t), 'client': k}
                    for d, u, s, m, t, k in zip(c['delay'], c['uri'], c['size'], c['method'], c['duration'], c['client']))
try:
    value = init(requests, header['args']) if 'args' in header else init(requests)
except BaseException:
    fail('init')
sys.stdout.flush()
try:
    report({'ok': True, 'stats': value})
except (TypeError, ValueError):
    report({'ok': True, 'stats': None, 'note': 'init returned %s, which is not JSON' % type(value).__name__})
`;
