// The main-thread half of the wwm glue: owns each managed Worker's onmessage, sends init
// and task messages, stops workers, and is the one error sink (console + listeners such
// as the page's error overlay). Messages without a `__wwm_` field go on to Emscripten's
// own pthread handler; anything else that is not a well-formed task or error report is
// reported, naming the worker and the message, and dropped.

mergeInto(LibraryManager.library, {
  $WwmMain__deps: ['$WwmProtocol', '$WwmTasks', '$Emval', '$PThread', '$killThread', 'wwm_detail_worker_failed'],
  $WwmMain: {
    workers: {},         // worker id -> {worker: Worker, thread: pthread address}
    errorLog: [],        // the newest errors, for the page and the tests
    errorListeners: [],  // functions(text) called on every error
    MAX_ERROR_LOG: 200,

    attach: function(thread, id, address, serial) {
      var worker = WwmMain.adopt(thread, id);
      worker.postMessage(WwmProtocol.makeInit(wasmModule, wasmMemory, [address, serial], undefined, id));
    },

    // Takes over the Worker that hosts pthread `thread` under wwm id `id`.
    adopt: function(thread, id) {
      var worker = PThread.pthreads[thread].worker;
      var emscriptenOnMessage = worker.onmessage;
      worker.onmessage = function(event) { WwmMain.onWorkerMessage(id, emscriptenOnMessage, event); };
      worker.onerror = function(event) {
        event.preventDefault();
        WwmMain.failWorker(id, 'uncaught error in the worker: ' + (event.message || event));
      };
      WwmMain.workers[id] = { worker: worker, thread: thread };
      return worker;
    },

    post: function(id, message, transfer) {
      var entry = WwmMain.workers[id];
      if (!entry) {
        WwmMain.reportError('worker ' + id + ': cannot post a task, the worker is gone');
        return;
      }
      entry.worker.postMessage(message, transfer);
    },

    stop: function(id) {
      var entry = WwmMain.workers[id];
      if (!entry) return;
      delete WwmMain.workers[id];
      if (PThread.pthreads[entry.thread]) killThread(entry.thread);
      else entry.worker.terminate();
    },

    // A worker stuck in a task: its Worker is terminated now, but Emscripten keeps its
    // pthread (whose stack the worker may still use until the browser has stopped it)
    // until release.
    terminate: function(id) {
      var entry = WwmMain.workers[id];
      if (!entry) return;
      delete WwmMain.workers[id];
      entry.worker.terminate();
    },

    release: function(thread) {
      if (PThread.pthreads[thread]) killThread(thread);
    },

    onWorkerMessage: function(id, emscriptenOnMessage, event) {
      var data = event.data, KIND = WwmProtocol.KIND;
      var verdict = WwmProtocol.classify(data);
      if (verdict.kind === KIND.EMSCRIPTEN) return emscriptenOnMessage(event);
      if (verdict.kind === KIND.TASK) {
        var outcome = WwmTasks.run(data, 0);
        if (outcome && outcome.problem) {
          WwmMain.reportError('worker ' + id + ': dropped task message ' + WwmProtocol.describe(data) + ': ' + outcome.problem);
        } else if (outcome) {
          WwmMain.reportError('a task from worker ' + id + ' failed on the main thread: ' + outcome.exception);
        }
        return;
      }
      if (verdict.kind === KIND.ERROR_REPORT) {
        var report = data[WwmProtocol.FIELD.ERROR_REPORT];
        if (report.fatal) WwmMain.failWorker(id, report.text);
        else WwmMain.reportError('worker ' + id + ': ' + report.text);
        return;
      }
      var problem = verdict.problem || 'a worker cannot send an init message';
      WwmMain.reportError('worker ' + id + ': dropped message ' + WwmProtocol.describe(data) + ': ' + problem);
    },

    failWorker: function(id, text) {
      WwmMain.reportError('worker ' + id + ' failed: ' + text);
      _wwm_detail_worker_failed(id, Emval.toHandle(text));
    },

    reportError: function(text) {
      WwmMain.errorLog.push({ time: performance.now(), text: text });
      if (WwmMain.errorLog.length > WwmMain.MAX_ERROR_LOG) WwmMain.errorLog.shift();
      console.error('[wwm] ' + text);
      WwmMain.errorListeners.forEach(function(listener) {
        try { listener(text); } catch (error) { console.error('[wwm] error listener threw: ' + error); }
      });
    },
  },

  wwm_js_attach_worker__deps: ['$WwmMain'],
  wwm_js_attach_worker: function(thread, id, address, serial) {
    WwmMain.attach(thread, id, address, serial);
  },

  wwm_js_post_to_worker__deps: ['$WwmMain', '$Emval'],
  wwm_js_post_to_worker: function(id, address, serial, payloadHandle, transferHandle) {
    var message = WwmProtocol.makeTask([address, serial], Emval.toValue(payloadHandle));
    WwmMain.post(id, message, Emval.toValue(transferHandle));
  },

  wwm_js_stop_worker__deps: ['$WwmMain'],
  wwm_js_stop_worker: function(id) {
    WwmMain.stop(id);
  },

  wwm_js_terminate_worker__deps: ['$WwmMain'],
  wwm_js_terminate_worker: function(id) {
    WwmMain.terminate(id);
  },

  wwm_js_release_thread__deps: ['$WwmMain'],
  wwm_js_release_thread: function(thread) {
    WwmMain.release(thread);
  },
});
