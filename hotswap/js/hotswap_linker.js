// Instantiates one patch in *this* instance (the main thread's or a worker's) from a plan
// the main thread computed once: same memory and table bases everywhere, imports bound
// to this instance's own functions, stack pointer and this thread's thread-locals (the
// program's copies, earlier patches' and, in a block this instance allocates, the patch's own). Also holds
// the table check every instance runs first: all tables must have the same length.
// Each thread then switches to the patch (commit) by writing, in its own table, the slot of
// every function the patch redefines: every call of the program goes through those slots.

mergeInto(LibraryManager.library, {
  $HotswapLinker__deps: ['$GOT', '$HotswapPatchFormat', '$HotswapVersions', 'hotswap_detail_set_version', 'hotswap_detail_thread_locals_base',
                         'hotswap_detail_allocate'],
  $HotswapLinker: {
    patches: {},    // version -> exports of this instance's copy of the patch
    threadLocalBases: {},  // version -> this thread's block of that patch's own thread-locals
    originals: {},  // table slot -> the program's own function there, saved before a patch first wrote it

    // object[name] if the object itself has it: symbol names may be anything ("toString",
    // "__proto__"), and the runtime's symbol tables (asmLibraryArg, GOT) are plain objects.
    own: function(object, name) {
      return Object.prototype.hasOwnProperty.call(object, name) ? object[name] : undefined;
    },

    // The program's function `name` in this instance (the original, if Emscripten wrapped it).
    programFunction: function(name) {
      return HotswapLinker.own(asmLibraryArg, 'orig$' + name) || HotswapLinker.own(asmLibraryArg, name);
    },

    // An Error carrying one of the patch format's failure kinds.
    failure: function(kind, message) {
      var error = new Error(message);
      error.patchFailureKind = kind;
      return error;
    },

    // Every instance's table must have the length the plan starts from; then it grows the same way.
    reserveTable: function(plan) {
      if (wasmTable.length !== plan.tableBase) {
        throw HotswapLinker.failure('table_mismatch', 'patch ' + plan.version + ': this instance\'s function table has ' +
          wasmTable.length + ' entries where every instance must have ' + plan.tableBase);
      }
      if (plan.tableLength > plan.tableBase) wasmTable.grow(plan.tableLength - plan.tableBase);
    },

    // The imports of this instance, and the patch's own thread-locals, whose addresses are
    // known once this instance has its block (place).
    importsFor: function(plan) {
      var imports = { 'env': Object.create(null), 'GOT.mem': Object.create(null), 'GOT.func': Object.create(null) };
      var ownThreadLocals = [];
      var pointer = function(value, mutable) { return new WebAssembly.Global({ value: 'i32', mutable: mutable }, value); };
      plan.imports.forEach(function(entry) {
        var binding = entry.binding, value;
        if (binding.memory) value = wasmMemory;
        else if (binding.table) value = wasmTable;
        else if (binding.stackPointer) value = asmLibraryArg['__stack_pointer'];
        else if (binding.memoryBase) value = pointer(plan.memoryBase, false);
        else if (binding.tableBase) value = pointer(plan.tableBase, false);
        else if (binding.programFunction) value = HotswapLinker.programFunction(entry.name);
        else if (binding.patchFunction) value = HotswapLinker.own(HotswapLinker.patches[binding.patchFunction] || {}, entry.name);
        else if (binding.programData) value = HotswapLinker.own(GOT, entry.name) && pointer(GOT[entry.name].value, true);
        else if ('programThreadLocal' in binding) value = pointer(_hotswap_detail_thread_locals_base() + binding.programThreadLocal, true);
        else if ('patchThreadLocal' in binding) {
          var base = HotswapLinker.threadLocalBases[binding.patchThreadLocal];
          if (base !== undefined) value = pointer(base + binding.offset, true);
        } else if ('ownThreadLocal' in binding) {
          value = pointer(0, true);
          ownThreadLocals.push({ global: value, offset: binding.ownThreadLocal });
        } else if (binding.weakUndefined) {
          value = entry.kind === 'function' ? function() { throw new Error('called ' + entry.name + ', a weak symbol nothing defines'); }
                                            : pointer(0, true);
        }
        else if ('address' in binding) value = pointer(binding.address, true);
        else if ('tableIndex' in binding) value = pointer(binding.tableIndex, true);
        if (!value) {
          throw HotswapLinker.failure('unresolved_import', 'patch ' + plan.version + ': ' + entry.module + '.' + entry.name +
            ' is not defined in this instance');
        }
        imports[entry.module][entry.name] = value;
      });
      return { imports: imports, ownThreadLocals: ownThreadLocals };
    },

    // Instantiates the plan's module here. Returns the instance (sync) or a promise of it.
    instantiate: function(module, plan, synchronous) {
      HotswapLinker.reserveTable(plan);
      if (!module) return null;  // a table reservation left by a rejected patch
      var bound = HotswapLinker.importsFor(plan);
      var place = function(instance) { return HotswapLinker.place(instance, plan, bound.ownThreadLocals); };
      if (synchronous) return place(new WebAssembly.Instance(module, bound.imports));
      return WebAssembly.instantiate(module, bound.imports).then(place);
    },

    // Puts the patch's functions in their table slots and gives it this thread's block of its
    // own thread-locals (each instance its own, initialised from the patch's image: constant
    // initialisers; dynamic ones run on each thread's first use, in the patch's code). The
    // main thread, which instantiates a patch first, also fixes the pointers in its data
    // once: wasm-ld 19 leaves that to the loader in a shared-memory module (its start function
    // only copies the data in, once for all threads).
    place: function(instance, plan, ownThreadLocals) {
      var exports = instance.exports;
      if (!ENVIRONMENT_IS_PTHREAD && exports['__wasm_apply_data_relocs']) exports['__wasm_apply_data_relocs']();
      plan.slots.forEach(function(slot) { setWasmTableEntry(slot.index, exports[slot.name]); });
      if (exports['__wasm_init_tls']) {
        var size = exports['__tls_size'] ? exports['__tls_size'].value : 0;
        var align = exports['__tls_align'] ? Math.max(exports['__tls_align'].value, 1) : 1;
        var block = size ? _hotswap_detail_allocate(size, align) : 0;
        if (size && !block) {
          throw HotswapLinker.failure('out_of_memory', 'patch ' + plan.version + ': no memory for its ' + size + ' bytes of thread-locals');
        }
        exports['__wasm_init_tls'](block);
        HotswapLinker.threadLocalBases[plan.version] = block;
        ownThreadLocals.forEach(function(own) { own.global.value = block + own.offset; });
      }
      HotswapLinker.patches[plan.version] = exports;
      return instance;
    },

    // This thread runs the plan's code from now on: the slot of each function it redirects
    // gets that function from patch `redirect.version`'s exports (0: the program's own
    // function, for a rollback).
    commit: function(plan) {
      HotswapVersions.beforeCommit();  // a thread running an older version (a comparison) comes back first
      var codes = plan.redirects.map(function(redirect) {
        if (!(redirect.slot in HotswapLinker.originals)) HotswapLinker.originals[redirect.slot] = wasmTable.get(redirect.slot);
        var code = redirect.version ? HotswapLinker.own(HotswapLinker.patches[redirect.version] || {}, redirect.name)
                                    : HotswapLinker.originals[redirect.slot];
        if (!code) {
          throw HotswapLinker.failure('table_mismatch', 'patch ' + plan.version + ': ' + redirect.name + ' of version ' +
                                      redirect.version + ' is not loaded in this instance');
        }
        return code;
      });
      // Through Emscripten's setter: its JS keeps a mirror of the table (invoke_* calls use it).
      plan.redirects.forEach(function(redirect, i) { setWasmTableEntry(redirect.slot, codes[i]); });
      HotswapVersions.committedPlan(plan);
      _hotswap_detail_set_version(plan.version);
    },

    // A worker's whole step: check and grow the table, instantiate, commit (a patch or a
    // rollback; a table reservation only grows the table). Returns ms spent.
    applyStep: function(step) {
      var started = performance.now();
      HotswapLinker.instantiate(step.module, step.plan, true);
      if (step.module || step.plan.rollsBack) HotswapLinker.commit(step.plan);
      return performance.now() - started;
    },
  },

  hotswap_js_apply_step__deps: ['$HotswapLinker', '$Emval'],
  hotswap_js_apply_step: function(stepHandle) {
    return HotswapLinker.applyStep(Emval.toValue(stepHandle));
  },
});
