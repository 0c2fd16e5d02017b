// The worker half of the wwm glue. Installed when the program's JS loads in a worker, it
// owns `self.onmessage`: Emscripten's own pthread messages pass through; the first wwm
// message must be the init message, every later one a task. `wasmInit` is the SPEC's
// nullable promise: null until init arrives, then resolved once this worker's instance
// runs (the pthread entry calls wwm_js_worker_ready). Tasks wait on it and run in order.
// Bad messages are reported to the main thread (which names this worker) and dropped.

mergeInto(LibraryManager.library, {
  $WwmWorker__deps: ['$WwmProtocol', '$WwmTasks', 'wwm_detail_memory_probe_address'],
  $WwmWorker__postset: 'if (ENVIRONMENT_IS_PTHREAD) WwmWorker.install();',
  $WwmWorker: {
    wasmInit: null,
    instanceRunning: null,   // resolves when the pthread entry function runs
    markInstanceRunning: null,
    workerId: 0,
    loadedModule: null,      // the module Emscripten's load step instantiated here
    failed: false,           // a task trapped or threw: serve nothing more

    install: function() {
      WwmWorker.instanceRunning = new Promise(function(resolve) { WwmWorker.markInstanceRunning = resolve; });
      WwmWorker.loadedModule = Module['wasmModule'];
      var emscriptenOnMessage = self.onmessage;
      self.onmessage = function(event) { WwmWorker.onMessage(emscriptenOnMessage, event); };
    },

    onMessage: function(emscriptenOnMessage, event) {
      var data = event.data, KIND = WwmProtocol.KIND;
      var verdict = WwmProtocol.classify(data);
      if (verdict.kind === KIND.EMSCRIPTEN) return emscriptenOnMessage(event);
      if (verdict.problem) return WwmWorker.drop(data, verdict.problem);
      if (verdict.kind === KIND.INIT) {
        if (WwmWorker.wasmInit !== null) return WwmWorker.drop(data, 'a second init message (this worker is already initialised)');
        WwmWorker.wasmInit = WwmWorker.instanceRunning.then(function() { WwmWorker.adoptInit(data); });
        return WwmWorker.schedule(data);
      }
      if (verdict.kind === KIND.TASK) {
        if (WwmWorker.wasmInit === null) return WwmWorker.drop(data, 'a task before the init message');
        return WwmWorker.schedule(data);
      }
      WwmWorker.drop(data, 'a worker does not accept ' + verdict.kind + ' messages');
    },

    // Checks that the init message names the program and memory this worker runs.
    adoptInit: function(data) {
      var F = WwmProtocol.FIELD;
      WwmWorker.workerId = data[F.WEB_WORKER_ID];
      self[F.WEB_WORKER_ID] = WwmWorker.workerId;
      var exportNames = function(module) { return WebAssembly.Module.exports(module).map(function(e) { return e.name; }).join(); };
      if (!WwmWorker.loadedModule || exportNames(data[F.WASM_MODULE]) !== exportNames(WwmWorker.loadedModule)) {
        WwmWorker.report('init: the module in the init message is not the program this worker runs', false);
      }
      var probe = _wwm_detail_memory_probe_address() >> 2;
      var token = (Math.random() * 0x7fffffff) | 0;
      Atomics.store(new Int32Array(data[F.WASM_MEMORY].buffer), probe, token);
      if (Atomics.load(HEAP32, probe) !== token) {
        WwmWorker.report('init: the memory in the init message is not the memory this worker runs on', false);
      }
    },

    schedule: function(data) {
      WwmWorker.wasmInit.then(function() {
        if (WwmWorker.failed) return;  // the main thread destroys the tasks of a failed worker
        var outcome = WwmTasks.run(data, WwmWorker.workerId);
        if (!outcome) return;
        if (outcome.problem) return WwmWorker.drop(data, outcome.problem);
        WwmWorker.failed = true;
        WwmWorker.report('a task failed: ' + outcome.exception, true);
      });
    },

    drop: function(data, problem) {
      WwmWorker.report('dropped message ' + WwmProtocol.describe(data) + ': ' + problem, false);
    },

    report: function(text, fatal) {
      postMessage(WwmProtocol.makeErrorReport(text, fatal));
    },
  },

  wwm_js_worker_ready__deps: ['$WwmWorker'],
  wwm_js_worker_ready: function() {
    WwmWorker.markInstanceRunning();
  },

  wwm_js_post_to_main__deps: ['$WwmProtocol', '$WwmTasks', '$Emval'],
  wwm_js_post_to_main: function(address, serial, payloadHandle, transferHandle) {
    var message = WwmProtocol.makeTask([address, serial], Emval.toValue(payloadHandle));
    if (ENVIRONMENT_IS_PTHREAD) {
      postMessage(message, Emval.toValue(transferHandle));
    } else {
      // Zero-worker mode: the main thread posts to itself; run it on a later turn.
      setTimeout(function() {
        var outcome = WwmTasks.run(message, 0);
        if (outcome) WwmMain.reportError('a task the main thread posted to itself failed: ' + (outcome.problem || outcome.exception));
      }, 0);
    }
  },

  wwm_js_report_error__deps: ['$WwmMain', '$WwmWorker'],
  wwm_js_report_error: function(text) {
    text = UTF8ToString(text);
    if (ENVIRONMENT_IS_PTHREAD) WwmWorker.report(text, false);
    else WwmMain.reportError(text);
  },
});
