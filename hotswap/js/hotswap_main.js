// The main thread's patch loader. Takes patch announcements (from the page's event
// stream or its start-up list), fetches and compiles each module, checks it against the
// program (signatures, imports, dylink.0), computes its plan (memory and table bases,
// import bindings, table slots, redirects) and instantiates it on the main thread first
// (a patch's data is initialised by the first instance, and only the main thread may not
// wait). Prepared patches wait until the program commits them between frames
// (hotswap::commit_ready_patches); workers then apply each one from the same plan.
// Strictly in version order; a failure rejects that patch as a whole and changes nothing.

mergeInto(LibraryManager.library, {
  $HotswapMain__deps: ['$HotswapLinker', '$HotswapWasmReader', '$HotswapPatchFormat', '$GOT', 'hotswap_detail_allocate',
                       'hotswap_detail_patch_ready'],
  $HotswapMain__postset: 'HotswapMain.functions = Object.create(null); HotswapMain.data = Object.create(null); ' +
                         'HotswapMain.threadLocals = Object.create(null); HotswapMain.callsOf = Object.create(null);',
  $HotswapMain: {
    entries: {},         // version -> {version, files, buildMs, state, bytes?, failure?}
    nextVersion: 1,      // the version to process next
    busy: false,
    prepared: [],        // steps instantiated on the main thread, waiting for commit
    steps: [],           // committed steps and table reservations, in order (what a new worker replays)
    log: [],             // one entry per version: the patch log the page shows
    listeners: [],       // functions(logEntry) called when an entry changes
    program: null,       // promise of the program's export signatures, data names, slots and call graph
    // Keyed by symbol names (which may be "constructor" or "__proto__"): objects without a
    // prototype, made at start-up (__postset above: a library's own values are copied as text).
    functions: null,     // name -> {version, signature, slot}: functions patches defined (slot: where calls go)
    data: null,          // name -> address: data patches defined that the program does not have
    threadLocals: null,  // name -> {version, offset}: thread-locals patches defined that the program does not have
    callsOf: null,       // function name -> names it calls, as the newest patch that defines it says
    programNow: null,    // the resolved programSummary()
    currentVersion: 0,   // the version the main thread runs
    committedTableLength: 0,  // table length once every committed step is applied (what workers have)

    // Announces a patch: {version, files, module (URL), build_ms, moduleBytes (an ArrayBuffer:
    // the module itself, not fetched; optional)} or a failed build {version, files, failure:
    // {kind, message}}. Versions must start at 1 and not repeat.
    announce: function(announcement) {
      var version = announcement.version;
      if (!Number.isInteger(version) || version < 1) return HotswapMain.reportBadAnnouncement('no valid version', announcement);
      if (HotswapMain.entries[version] || version < HotswapMain.nextVersion) return;  // seen already
      var entry = HotswapMain.entries[version] = {
        version: version, files: announcement.files || [], buildMs: announcement.build_ms, state: 'announced',
        changed: announcement.changed || [], calls: announcement.calls || {}, warnings: announcement.warnings || [],
        staticData: announcement.static_data || {},  // bound static variable -> [address in the program, size]
        // bound file-local thread-local -> [offset in the program's thread-local block, size]
        staticThreadLocals: announcement.static_thread_locals || {},
        ran: Object.create(null),  // name of a changed function -> ms from the commit to its first run
      };
      HotswapMain.log.push(entry);
      if (announcement.failure) {
        entry.state = 'rejected';
        entry.failure = announcement.failure;
        HotswapMain.changed(entry);
      } else {
        entry.state = 'loading';
        entry.loadStarted = performance.now();
        entry.bytes = announcement.moduleBytes ? Promise.resolve(announcement.moduleBytes) : fetch(announcement.module).then(function(response) {
          if (!response.ok) throw HotswapLinker.failure('invalid_module', 'patch ' + version + ': fetching ' + announcement.module + ' answered ' + response.status);
          return response.arrayBuffer();
        });
        HotswapMain.changed(entry);
      }
      HotswapMain.process();
    },

    reportBadAnnouncement: function(problem, announcement) {
      console.error('[hotswap] ignored a patch announcement with ' + problem + ': ' + JSON.stringify(announcement));
    },

    // Works through versions in order; one at a time. Once every announced patch is settled,
    // the program hears that the ready ones wait for their commit.
    process: function() {
      if (HotswapMain.busy) return;
      var entry = HotswapMain.entries[HotswapMain.nextVersion];
      if (!entry) {
        if (HotswapMain.prepared.some(function(step) { return step.module; })) _hotswap_detail_patch_ready();
        return;
      }
      if (entry.state === 'rejected') {
        HotswapMain.nextVersion++;
        return HotswapMain.process();
      }
      HotswapMain.busy = true;
      HotswapMain.prepare(entry).catch(function(error) {
        HotswapMain.reject(entry, error);
      }).then(function() {
        HotswapMain.busy = false;
        HotswapMain.nextVersion++;
        HotswapMain.process();
      });
    },

    prepare: function(entry) {
      var bytes;
      return entry.bytes.then(function(buffer) {
        bytes = buffer;
        entry.fetchMs = performance.now() - entry.loadStarted;
        return HotswapMain.programSummary();
      }).then(function(program) {
        var started = performance.now();
        var summary;
        try {
          summary = HotswapWasmReader.read(bytes);
        } catch (error) {
          throw HotswapLinker.failure('invalid_module', 'patch ' + entry.version + ': ' + error.message);
        }
        return WebAssembly.compile(bytes).catch(function(error) {
          throw HotswapLinker.failure('invalid_module', 'patch ' + entry.version + ': ' + error.message);
        }).then(function(module) {
          entry.compileMs = performance.now() - started;
          var plan = HotswapMain.makePlan(entry, summary, program);
          entry.plan = plan;
          var instantiated = performance.now();
          // Throws before the table grows (table mismatch); otherwise any failure below
          // leaves a grown table that the other instances must match.
          var instancePromise = HotswapLinker.instantiate(module, plan, false);
          return instancePromise.then(function() {
            entry.applyMainMs = performance.now() - instantiated;
            entry.symbolsBefore = { functions: Object.assign(Object.create(null), HotswapMain.functions),
                                    data: Object.assign(Object.create(null), HotswapMain.data),
                                    threadLocals: Object.assign(Object.create(null), HotswapMain.threadLocals) };
            HotswapMain.remember(plan, summary, program);
            entry.state = 'ready';
            delete entry.bytes;
            HotswapMain.prepared.push({ module: module, plan: plan });
            HotswapMain.changed(entry);
          }, function(error) {
            // The table grew here: every other instance must grow it the same way.
            HotswapMain.reserve({ module: null, plan: { version: plan.version, tableBase: plan.tableBase, tableLength: plan.tableLength } });
            if (error instanceof WebAssembly.RuntimeError) {
              throw HotswapLinker.failure('trap_while_loading', 'patch ' + entry.version + ' trapped while loading: ' + error.message);
            }
            if (error instanceof WebAssembly.LinkError) {
              throw HotswapLinker.failure('unresolved_import', 'patch ' + entry.version + ': ' + error.message);
            }
            throw error;
          });
        });
      });
    },

    // The plan: where the patch lives and how each of its imports is bound.
    makePlan: function(entry, summary, program) {
      var version = entry.version;
      var fail = function(kind, message) { throw HotswapLinker.failure(kind, 'patch ' + version + ': ' + message); };
      var programGot = function(name) { return HotswapLinker.own(GOT, name); };
      var dylink = summary.dylink;
      if (!dylink) fail('invalid_module', 'no dylink.0 section: this is not a side module (-sSIDE_MODULE)');
      if (dylink.tableAlign > 0 || dylink.memoryAlign > 16 || dylink.memorySize > 64 * 1024 * 1024 || dylink.tableSize > 65536) {
        fail('invalid_module', 'implausible dylink.0 sizes (memory ' + dylink.memorySize + ' bytes aligned 2^' + dylink.memoryAlign +
             ', table ' + dylink.tableSize + ')');
      }
      if (summary.dataBytes > dylink.memorySize) {
        fail('invalid_module', 'its data segments hold ' + summary.dataBytes + ' bytes but its dylink.0 memory size is ' +
             dylink.memorySize + ': the data would be written outside the patch\'s memory');
      }
      if (program.tableBase !== HotswapPatchFormat.program_table_base) {
        fail('table_mismatch', 'the program\'s table starts at ' + program.tableBase + ', but patches are built to call its functions ' +
             'through slots counted from ' + HotswapPatchFormat.program_table_base + ' (program_table_base in hotswap/patch_format.json)');
      }
      var ignored = HotswapPatchFormat.ignored_exports;
      var functionExports = summary.exports.filter(function(e) { return e.kind === 'function' && ignored.indexOf(e.name) < 0; })
        .map(function(e) { return e.name; }).sort();
      var tableBase = wasmTable.length;
      // A function the program (or an earlier patch) has keeps its slot: the commit writes the
      // patch's code there. A new function gets a slot of its own after the patch's elements.
      var newFunctions = functionExports.filter(function(name) {
        return program.slots[name] === undefined && !(HotswapMain.functions[name] && HotswapMain.functions[name].slot);
      });
      var firstSlot = tableBase + dylink.tableSize;
      var plan = { version: version, files: entry.files, memoryBase: 0, tableBase: tableBase,
                   tableLength: firstSlot + newFunctions.length, imports: [], slots: [], redirects: [], functions: [],
                   staticData: entry.staticData, staticThreadLocals: entry.staticThreadLocals };
      newFunctions.forEach(function(name, k) { plan.slots.push({ name: name, index: firstSlot + k }); });

      functionExports.forEach(function(name) {
        var signature = summary.functionSignatures[name];
        var known = program.signatures[name] !== undefined
          ? { signature: program.signatures[name], slot: program.slots[name], where: 'the program' }
          : HotswapMain.functions[name] && { signature: HotswapMain.functions[name].signature,
                                             slot: HotswapMain.functions[name].slot,
                                             where: 'patch ' + HotswapMain.functions[name].version };
        if (known) {
          if (known.signature !== signature) {
            fail('signature_changed', name + ' has signature ' + signature + ' but ' + known.where + ' has ' + known.signature +
                 ': a patch cannot change the signature of an existing function (rebuild the program to do that)');
          }
          if (known.slot !== undefined) plan.redirects.push({ name: name, slot: known.slot, version: version });
          if (program.signatures[name] !== undefined) plan.functions.push(name);
        }
      });

      summary.imports.forEach(function(entry) {
        plan.imports.push({ module: entry.module, name: entry.name, binding: HotswapMain.bind(entry, summary, program, plan, fail) });
      });
      // Only now, with everything checked, take memory for the patch's data.
      if (dylink.memorySize) {
        plan.memoryBase = _hotswap_detail_allocate(dylink.memorySize, Math.max(Math.pow(2, dylink.memoryAlign), 16));
        if (!plan.memoryBase) {
          fail('out_of_memory', 'the program\'s heap cannot hold the ' + dylink.memorySize + ' bytes of memory this patch needs ' +
               '(its dylink.0 memory size); reload the page to start from a fresh heap');
        }
      }
      plan.imports.forEach(function(entry) {
        if (entry.binding.ownData !== undefined) entry.binding = { address: plan.memoryBase + entry.binding.ownData };
      });
      return plan;
    },

    bind: function(entry, summary, program, plan, fail) {
      var name = entry.name;
      if (entry.module === 'env') {
        if (entry.kind === 'memory' && name === 'memory') return { memory: true };
        if (entry.kind === 'table' && name === '__indirect_function_table') return { table: true };
        if (entry.kind === 'global' && name === '__stack_pointer') return { stackPointer: true };
        if (entry.kind === 'global' && name === '__memory_base') return { memoryBase: true };
        if (entry.kind === 'global' && name === '__table_base') return { tableBase: true };
        if (entry.kind === 'function') {
          // The program's export of one of its own functions calls through the function's slot,
          // so it always runs the newest code; a function only patches define binds to the newest.
          if (program.signatures[name] !== undefined) {
            if (program.signatures[name] !== entry.type) {
              fail('signature_changed', 'imports ' + name + ' as ' + entry.type + ' but the program defines it as ' + program.signatures[name]);
            }
            if (HotswapLinker.programFunction(name)) return { programFunction: true };
          }
          var defined = HotswapMain.functions[name];
          if (defined) {
            if (defined.signature !== entry.type) fail('signature_changed', 'imports ' + name + ' as ' + entry.type + ' but patch ' + defined.version + ' defines it as ' + defined.signature);
            return { patchFunction: defined.version };
          }
          if (HotswapLinker.programFunction(name)) return { programFunction: true };
        }
      } else if (entry.module === 'GOT.mem' && entry.kind === 'global') {
        // A static variable of a patched source: the program's own (the builder renamed it).
        var bound = HotswapLinker.own(plan.staticData, name);
        if (bound) return { address: HotswapLinker.own(asmLibraryArg, '__memory_base').value + bound[0] };
        // A thread-local: every instance binds its own thread's copy. The program's (a bound
        // file-local one, or one it has by name: Emscripten's exception state, say), then an
        // earlier patch's, then the patch's own.
        var threadLocal = HotswapLinker.own(plan.staticThreadLocals, name) || HotswapLinker.own(program.threadLocals, name);
        if (threadLocal) return { programThreadLocal: threadLocal[0] };
        if (program.dataNames.has(name) && HotswapLinker.own(GOT, name)) return { programData: true };
        var patchThreadLocal = HotswapMain.threadLocals[name];
        if (patchThreadLocal) return { patchThreadLocal: patchThreadLocal.version, offset: patchThreadLocal.offset };
        if (HotswapMain.data[name] !== undefined) return { address: HotswapMain.data[name] };
        if (summary.threadLocalOffsets[name] !== undefined) return { ownThreadLocal: summary.threadLocalOffsets[name] };
        if (summary.dataOffsets[name] !== undefined) return { ownData: summary.dataOffsets[name] };
      } else if (entry.module === 'GOT.func' && entry.kind === 'global') {
        // A function's address is its slot: the same number the program's code uses for it.
        if (program.slots[name] !== undefined) return { tableIndex: program.slots[name] };
        // A library or JS function: the slot Emscripten gave it (the program's own GOT entry).
        if (HotswapLinker.own(GOT, name) && GOT[name].value) return { tableIndex: GOT[name].value };
        if (HotswapMain.functions[name] && HotswapMain.functions[name].slot) return { tableIndex: HotswapMain.functions[name].slot };
        var own = plan.slots.find(function(slot) { return slot.name === name; });
        if (own) return { tableIndex: own.index };
      }
      // A weak import nothing defines is null, as in a static link (C++ refers weakly to a
      // thread-local's initialiser, which a variable without one does not have).
      var weak = summary.dylink && summary.dylink.weakImports;
      if (weak && (weak.has(entry.module + '.' + name) || weak.has('env.' + name))) return { weakUndefined: true };
      fail('unresolved_import', 'needs ' + entry.module + '.' + name + ' (' + entry.kind + '), which neither the program nor an ' +
           'earlier patch defines; restart the dev loop to rebuild the program if the edit uses something new');
    },

    // After a successful load: later patches resolve against what this one defines.
    remember: function(plan, summary, program) {
      var ownSlots = Object.create(null);
      plan.slots.forEach(function(slot) { ownSlots[slot.name] = slot.index; });
      Object.keys(summary.functionSignatures).forEach(function(name) {
        if (HotswapPatchFormat.ignored_exports.indexOf(name) >= 0) return;
        var previous = HotswapMain.functions[name];
        HotswapMain.functions[name] = {
          version: plan.version, signature: summary.functionSignatures[name],
          slot: program.slots[name] !== undefined ? program.slots[name] : (previous && previous.slot) || ownSlots[name],
        };
      });
      Object.keys(summary.dataOffsets).forEach(function(name) {
        var ignored = HotswapPatchFormat.ignored_exports.indexOf(name) >= 0;
        if (HotswapMain.data[name] === undefined && !ignored) HotswapMain.data[name] = plan.memoryBase + summary.dataOffsets[name];
      });
      Object.keys(summary.threadLocalOffsets).forEach(function(name) {
        if (HotswapMain.threadLocals[name] === undefined && !program.threadLocals[name]) {
          HotswapMain.threadLocals[name] = { version: plan.version, offset: summary.threadLocalOffsets[name] };
        }
      });
    },

    // A rejected patch grew this instance's table: the workers must grow theirs the same
    // way, in order with the patches before it, so the reservation queues like a patch.
    reserve: function(step) {
      HotswapMain.prepared.push(step);
    },

    // Called by C++ between frames: the next prepared step, committed on the main thread, or
    // null. A table reservation ({module: null}) needs nothing here; the workers apply it.
    // Nothing commits while an announced patch is still loading: patches announced together
    // (the list a page opened late applies, saves in quick succession) commit together, so
    // code that runs again after a commit (scene loading) runs once, with the newest code, and
    // never with a version a later save already replaced (which may loop for ever on the main
    // thread, where nothing can stop it).
    commitNext: function() {
      if (HotswapMain.busy || HotswapMain.entries[HotswapMain.nextVersion]) return null;
      var step = HotswapMain.prepared.shift();
      if (!step) return null;
      HotswapMain.committedTableLength = step.plan.tableLength;
      if (!step.module) {
        HotswapMain.steps.push(step);
        return step;
      }
      var entry = HotswapMain.entries[step.plan.version];
      var started = performance.now();
      HotswapLinker.commit(step.plan);
      HotswapMain.currentVersion = step.plan.version;
      HotswapMain.steps.push(step);
      entry.state = 'applied';
      entry.applyMainMs += performance.now() - started;
      entry.committedAt = performance.now();
      entry.workers = {};
      Object.keys(entry.calls).forEach(function(name) { HotswapMain.callsOf[name] = entry.calls[name]; });
      HotswapMain.watchRuns(entry, step.plan);
      HotswapMain.changed(entry);
      return step;
    },

    // Undoes the newest patch in effect: a step that points every jump-table entry it changed
    // back where it pointed before (an earlier patch's slot, or the program's function),
    // committed here and returned for the workers. Null when no patch is in effect.
    // `kind`: the failure kind the log shows (trapped_while_running, hung_while_running).
    rollBackNewest: function(reason, kind) {
      var inEffect = HotswapMain.steps.filter(function(step) { return step.module && !step.rolledBack; });
      if (!inEffect.length) return null;
      var newest = inEffect[inEffect.length - 1];
      newest.rolledBack = true;
      var previousVersion = inEffect.length > 1 ? inEffect[inEffect.length - 2].plan.version : 0;
      // Each slot the patch wrote goes back to the newest earlier patch's code there, or the program's.
      var before = Object.create(null);
      inEffect.slice(0, -1).forEach(function(step) {
        step.plan.redirects.forEach(function(redirect) { before[redirect.slot] = redirect; });
      });
      var plan = {
        version: previousVersion, rollsBack: newest.plan.version,
        tableBase: HotswapMain.committedTableLength, tableLength: HotswapMain.committedTableLength,
        redirects: newest.plan.redirects.map(function(redirect) {
          var earlier = before[redirect.slot];
          return earlier ? { name: earlier.name, slot: redirect.slot, version: earlier.version }
                         : { name: redirect.name, slot: redirect.slot, version: 0 };
        }),
      };
      HotswapLinker.commit(plan);
      HotswapMain.currentVersion = previousVersion;
      var step = { module: null, plan: plan };
      HotswapMain.steps.push(step);
      var entry = HotswapMain.entries[newest.plan.version];
      if (entry.symbolsBefore) {
        HotswapMain.functions = entry.symbolsBefore.functions;
        HotswapMain.data = entry.symbolsBefore.data;
        HotswapMain.threadLocals = entry.symbolsBefore.threadLocals;
      }
      entry.state = 'rolled back';
      var ran = HotswapMain.changedFunctions(entry).filter(function(shown) { return shown.ranMs !== undefined; })
        .map(function(shown) { return shown.short; });
      entry.failure = { kind: kind || 'trapped_while_running', rolledBackTo: previousVersion,
                        message: reason + '. ' + (ran.length ? 'Code this patch changed that ran: ' + ran.join(', ') + '. ' : '') +
                                 'Every thread is back on ' + (previousVersion ? 'version ' + previousVersion : 'the program as built') + '.' };
      console.error('[hotswap] patch ' + newest.plan.version + ' rolled back: ' + reason);
      HotswapMain.changed(entry);
      return step;
    },

    // The functions a patch changed, once per name the log shows (the builder gives a
    // constructor's variants one name): [{short, readable, new, ranMs}], ranMs: ms from the
    // commit to the first run of any of them (undefined while none has run).
    changedFunctions: function(entry) {
      var byName = new Map();
      entry.changed.forEach(function(change) {
        var shown = byName.get(change.short);
        if (!shown) byName.set(change.short, shown = { short: change.short, readable: change.readable, new: true, ranMs: undefined });
        shown.new = shown.new && !!change.new;
        var ran = entry.ran[change.name];
        if (ran !== undefined && (shown.ranMs === undefined || ran < shown.ranMs)) shown.ranMs = ran;
      });
      return Array.from(byName.values());
    },

    // What a worker spawned now replays before its first task: every committed step in order,
    // except that a patch rolled back since is never loaded (the table only grows as it did,
    // so table indices stay the same in every instance) and its rollback is then moot.
    catchUpSteps: function() {
      var steps = [];
      HotswapMain.steps.forEach(function(step) {
        if (step.plan.rollsBack) return;
        if (step.rolledBack) {
          steps.push({ module: null, plan: { version: step.plan.version, tableBase: step.plan.tableBase, tableLength: step.plan.tableLength } });
        } else {
          steps.push(step);
        }
      });
      return steps;
    },

    // A worker reports that it applied `version` (or failed to).
    workerApplied: function(workerId, version, milliseconds) {
      var entry = HotswapMain.entries[version];
      if (!entry) return;
      entry.workers = entry.workers || {};
      entry.workers[workerId] = milliseconds;
      HotswapMain.changed(entry);
    },

    reject: function(entry, error) {
      entry.state = 'rejected';
      entry.failure = { kind: error.patchFailureKind || 'invalid_module', message: error.message };
      delete entry.bytes;
      console.error('[hotswap] ' + entry.failure.message);
      HotswapMain.changed(entry);
    },

    changed: function(entry) {
      HotswapMain.listeners.forEach(function(listener) {
        try { listener(entry); } catch (error) { console.error('[hotswap] a patch listener threw: ' + error); }
      });
    },

    // What the loader knows of the program, read once: its export signatures and data names
    // (from its own binary), and its table map (NAME.hotswap.json, written when it was
    // linked): the slot of every function whose calls go through the table, and its
    // direct-call graph.
    programSummary: function() {
      if (!HotswapMain.program) {
        var tableMapFile = wasmBinaryFile.replace(/\.wasm$/, HotswapPatchFormat.table_map_suffix);
        var binary = fetch(wasmBinaryFile).then(function(response) { return response.arrayBuffer(); });
        var tableMap = fetch(tableMapFile).then(function(response) {
          if (!response.ok) {
            throw HotswapLinker.failure('unresolved_import', 'the program has no table map (' + tableMapFile + ' answered ' +
              response.status + '): it was linked without routing its calls through the table, so no patch can reach its functions');
          }
          return response.json();
        });
        HotswapMain.program = Promise.all([binary, tableMap]).then(function(results) {
          var summary = HotswapWasmReader.read(results[0]);
          // A function with i64 parameters is exported JS-callable under its name and as itself
          // under orig$NAME: patches link to the latter (HotswapLinker.programFunction).
          Object.keys(summary.functionSignatures).forEach(function(name) {
            if (name.indexOf('orig$') === 0) summary.functionSignatures[name.slice(5)] = summary.functionSignatures[name];
          });
          var dataNames = new Set(summary.exports.filter(function(e) { return e.kind === 'global'; }).map(function(e) { return e.name; }));
          var tableBase = HotswapLinker.own(asmLibraryArg, '__table_base').value;
          var slots = Object.create(null);
          var slotNames = Object.create(null);
          Object.keys(results[1].slots).forEach(function(name) {
            slots[name] = tableBase + results[1].slots[name];
            slotNames[slots[name]] = name;
          });
          var functions = results[1].functions, callsByName = new Map();
          results[1].calls.forEach(function(callees, caller) {
            var names = callsByName.get(functions[caller]) || [];
            callees.forEach(function(callee) { if (functions[callee]) names.push(functions[callee]); });
            callsByName.set(functions[caller], names);
          });
          // The program's thread-local layout: name -> [offset in a thread's block, size].
          var threadLocals = Object.assign(Object.create(null), results[1].thread_locals || {});
          HotswapMain.programNow = { tableBase: tableBase, signatures: summary.functionSignatures, dataNames: dataNames, slots: slots,
                                     slotNames: slotNames, callsByName: callsByName, threadLocals: threadLocals };
          return HotswapMain.programNow;
        });
        HotswapMain.program.catch(function() {});  // reported by the first patch that needs it
      }
      return HotswapMain.program;
    },

    // After a commit: polls the patch's run flags (the builder made each changed function set
    // one byte of the patch's memory the first time it runs, on any thread) until each ran.
    watchRuns: function(entry, plan) {
      var pending = entry.changed.filter(function(change) { return change.flag !== undefined && change.flag !== null; });
      if (!pending.length) return;
      var look = function() {
        pending = pending.filter(function(change) {
          if (!HEAPU8[plan.memoryBase + change.flag]) return true;
          entry.ran[change.name] = performance.now() - entry.committedAt;
          return false;
        });
        if (pending.length < entry.changed.length) HotswapMain.changed(entry);
        if (pending.length) setTimeout(look, HotswapMain.RUN_POLL_MS);
      };
      setTimeout(look, 0);
    },
    RUN_POLL_MS: 100,

    // Whether the code patch `version` changed is reachable from the program's function at
    // table slot `entrySlot` through direct calls (the program's call graph, with the calls of
    // functions patches redefined as the newest patch has them).
    changeReaches: function(version, entrySlot) {
      var entry = HotswapMain.entries[version];
      if (!entry || !entry.changed.length) return false;
      var program = HotswapMain.programNow;
      if (!program) return false;
      var entryName = program.slotNames[entrySlot];
      if (!entryName) return false;
      var changed = new Set(entry.changed.map(function(change) { return change.name; }));
      var seen = new Set([entryName]), queue = [entryName];
      while (queue.length) {
        var name = queue.pop();
        if (changed.has(name)) return true;
        var callees = HotswapLinker.own(HotswapMain.callsOf, name) || program.callsByName.get(name) || [];
        callees.forEach(function(callee) { if (!seen.has(callee)) { seen.add(callee); queue.push(callee); } });
      }
      return false;
    },
  },
});
