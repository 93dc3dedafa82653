/**
 * The code that runs inside the isolate *before* the submission, as a plain
 * script. It captures every built-in it needs while they are still pristine
 * and returns one function, `dispatch`, which the child keeps as an
 * isolated-vm Reference. Nothing is put on the isolate's global object
 * except a no-op `console`, so the submission cannot reach or replace it.
 *
 * dispatch(op, namespace, name, argsText) always returns a string whose first
 * character is a tag:
 *   'R' + json           the call returned; json is the encoded result
 *   'E' + json           op 'exports': encoded array of exported function names
 *   'T' + name \u0001 message   the submission threw (or a trap in its result did)
 *   'I' + reason         the result is not plain JSON data
 *   'M' + detail         no such export ('' or 'not a function')
 *   'B' + json           op 'many': a JSON array of the tagged results above, one per argument list
 *
 * The result is serialised here, inside the isolate and inside the call's
 * time limit, by our own walker, not by JSON.stringify on the value:
 * - only own, enumerable data properties are read, each exactly once, via
 *   Reflect.getOwnPropertyDescriptor, so getters and toJSON are never run
 *   (a getter is refused, a toJSON method is an own function → refused);
 *   a Proxy's traps may run, but only once per property, so what crosses the
 *   boundary is one consistent snapshot;
 * - only arrays, plain objects (prototype Object.prototype or null) and typed
 *   arrays (sent as arrays) are accepted; functions, symbols, BigInts,
 *   undefined, holes, cycles, Promises, Maps, class instances, `__proto__`
 *   keys, too-deep nesting and too-large results are refused with a reason;
 * - output is built by string concatenation of primitives, which no
 *   prototype poisoning can intercept.
 * NaN, Infinity and -Infinity are sent as the strings "\u0000NaN",
 * "\u0000Infinity", "\u0000-Infinity"; a genuine string starting with
 * \u0000 is sent with one more \u0000 in front (see codec.ts, which decodes).
 * Arguments arrive encoded the same way.
 */

/** Most values (numbers, strings, containers…) a result may contain. */
export const MAX_RESULT_VALUES = 1_000_000;
/** Most characters of encoded JSON a result may take. */
export const MAX_RESULT_CHARS = 1024 * 1024;
/** Deepest nesting of arrays/objects in a result. */
export const MAX_RESULT_DEPTH = 64;

export const PRELUDE_SOURCE = String.raw`(function () {
  'use strict';
  var MAX_VALUES = ${MAX_RESULT_VALUES};
  var MAX_CHARS = ${MAX_RESULT_CHARS};
  var MAX_DEPTH = ${MAX_RESULT_DEPTH};

  var R = Reflect;
  var apply = R.apply;
  var ownKeys = R.ownKeys;
  var getOwnDesc = R.getOwnPropertyDescriptor;
  var getProto = R.getPrototypeOf;
  var hasOwn = Object.hasOwn;
  var isArray = Array.isArray;
  var jsonStringify = JSON.stringify;
  var jsonParse = JSON.parse;
  var isView = ArrayBuffer.isView;
  var StringCtor = String;
  var SetCtor = Set;
  var setHas = Set.prototype.has;
  var setAdd = Set.prototype.add;
  var setDelete = Set.prototype.delete;
  var strSlice = String.prototype.slice;
  var strCharCodeAt = String.prototype.charCodeAt;
  var ObjectProto = Object.prototype;
  var PromiseProto = Promise.prototype;
  var TypedArrayProto = getProto(Uint8Array.prototype);
  var typedArrayLength = getOwnDesc(TypedArrayProto, 'length').get;
  var typedArrayTag = getOwnDesc(TypedArrayProto, Symbol.toStringTag).get;
  var NaN_ = 0 / 0;
  var INF = 1 / 0;

  // Students leave console.log calls in; make them harmless no-ops.
  var noop = function () {};
  globalThis.console = { log: noop, info: noop, warn: noop, error: noop, debug: noop, trace: noop, table: noop, dir: noop };

  var INVALID = {};
  var TOP = {};
  var invalidReason = '';
  var out = '';
  var budget = 0;
  var ancestors = null;

  function cut(s, n) {
    return s.length > n ? apply(strSlice, s, [0, n]) + '…' : s;
  }

  function isIdentifier(k) {
    if (k.length === 0) return false;
    for (var i = 0; i < k.length; i++) {
      var c = apply(strCharCodeAt, k, [i]);
      var letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 36 || c === 95;
      if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
    }
    return true;
  }

  function keyText(k) {
    if (typeof k === 'number') return '[' + k + ']';
    return isIdentifier(k) ? '.' + k : '[' + jsonStringify(cut(k, 40)) + ']';
  }

  // node = { up: node|null, key } is the parent chain; only turned into text on failure.
  function pathOf(up, key) {
    var s = key === TOP ? '' : keyText(key);
    for (var n = up; n !== null; n = n.up) {
      if (n.key !== TOP) s = keyText(n.key) + s;
    }
    return 'result' + s;
  }

  function fail(up, key, thing, advice) {
    invalidReason = (up === null && key === TOP
      ? 'the result is ' + thing
      : 'the result contains ' + thing + ' at ' + pathOf(up, key)) + (advice ? ' (' + advice + ')' : '');
    throw INVALID;
  }

  function tooLarge() {
    invalidReason = 'the result is too large (more than ' + MAX_VALUES + ' values or ' + MAX_CHARS + ' characters of JSON)';
    throw INVALID;
  }

  function encString(s) {
    if (s.length > MAX_CHARS) tooLarge();
    out += s.length > 0 && apply(strCharCodeAt, s, [0]) === 0 ? jsonStringify('\u0000' + s) : jsonStringify(s);
  }

  function enc(v, depth, up, key) {
    if (--budget < 0) tooLarge();
    switch (typeof v) {
      case 'number':
        if (v !== v) out += '"\\u0000NaN"';
        else if (v === INF) out += '"\\u0000Infinity"';
        else if (v === -INF) out += '"\\u0000-Infinity"';
        else out += '' + v;
        break;
      case 'string':
        encString(v);
        break;
      case 'boolean':
        out += v ? 'true' : 'false';
        break;
      case 'undefined':
        fail(up, key, 'undefined', 'did you forget a return statement?');
        break;
      case 'bigint':
        fail(up, key, 'a BigInt', 'convert it with Number(...)');
        break;
      case 'symbol':
        fail(up, key, 'a Symbol');
        break;
      case 'function':
        fail(up, key, 'a function');
        break;
      default:
        if (v === null) out += 'null';
        else encObject(v, depth, up, key);
    }
    if (out.length > MAX_CHARS) tooLarge();
  }

  function className(proto) {
    try {
      var d = getOwnDesc(proto, 'constructor');
      if (d !== undefined && hasOwn(d, 'value') && typeof d.value === 'function') {
        var n = getOwnDesc(d.value, 'name');
        if (n !== undefined && hasOwn(n, 'value') && typeof n.value === 'string' && n.value.length > 0) return cut(n.value, 40);
      }
    } catch (e) {}
    return 'an unknown class';
  }

  function encObject(v, depth, up, key) {
    if (depth >= MAX_DEPTH) fail(up, key, 'arrays or objects nested more than ' + MAX_DEPTH + ' levels deep');
    if (apply(setHas, ancestors, [v])) fail(up, key, 'a cycle', 'an object that contains itself');
    var proto = getProto(v);
    if (proto === PromiseProto) fail(up, key, 'a Promise', 'exports must return their result directly, not asynchronously');
    var node = { up: up, key: key };
    apply(setAdd, ancestors, [v]);
    if (isView(v)) encTyped(v, node, up, key);
    else if (isArray(v)) encArray(v, depth, node, up, key);
    else if (proto === ObjectProto || proto === null) encPlain(v, depth, node);
    else fail(up, key, 'an object of class ' + className(proto), 'only numbers, strings, booleans, null, arrays and plain objects can be returned');
    apply(setDelete, ancestors, [v]);
  }

  function encTyped(v, node, up, key) {
    var tag = apply(typedArrayTag, v, []);
    if (tag === undefined) fail(up, key, 'a DataView');
    if (tag === 'BigInt64Array' || tag === 'BigUint64Array') fail(up, key, 'a ' + tag, 'BigInts are not numbers');
    var len = apply(typedArrayLength, v, []);
    if (len > MAX_VALUES) tooLarge();
    out += '[';
    for (var i = 0; i < len; i++) {
      if (i > 0) out += ',';
      enc(v[i], 1, node, i);
    }
    out += ']';
  }

  function encArray(v, depth, node, up, key) {
    var ld = getOwnDesc(v, 'length');
    if (ld === undefined || !hasOwn(ld, 'value')) fail(up, key, 'an array whose length cannot be read');
    var len = ld.value;
    if (typeof len !== 'number' || !(len >= 0) || len !== len - (len % 1)) fail(up, key, 'an array with an invalid length');
    if (len > MAX_VALUES) tooLarge();
    out += '[';
    for (var i = 0; i < len; i++) {
      if (i > 0) out += ',';
      var d = getOwnDesc(v, i);
      if (d === undefined) fail(node, i, 'an empty slot', 'every element of an array must be set');
      if (!hasOwn(d, 'value')) fail(node, i, 'a getter', 'return plain data, not accessors');
      enc(d.value, depth + 1, node, i);
    }
    out += ']';
  }

  function encPlain(v, depth, node) {
    var keys = ownKeys(v);
    var n = keys.length;
    if (n > MAX_VALUES) tooLarge();
    out += '{';
    var first = true;
    for (var i = 0; i < n; i++) {
      var k = keys[i];
      if (typeof k !== 'string') continue;
      var d = getOwnDesc(v, k);
      if (d === undefined || d.enumerable !== true) continue;
      if (!hasOwn(d, 'value')) fail(node, k, 'a getter', 'return plain data, not accessors');
      if (k === '__proto__') fail(node, k, 'a property named __proto__');
      if (!first) out += ',';
      first = false;
      if (k.length > MAX_CHARS) tooLarge();
      out += jsonStringify(k) + ':'; // keys are never decoded, so never escaped
      enc(d.value, depth + 1, node, k);
    }
    out += '}';
  }

  function encodeResult(v) {
    out = '';
    budget = MAX_VALUES;
    ancestors = new SetCtor();
    try {
      enc(v, 0, null, TOP);
      return out;
    } finally {
      out = '';
      ancestors = null;
    }
  }

  function readString(o, k, fallback) {
    try {
      var s = o[k];
      return typeof s === 'string' ? s : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function describeThrown(e) {
    var name = 'Error';
    var message;
    if ((typeof e === 'object' && e !== null) || typeof e === 'function') {
      name = readString(e, 'name', 'Error');
      message = readString(e, 'message', '(no readable message)');
    } else if (typeof e === 'string') {
      message = e;
    } else {
      message = StringCtor(e);
    }
    var clean = '';
    name = cut(name, 80);
    for (var i = 0; i < name.length; i++) {
      var c = apply(strCharCodeAt, name, [i]);
      if (c !== 1 && c !== 10 && c !== 13) clean += apply(strSlice, name, [i, i + 1]);
    }
    return 'T' + (clean.length > 0 ? clean : 'Error') + '\u0001' + cut(message, 1000);
  }

  function revive(k, v) {
    if (typeof v === 'string' && v.length > 0 && apply(strCharCodeAt, v, [0]) === 0) {
      var rest = apply(strSlice, v, [1]);
      if (rest === 'NaN') return NaN_;
      if (rest === 'Infinity') return INF;
      if (rest === '-Infinity') return -INF;
      return rest;
    }
    return v;
  }

  function exportedFunctions(ns) {
    var keys = ownKeys(ns);
    var text = '[';
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i];
      if (typeof k !== 'string') continue;
      try {
        if (typeof ns[k] === 'function') text += (text.length > 1 ? ',' : '') + jsonStringify(k);
      } catch (e) {}
    }
    return text + ']';
  }

  function callOne(ns, name, args) {
    var exported = false;
    var f;
    try {
      exported = hasOwn(ns, name);
      if (exported) f = ns[name];
    } catch (e) {
      return describeThrown(e);
    }
    if (!exported) return 'M';
    if (typeof f !== 'function') return 'Mnot a function';
    var result;
    try {
      result = apply(f, undefined, args);
    } catch (e) {
      return describeThrown(e);
    }
    try {
      return 'R' + encodeResult(result);
    } catch (e) {
      if (e === INVALID) return 'I' + invalidReason;
      return describeThrown(e);
    }
  }

  return function dispatch(op, ns, name, argsText) {
    try {
      if (op === 'exports') return 'E' + exportedFunctions(ns);
      if (op === 'many') {
        // one export on many argument lists (argsText: the encoded array of argument arrays), in order;
        // 'B' + a JSON array of the tagged results, one per list
        var lists = jsonParse(argsText, revive);
        var out = '[';
        for (var i = 0; i < lists.length; i++) {
          var one;
          try {
            one = callOne(ns, name, lists[i]);
          } catch (e) {
            one = describeThrown(e);
          }
          out += (i ? ',' : '') + jsonStringify(one);
        }
        return 'B' + out + ']';
      }
      return callOne(ns, name, jsonParse(argsText, revive));
    } catch (e) {
      return describeThrown(e);
    }
  };
})()`;