// Running a task message on this thread (main thread or worker): hands the ticket and the
// payload to C++, which checks the ticket against the task ledger and runs the task once.
// An exception escaping the task (a wasm trap, or a C++ throw with catching disabled)
// unwinds no C++ frames, so the stack pointer is restored here and the task destroyed.

mergeInto(LibraryManager.library, {
  $WwmTasks__deps: ['$WwmProtocol', '$Emval', 'wwm_detail_run_task', 'wwm_detail_abandon_running_task',
                    'stackSave', 'stackRestore'],
  $WwmTasks: {
    // Returns null when the task ran, or {problem} / {exception} saying why it did not.
    run: function(data, receiver) {
      var F = WwmProtocol.FIELD;
      var callback = data[F.CALLBACK];
      var payloadHandle = Emval.toHandle(data[F.JS_PAYLOAD]);
      var stack = stackSave();
      try {
        var problem = _wwm_detail_run_task(callback[0], callback[1], receiver, payloadHandle);
        return problem ? { problem: UTF8ToString(problem) } : null;
      } catch (exception) {
        stackRestore(stack);
        _wwm_detail_abandon_running_task();
        return { exception: WwmTasks.describeException(exception) };
      }
    },

    describeException: function(exception) {
      if (exception instanceof WebAssembly.RuntimeError) return 'trap: ' + exception.message;
      if (typeof exception == 'number') return 'an uncaught C++ exception';
      if (exception && exception.message) return exception.name + ': ' + exception.message;
      return String(exception);
    },
  },
});
