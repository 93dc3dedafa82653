/**
 * The Python runner's source (a fork server), written into each Python
 * sandbox's private folder and run by the system's python3 inside the wall.
 * Kept as a string so the package needs no build step for it; its logic is
 * described at its top.
 */
export const PYTHON_RUNNER = String.raw`# The Python sandbox runner: a fork server. It imports numpy once, then for
# each exercise forks a clean child that loads the submission and serves that
# exercise's calls; the child dies at the end of its exercise with whatever
# it patched, kept or left running. Commands arrive as JSON lines on fd 0,
# replies leave as JSON lines on fd 3; the submission's own stdout and stderr
# go nowhere. Every reply is built from references taken before the
# submission ran, so its monkeypatching cannot reach them.
import os, sys, math, json, types, signal

_write, _read, _fork, _exit, _waitpid = os.write, os.read, os.fork, os._exit, os.waitpid
_isinstance, _type, _len, _repr, _str, _float, _int, _list, _tuple, _dict = isinstance, type, len, repr, str, float, int, list, tuple, dict
_isfinite = math.isfinite
_dumps_str = json.encoder.py_encode_basestring_ascii if hasattr(json.encoder, 'py_encode_basestring_ascii') else json.dumps

try:
    import numpy as np
except Exception as e:  # the grader's problem: no numpy where the runner runs
    _write(3, ('{"t":"fatal","message":%s}\n' % _dumps_str('numpy cannot be imported: %s' % e)).encode())
    _exit(3)

_ndarray, _asarray, _float64, _generic = np.ndarray, np.asarray, np.float64, np.generic
_view, _tolist, _astype = np.ndarray.view, np.ndarray.tolist, np.ndarray.astype

MAX_VALUES = 1000000
MAX_CHARS = 1024 * 1024
BATCH_CHARS = 2 * 1024 * 1024
MAX_DEPTH = 16

class Invalid(Exception):
    pass

def _num(x):
    if not _isfinite(x):
        return '"\\u0000%s"' % ('NaN' if x != x else ('Infinity' if x > 0 else '-Infinity'))
    return _repr(_float(x))

def _enc(v, depth, budget):
    # plain data only: exact floats and ints, numeric numpy arrays and scalars, lists, tuples, dicts of str keys
    budget[0] -= 1
    if budget[0] < 0:
        raise Invalid('the result has more than %d values' % MAX_VALUES)
    if depth > MAX_DEPTH:
        raise Invalid('the result is nested more than %d levels deep' % MAX_DEPTH)
    t = _type(v)
    if t is bool:
        raise Invalid('a boolean where a number is due')
    if t is _float or t is _int:
        return _num(_float(v))
    if _isinstance(v, _generic):
        k = v.dtype.kind
        if k not in 'fiu':
            raise Invalid('a numpy %s where a number is due' % v.dtype.name)
        return _num(_float(v.item()))
    if _isinstance(v, _ndarray):
        a = _view(v, _ndarray)
        if a.dtype.kind not in 'fiu':
            raise Invalid('a numpy array of dtype %s (numbers are due)' % a.dtype.name)
        if a.size > MAX_VALUES:
            raise Invalid('the result has more than %d values' % MAX_VALUES)
        return _enc(_tolist(_astype(a, _float64)), depth, budget) if a.ndim > 0 else _num(_float(a.item()))
    if t is _list or t is _tuple:
        return '[' + ','.join([_enc(x, depth + 1, budget) for x in v]) + ']'
    if t is _dict:
        parts = []
        for k in _list(v.keys()):
            if _type(k) is not _str:
                raise Invalid('a dict key that is not a string')
            parts.append(_dumps_str(k) + ':' + _enc(v[k], depth + 1, budget))
        return '{' + ','.join(parts) + '}'
    raise Invalid('a %s where numbers are due' % t.__name__[:60])

def _arg(v):
    # host data to what a numpy course passes: floats, float64 vectors (k,), matrices (rows, cols)
    if _type(v) is _list:
        return _asarray(v, dtype=_float64)
    return _float(v)

def _reply(obj_text):
    data = (obj_text + '\n').encode()
    while data:
        n = _write(3, data)
        data = data[n:]

_inbuf = [b'']
def _line():
    while b'\n' not in _inbuf[0]:
        chunk = _read(0, 65536)
        if not chunk:
            _exit(0)
        _inbuf[0] += chunk
    line, _, rest = _inbuf[0].partition(b'\n')
    _inbuf[0] = rest
    return json.loads(line.decode())

def _message(e):
    try:
        text = '%s: %s' % (_type(e).__name__, e)
    except BaseException:
        text = _type(e).__name__
    return text[:1000]

def _serve_exercise(code, filename):
    # the submission's output goes nowhere; only fd 3 speaks for the runner
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    mod = types.ModuleType('gradients')
    mod.__file__ = filename
    try:
        exec(compile(code, filename, 'exec'), mod.__dict__)
    except SyntaxError as e:
        _reply('{"t":"loadFailed","kind":"load","message":%s}' % _dumps_str(('syntax error in %s: %s (line %s)' % (filename, e.msg, e.lineno))[:1000]))
        return
    except MemoryError:
        _reply('{"t":"loadFailed","kind":"memory","message":"MemoryError"}')
        return
    except BaseException as e:
        _reply('{"t":"loadFailed","kind":"threw","message":%s}' % _dumps_str(_message(e)))
        return
    names = [k for k in _list(mod.__dict__.keys()) if _type(k) is _str and not k.startswith('_') and callable(mod.__dict__[k]) and not _isinstance(mod.__dict__[k], _type)]
    _reply('{"t":"ready","exports":[%s]}' % ','.join(_dumps_str(n[:200]) for n in names[:200]))
    while True:
        m = _line()
        t = m.get('t')
        if t == 'call':
            _reply(_one(_int(m['id']), mod.__dict__.get(m['name']), m['args']))
        elif t == 'calls':
            # one function on many argument lists, one reply; the results stop short (the host calls
            # the rest one by one) after a memory error or once the reply would grow past BATCH_CHARS
            cid = _int(m['id'])
            fn = mod.__dict__.get(m['name'])
            out = []
            size = 0
            for a in m['args']:
                r = _one(cid, fn, a)
                size += _len(r)
                if size > BATCH_CHARS:
                    break
                out.append(r)
                if '"kind":"memory"' in r:
                    break
            _reply('{"t":"results","id":%d,"results":[%s]}' % (cid, ','.join(out)))
        else:
            return

def _one(cid, fn, raw_args):
    if fn is None or not callable(fn):
        return '{"t":"result","id":%d,"kind":"missing","message":"not found"}' % cid
    try:
        args = [_arg(a) for a in raw_args]
        r = fn(*args)
        text = _enc(r, 0, [MAX_VALUES])
        if _len(text) > MAX_CHARS:
            raise Invalid('the result is larger than %d characters' % MAX_CHARS)
        return '{"t":"result","id":%d,"kind":"ok","json":%s}' % (cid, _dumps_str(text))
    except Invalid as e:
        return '{"t":"result","id":%d,"kind":"invalid","message":%s}' % (cid, _dumps_str(_str(e.args[0])[:500]))
    except MemoryError:
        return '{"t":"result","id":%d,"kind":"memory","message":"MemoryError"}' % cid
    except RecursionError as e:
        return '{"t":"result","id":%d,"kind":"threw","message":%s}' % (cid, _dumps_str(_message(e)))
    except BaseException as e:
        return '{"t":"result","id":%d,"kind":"threw","message":%s}' % (cid, _dumps_str(_message(e)))

def main():
    filename = sys.argv[2]
    with open(sys.argv[1], 'r', encoding='utf-8') as f:
        code = f.read()
    _reply('{"t":"hello","uid":%d,"gid":%d,"groups":[],"cwd":%s,"envKeys":[%s]}' % (os.getuid(), os.getgid(), _dumps_str(os.getcwd()), ','.join(_dumps_str(k) for k in os.environ.keys())))
    while True:
        m = _line()
        if m.get('t') != 'exercise':
            continue
        pid = _fork()
        if pid == 0:
            try:
                os.setpgid(0, 0)
            except OSError:
                pass
            try:
                _serve_exercise(code, filename)
            finally:
                _exit(0)
        _, status = _waitpid(pid, 0)
        # a child that died mid-exercise (exit, crash, signal): its calls are answered by the host's view of the death
        _reply('{"t":"exerciseEnded","status":%d}' % status)

main()
`;
