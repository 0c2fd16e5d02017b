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
  $HotswapMain__postset: 'HotswapMain.functions = Object.create(null); HotswapMain.data = Object.create(null);',
  $HotswapMain: {
    entries: {},         // version -> {version, files, buildMs, state, bytes?, failure?}
    nextVersion: 1,      // the version to process next
    busy: false,
    prepared: [],        // steps instantiated on the main thread, waiting for commit
    steps: [],           // committed steps and table reservations, in order (what a new worker replays)
    log: [],             // one entry per version: the patch log the page shows
    listeners: [],       // functions(logEntry) called when an entry changes
    program: null,       // promise of the program's export signatures and data names
    // Keyed by symbol names (which may be "constructor" or "__proto__"): objects without a
    // prototype, made at start-up (__postset above: a library's own values are copied as text).
    functions: null,     // name -> {version, signature, originalIndex, slot}: functions patches defined
    data: null,          // name -> address: data patches defined that the program does not have
    currentVersion: 0,   // the version the main thread runs
    committedTableLength: 0,  // table length once every committed step is applied (what workers have)

    // Announces a patch: {version, files, module (URL), build_ms} or a failed build
    // {version, files, failure: {kind, message}}. Versions must start at 1 and not repeat.
    announce: function(announcement) {
      var version = announcement.version;
      if (!Number.isInteger(version) || version < 1) return HotswapMain.reportBadAnnouncement('no valid version', announcement);
      if (HotswapMain.entries[version] || version < HotswapMain.nextVersion) return;  // seen already
      var entry = HotswapMain.entries[version] = {
        version: version, files: announcement.files || [], buildMs: announcement.build_ms, state: 'announced',
      };
      HotswapMain.log.push(entry);
      if (announcement.failure) {
        entry.state = 'rejected';
        entry.failure = announcement.failure;
        HotswapMain.changed(entry);
      } else {
        entry.state = 'loading';
        entry.loadStarted = performance.now();
        entry.bytes = fetch(announcement.module).then(function(response) {
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

    // Works through versions in order; one at a time.
    process: function() {
      if (HotswapMain.busy) return;
      var entry = HotswapMain.entries[HotswapMain.nextVersion];
      if (!entry) return;
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
                                    data: Object.assign(Object.create(null), HotswapMain.data) };
            HotswapMain.remember(plan, summary);
            entry.state = 'ready';
            delete entry.bytes;
            HotswapMain.prepared.push({ module: module, plan: plan });
            HotswapMain.changed(entry);
            _hotswap_detail_patch_ready();
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
      var ignored = HotswapPatchFormat.ignored_exports;
      var functionExports = summary.exports.filter(function(e) { return e.kind === 'function' && ignored.indexOf(e.name) < 0; })
        .map(function(e) { return e.name; }).sort();
      var tableBase = wasmTable.length;
      var firstSlot = tableBase + dylink.tableSize;
      var plan = { version: version, files: entry.files, memoryBase: 0, tableBase: tableBase,
                   tableLength: firstSlot + functionExports.length, imports: [], slots: [], redirects: [], functions: [] };

      functionExports.forEach(function(name, k) {
        var signature = summary.functionSignatures[name];
        var slot = firstSlot + k;
        plan.slots.push({ name: name, index: slot });
        var known = program.signatures[name] !== undefined
          ? { signature: program.signatures[name], originalIndex: programGot(name) && programGot(name).value, where: 'the program' }
          : HotswapMain.functions[name] && { signature: HotswapMain.functions[name].signature,
                                             originalIndex: HotswapMain.functions[name].originalIndex,
                                             where: 'patch ' + HotswapMain.functions[name].version };
        if (known) {
          if (known.signature !== signature) {
            fail('signature_changed', name + ' has signature ' + signature + ' but ' + known.where + ' has ' + known.signature +
                 ': a patch cannot change the signature of an existing function (rebuild the program to do that)');
          }
          if (known.originalIndex) plan.redirects.push({ name: name, from: known.originalIndex, to: slot });
          plan.functions.push(name);
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
          var defined = HotswapMain.functions[name];
          if (defined) {
            if (defined.signature !== entry.type) fail('signature_changed', 'imports ' + name + ' as ' + entry.type + ' but patch ' + defined.version + ' defines it as ' + defined.signature);
            return { patchFunction: defined.version };
          }
          if (program.signatures[name] !== undefined && program.signatures[name] !== entry.type) {
            fail('signature_changed', 'imports ' + name + ' as ' + entry.type + ' but the program defines it as ' + program.signatures[name]);
          }
          if (HotswapLinker.programFunction(name)) return { programFunction: true };
        }
      } else if (entry.module === 'GOT.mem' && entry.kind === 'global') {
        if (program.dataNames.has(name) && HotswapLinker.own(GOT, name)) return { programData: true };
        if (HotswapMain.data[name] !== undefined) return { address: HotswapMain.data[name] };
        if (summary.dataOffsets[name] !== undefined) return { ownData: summary.dataOffsets[name] };
      } else if (entry.module === 'GOT.func' && entry.kind === 'global') {
        if (program.signatures[name] !== undefined && HotswapLinker.own(GOT, name)) return { tableIndex: GOT[name].value };
        if (HotswapMain.functions[name]) return { tableIndex: HotswapMain.functions[name].originalIndex };
        var own = plan.slots.find(function(slot) { return slot.name === name; });
        if (own) return { tableIndex: own.index };
      }
      fail('unresolved_import', 'needs ' + entry.module + '.' + name + ' (' + entry.kind + '), which neither the program nor an ' +
           'earlier patch defines; restart the dev loop to rebuild the program if the edit uses something new');
    },

    // After a successful load: later patches resolve against what this one defines.
    remember: function(plan, summary) {
      plan.slots.forEach(function(slot) {
        var previous = HotswapMain.functions[slot.name];
        HotswapMain.functions[slot.name] = {
          version: plan.version, signature: summary.functionSignatures[slot.name], slot: slot.index,
          originalIndex: previous ? previous.originalIndex : (HotswapLinker.own(GOT, slot.name) && GOT[slot.name].value) || slot.index,
        };
      });
      Object.keys(summary.dataOffsets).forEach(function(name) {
        var ignored = HotswapPatchFormat.ignored_exports.indexOf(name) >= 0;
        if (HotswapMain.data[name] === undefined && !ignored) HotswapMain.data[name] = plan.memoryBase + summary.dataOffsets[name];
      });
    },

    // A rejected patch grew this instance's table: the workers must grow theirs the same
    // way, in order with the patches before it, so the reservation queues like a patch.
    reserve: function(step) {
      HotswapMain.prepared.push(step);
    },

    // Called by C++ between frames: the next prepared step, committed on the main thread, or
    // null. A table reservation ({module: null}) needs nothing here; the workers apply it.
    commitNext: function() {
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
      HotswapMain.changed(entry);
      return step;
    },

    // Undoes the newest patch in effect: a step that points every jump-table entry it changed
    // back where it pointed before (an earlier patch's slot, or the program's function),
    // committed here and returned for the workers. Null when no patch is in effect.
    rollBackNewest: function(reason) {
      var inEffect = HotswapMain.steps.filter(function(step) { return step.module && !step.rolledBack; });
      if (!inEffect.length) return null;
      var newest = inEffect[inEffect.length - 1];
      newest.rolledBack = true;
      var previousVersion = inEffect.length > 1 ? inEffect[inEffect.length - 2].plan.version : 0;
      var targets = {};
      inEffect.slice(0, -1).forEach(function(step) {
        step.plan.redirects.forEach(function(redirect) { targets[redirect.from] = redirect.to; });
      });
      var plan = {
        version: previousVersion, rollsBack: newest.plan.version,
        tableBase: HotswapMain.committedTableLength, tableLength: HotswapMain.committedTableLength,
        redirects: newest.plan.redirects.map(function(redirect) {
          return { name: redirect.name, from: redirect.from, to: redirect.from in targets ? targets[redirect.from] : redirect.from };
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
      }
      entry.state = 'rolled back';
      entry.failure = { kind: 'trapped_while_running', message: reason };
      console.error('[hotswap] patch ' + newest.plan.version + ' rolled back: ' + reason);
      HotswapMain.changed(entry);
      return step;
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

    // The program's export signatures and data names, read once from its own binary.
    programSummary: function() {
      if (!HotswapMain.program) {
        HotswapMain.program = fetch(wasmBinaryFile).then(function(response) { return response.arrayBuffer(); }).then(function(buffer) {
          var summary = HotswapWasmReader.read(buffer);
          var dataNames = new Set(summary.exports.filter(function(e) { return e.kind === 'global'; }).map(function(e) { return e.name; }));
          return { signatures: summary.functionSignatures, dataNames: dataNames };
        });
      }
      return HotswapMain.program;
    },
  },
});
