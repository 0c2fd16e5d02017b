// The wwm message protocol, defined once: field names, message kinds and the rules that
// tell a well-formed message from a bad one. Both sides (main thread and worker) use it;
// nothing else in the project spells a `__wwm_` name. See docs/ARCHITECTURE.md, "Protocol".

mergeInto(LibraryManager.library, {
  $WwmProtocol: {
    // Every field a wwm message may carry.
    FIELD: {
      WASM_MODULE: '__wwm_wasm_module',     // init: the program, compiled once on the main thread
      WASM_MEMORY: '__wwm_wasm_memory',     // init: the shared memory
      CALLBACK: '__wwm_callback',           // init, task: [address, serial] of a heap-allocated C++ task
      JS_PAYLOAD: '__wwm_js_payload',       // init, task: the task's argument (what cannot go through memory)
      WEB_WORKER_ID: '__wwm_web_worker_id', // init: the worker's id, assigned by the main thread
      ERROR_REPORT: '__wwm_error_report',   // worker -> main: {text, fatal}: a problem the worker saw
    },

    // The closed set of message kinds. Anything that is not one of them is an error.
    KIND: {
      INIT: 'init',                 // main -> worker, first message only
      TASK: 'task',                 // either direction
      ERROR_REPORT: 'error report', // worker -> main
      EMSCRIPTEN: 'emscripten',     // Emscripten's own pthread messages (no __wwm_ field): passed through
    },

    PREFIX: '__wwm_',

    // Returns {kind} for a well-formed message, or {problem} saying what is wrong with it.
    // `expected` lists the kinds acceptable where the message arrived.
    classify: function(data) {
      var F = WwmProtocol.FIELD;
      // A typed array or DataView is not a message either, and must not reach Object.keys:
      // on a view as big as the wasm memory (2^28 indices) it throws, which killed the
      // receiving worker (found by tests/wwm/protocol_fuzzing.test.mjs).
      if (data === null || typeof data != 'object' || Array.isArray(data) || ArrayBuffer.isView(data)) {
        return { problem: 'not an object (got ' + WwmProtocol.typeName(data) + ')' };
      }
      var keys = Object.keys(data);
      var wwmKeys = keys.filter(function(key) { return key.startsWith(WwmProtocol.PREFIX); });
      var known = Object.values(F);
      var unknown = wwmKeys.filter(function(key) { return !known.includes(key); });
      if (unknown.length) return { problem: 'unknown field ' + unknown.join(', ') };
      if (wwmKeys.length == 0) {
        if ('cmd' in data || 'target' in data) return { kind: WwmProtocol.KIND.EMSCRIPTEN };
        return { problem: 'no ' + WwmProtocol.PREFIX + ' field and not an Emscripten message' };
      }
      var has = function(field) { return Object.prototype.hasOwnProperty.call(data, field); };
      if (has(F.ERROR_REPORT)) {
        if (wwmKeys.length != 1) return { problem: F.ERROR_REPORT + ' must be the only field' };
        var report = data[F.ERROR_REPORT];
        if (report === null || typeof report != 'object' || typeof report.text != 'string' || typeof report.fatal != 'boolean') {
          return { problem: F.ERROR_REPORT + ' must be {text: string, fatal: boolean}' };
        }
        return { kind: WwmProtocol.KIND.ERROR_REPORT };
      }
      var callbackProblem = WwmProtocol.callbackProblem(data, has);
      if (has(F.WASM_MODULE) || has(F.WASM_MEMORY) || has(F.WEB_WORKER_ID)) {
        if (!(data[F.WASM_MODULE] instanceof WebAssembly.Module)) return { problem: 'init: ' + F.WASM_MODULE + ' is not a WebAssembly.Module' };
        if (!(data[F.WASM_MEMORY] instanceof WebAssembly.Memory)) return { problem: 'init: ' + F.WASM_MEMORY + ' is not a WebAssembly.Memory' };
        if (!Number.isInteger(data[F.WEB_WORKER_ID]) || data[F.WEB_WORKER_ID] <= 0) return { problem: 'init: ' + F.WEB_WORKER_ID + ' is not a positive integer' };
        if (callbackProblem) return { problem: 'init: ' + callbackProblem };
        if (!has(F.JS_PAYLOAD)) return { problem: 'init: missing ' + F.JS_PAYLOAD };
        return { kind: WwmProtocol.KIND.INIT };
      }
      if (callbackProblem) return { problem: 'task: ' + callbackProblem };
      if (!has(F.JS_PAYLOAD)) return { problem: 'task: missing ' + F.JS_PAYLOAD };
      return { kind: WwmProtocol.KIND.TASK };
    },

    // What is wrong with the message's callback field, or null.
    callbackProblem: function(data, has) {
      var F = WwmProtocol.FIELD;
      if (!has(F.CALLBACK)) return 'missing ' + F.CALLBACK;
      var callback = data[F.CALLBACK];
      // Both indices are read: every() skips the holes of a sparse array, so [, 5] passed
      // (found by tests/wwm/protocol_fuzzing.test.mjs).
      if (!Array.isArray(callback) || callback.length != 2 ||
          ![callback[0], callback[1]].every(function(n) { return Number.isInteger(n) && n > 0 && n <= 0xffffffff; })) {
        return F.CALLBACK + ' must be [address, serial], two positive 32-bit integers (got ' + WwmProtocol.describe(callback) + ')';
      }
      return null;
    },

    makeInit: function(module, memory, callback, payload, workerId) {
      var F = WwmProtocol.FIELD, message = {};
      message[F.WASM_MODULE] = module;
      message[F.WASM_MEMORY] = memory;
      message[F.CALLBACK] = callback;
      message[F.JS_PAYLOAD] = payload;
      message[F.WEB_WORKER_ID] = workerId;
      return message;
    },

    makeTask: function(callback, payload) {
      var F = WwmProtocol.FIELD, message = {};
      message[F.CALLBACK] = callback;
      message[F.JS_PAYLOAD] = payload;
      return message;
    },

    makeErrorReport: function(text, fatal) {
      var message = {};
      message[WwmProtocol.FIELD.ERROR_REPORT] = { text: text, fatal: fatal };
      return message;
    },

    typeName: function(value) {
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'array';
      if (ArrayBuffer.isView(value)) return Object.prototype.toString.call(value).slice(8, -1);  // Uint8Array, DataView, ...
      return typeof value;
    },

    // A short, safe description of a message for error reports.
    describe: function(data) {
      var MAX_ITEMS = 32;
      try {
        var text = JSON.stringify(data, function(key, value) {
          if (value instanceof WebAssembly.Module) return '[WebAssembly.Module]';
          if (value instanceof WebAssembly.Memory) return '[WebAssembly.Memory]';
          if (typeof value == 'bigint') return value.toString() + 'n';
          // Views and long arrays are cut short: stringified whole, a small message (a
          // sparse array of length 1e8, a view of the wasm memory) kept the receiving thread
          // busy for seconds (found by tests/wwm/protocol_fuzzing.test.mjs).
          if (ArrayBuffer.isView(value)) return '[' + WwmProtocol.typeName(value) + ', ' + value.byteLength + ' bytes]';
          if (Array.isArray(value) && value.length > MAX_ITEMS) {
            return value.slice(0, MAX_ITEMS).concat(['… ' + (value.length - MAX_ITEMS) + ' more items']);
          }
          return value;
        });
        if (text === undefined) text = String(data);
        return text.length > 200 ? text.slice(0, 200) + '…' : text;
      } catch (error) {
        return '[' + WwmProtocol.typeName(data) + ']';
      }
    },
  },
});
