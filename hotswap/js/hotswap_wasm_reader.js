// Reads what the patch loader must know about a module and the JS API does not say:
// function signatures (to refuse a patch that changes a hot function's signature), the
// offsets of exported data (to bind a patch's own globals before it is instantiated), which
// exports are thread-locals (an offset in a thread's block, not in memory) and which imports
// are weak, and the dylink.0 memory and table sizes. Mirrors hotswap/tools/wasm_binary.py (the builder's
// reader); both follow the WebAssembly binary format and the tool conventions.

mergeInto(LibraryManager.library, {
  $HotswapWasmReader: {
    VALUE_TYPES: { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' },
    KINDS: ['function', 'table', 'memory', 'global', 'tag'],
    SYMBOL_WEAK: 0x1,   // the tool conventions' symbol flags, as dylink.0 uses them
    SYMBOL_TLS: 0x100,

    // Returns {types, imports, functionTypes, exports, dataExportOffsets, dylink} or throws
    // an Error whose message says what is malformed and where.
    read: function(bytes) {
      var data = new Uint8Array(bytes);
      var position = 0;
      function fail(what) { throw new Error(what + ' at byte ' + position); }
      function byte() { if (position >= data.length) fail('unexpected end of module'); return data[position++]; }
      function unsigned() {
        var result = 0, shift = 0, b;
        do { b = byte(); result += (b & 0x7f) * Math.pow(2, shift); shift += 7; if (shift > 35) fail('LEB128 too long'); } while (b & 0x80);
        return result;
      }
      function signed() {
        var result = 0, shift = 0, b;
        do { b = byte(); result |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80 && shift < 35);
        if (b & 0x80) fail('LEB128 too long');
        if (shift < 32 && (b & 0x40)) result |= (~0 << shift);
        return result;
      }
      function name() {
        var length = unsigned();
        if (position + length > data.length) fail('name runs past the end');
        var text = new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(position, position + length));
        position += length;
        return text;
      }
      function valueType() {
        var code = byte();
        if (!(code in HotswapWasmReader.VALUE_TYPES)) fail('unknown value type 0x' + code.toString(16));
        return HotswapWasmReader.VALUE_TYPES[code];
      }
      function limits() { var flags = byte(); unsigned(); if (flags & 1) unsigned(); }
      function constant() {
        var opcode = byte(), value;
        if (opcode === 0x41) value = signed();
        else if (opcode === 0x23) value = { global: unsigned() };
        else fail('unsupported constant expression 0x' + opcode.toString(16));
        if (byte() !== 0x0b) fail('constant expression does not end');
        return value;
      }

      if (data.length < 8 || data[0] !== 0 || data[1] !== 0x61 || data[2] !== 0x73 || data[3] !== 0x6d) fail('not a WebAssembly module (no \\0asm magic)');
      if (data[4] !== 1 || data[5] || data[6] || data[7]) fail('unsupported WebAssembly version');
      position = 8;
      var module = { types: [], imports: [], definedFunctionTypes: [], exports: [], globals: [], dylink: null, dataBytes: 0 };
      var firstSection = true;
      while (position < data.length) {
        var id = byte(), size = unsigned(), end = position + size;
        if (end > data.length) fail('section ' + id + ' runs past the end of the module');
        if (id === 0) {
          var sectionName = name();
          if (sectionName === 'dylink.0') {
            if (!firstSection) fail('dylink.0 is not the first section');
            module.dylink = { memorySize: 0, memoryAlign: 0, tableSize: 0, tableAlign: 0, threadLocalExports: new Set(),
                              weakImports: new Set() };
            while (position < end) {
              var sub = byte(), subSize = unsigned(), subEnd = position + subSize;
              if (subEnd > end) fail('dylink.0 subsection overruns its section');
              if (sub === 1) {
                module.dylink.memorySize = unsigned(); module.dylink.memoryAlign = unsigned();
                module.dylink.tableSize = unsigned(); module.dylink.tableAlign = unsigned();
              } else if (sub === 3) {  // export info: flags per export (0x100: thread-local)
                for (var exportCount = unsigned(), e = 0; e < exportCount; ++e) {
                  var exportName = name();
                  if (unsigned() & HotswapWasmReader.SYMBOL_TLS) module.dylink.threadLocalExports.add(exportName);
                }
              } else if (sub === 4) {  // import info: flags per import (0x1: weak)
                for (var importCount = unsigned(), k = 0; k < importCount; ++k) {
                  var importKey = name() + '.' + name();
                  if (unsigned() & HotswapWasmReader.SYMBOL_WEAK) module.dylink.weakImports.add(importKey);
                }
              }
              if (position > subEnd) fail('dylink.0 subsection ' + sub + ' overruns its size');
              position = subEnd;
            }
          }
        } else if (id === 1) {
          for (var count = unsigned(), i = 0; i < count; ++i) {
            if (byte() !== 0x60) fail('unexpected type form');
            var parameters = [], results = [];
            for (var n = unsigned(), j = 0; j < n; ++j) parameters.push(valueType());
            for (n = unsigned(), j = 0; j < n; ++j) results.push(valueType());
            module.types.push('(' + parameters.join(', ') + ') -> (' + results.join(', ') + ')');
          }
        } else if (id === 2) {
          for (count = unsigned(), i = 0; i < count; ++i) {
            var entry = { module: name(), name: name(), kind: HotswapWasmReader.KINDS[byte()] };
            if (entry.kind === 'function') entry.type = module.types[unsigned()];
            else if (entry.kind === 'table') { byte(); limits(); }
            else if (entry.kind === 'memory') limits();
            else if (entry.kind === 'global') { entry.valueType = valueType(); entry.mutable = !!byte(); }
            else if (entry.kind === 'tag') { byte(); unsigned(); }
            else fail('unknown import kind');
            module.imports.push(entry);
          }
        } else if (id === 3) {
          for (count = unsigned(), i = 0; i < count; ++i) module.definedFunctionTypes.push(module.types[unsigned()]);
        } else if (id === 6) {
          for (count = unsigned(), i = 0; i < count; ++i) {
            var type = valueType(), mutable = !!byte();
            module.globals.push({ type: type, mutable: mutable, init: constant() });
          }
        } else if (id === 7) {
          for (count = unsigned(), i = 0; i < count; ++i) {
            module.exports.push({ name: name(), kind: HotswapWasmReader.KINDS[byte()], index: unsigned() });
          }
        } else if (id === 11) {
          // Data segments: only their sizes matter (they must fit the dylink.0 memory size).
          for (count = unsigned(), i = 0; i < count; ++i) {
            var flags = unsigned();
            if (flags === 2) unsigned();           // memory index
            if (flags === 0 || flags === 2) constant();  // active: offset expression
            else if (flags !== 1) fail('unknown data segment flags ' + flags);
            var segmentSize = unsigned();
            if (position + segmentSize > end) fail('data segment ' + i + ' runs past its section');
            module.dataBytes += segmentSize;
            position += segmentSize;
          }
        }
        if (position > end) fail('section ' + id + ' overruns its size');
        position = end;
        firstSection = false;
      }
      return HotswapWasmReader.summarise(module);
    },

    // Signature of every exported function and offset of every exported constant global: in
    // the module's memory (dataOffsets) or, for a thread-local, in its thread-local block
    // (threadLocalOffsets).
    summarise: function(module) {
      var importedFunctions = module.imports.filter(function(entry) { return entry.kind === 'function'; });
      var importedGlobals = module.imports.filter(function(entry) { return entry.kind === 'global'; });
      var functionTypes = importedFunctions.map(function(entry) { return entry.type; }).concat(module.definedFunctionTypes);
      // Keyed by symbol names, which may be anything ("constructor", "__proto__"): no prototype.
      var result = { imports: module.imports, exports: module.exports, dylink: module.dylink, dataBytes: module.dataBytes,
                     functionSignatures: Object.create(null), dataOffsets: Object.create(null),
                     threadLocalOffsets: Object.create(null) };
      var threadLocals = module.dylink ? module.dylink.threadLocalExports : new Set();
      module.exports.forEach(function(entry) {
        if (entry.kind === 'function') {
          result.functionSignatures[entry.name] = functionTypes[entry.index];
        } else if (entry.kind === 'global' && entry.index >= importedGlobals.length) {
          var global = module.globals[entry.index - importedGlobals.length];
          if (global && typeof global.init === 'number') {
            (threadLocals.has(entry.name) ? result.threadLocalOffsets : result.dataOffsets)[entry.name] = global.init;
          }
        }
      });
      return result;
    },
  },
});
