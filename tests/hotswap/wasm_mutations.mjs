// Takes real patch modules apart and puts them back together changed, for the patch fuzzer
// (patch_fuzzing.test.mjs): sections, imports, exports, types and dylink.0 are decoded and
// re-encoded properly (sizes recomputed), and an added import renumbers every function or
// global index after it (calls, ref.func, global.get/set, exports, start, elements), so a
// mutation is exactly the damage it names and nothing more. Follows the WebAssembly binary
// format (MVP plus the bulk-memory, atomics, sign-extension and non-trapping conversion
// instructions the side modules use) and the dylink.0 tool convention.

// ---- Encoding -----------------------------------------------------------------------------

export function unsignedLeb(value) {
  const bytes = [];
  let rest = BigInt(value);
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest) byte |= 0x80;
    bytes.push(byte);
  } while (rest);
  return bytes;
}

export function signedLeb(value) {
  const bytes = [];
  let rest = BigInt(value);
  for (;;) {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    const done = (rest === 0n && !(byte & 0x40)) || (rest === -1n && (byte & 0x40));
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const encodeName = (text) => { const utf8 = Buffer.from(text, 'utf8'); return [...unsignedLeb(utf8.length), ...utf8]; };
const vector = (items) => [...unsignedLeb(items.length), ...items.flat()];

// ---- Decoding -----------------------------------------------------------------------------

export class Reader {
  constructor(bytes, position = 0, end = bytes.length) { this.bytes = bytes; this.position = position; this.end = end; }
  atEnd() { return this.position >= this.end; }
  byte() {
    if (this.position >= this.end) throw new Error(`unexpected end at byte ${this.position}`);
    return this.bytes[this.position++];
  }
  unsigned() {
    let result = 0n, shift = 0n, byte;
    do { byte = this.byte(); result |= BigInt(byte & 0x7f) << shift; shift += 7n; } while (byte & 0x80);
    return Number(result);
  }
  signed() {
    let result = 0n, shift = 0n, byte;
    do { byte = this.byte(); result |= BigInt(byte & 0x7f) << shift; shift += 7n; } while (byte & 0x80);
    if (byte & 0x40) result -= 1n << shift;
    return result;
  }
  take(count) {
    if (this.position + count > this.end) throw new Error(`unexpected end at byte ${this.position}`);
    const slice = this.bytes.subarray(this.position, this.position + count);
    this.position += count;
    return slice;
  }
  name() { return Buffer.from(this.take(this.unsigned())).toString('utf8'); }
}

// Splits a module into its sections: [{id, name (custom sections), payload, offset, sizeOffset, payloadOffset, end}].
export function sections(bytes) {
  const reader = new Reader(bytes, 8);
  const result = [];
  while (!reader.atEnd()) {
    const offset = reader.position;
    const id = reader.byte();
    const sizeOffset = reader.position;
    const size = reader.unsigned();
    const payloadOffset = reader.position;
    const payload = Buffer.from(reader.take(size));
    const section = { id, payload, offset, sizeOffset, payloadOffset, end: reader.position };
    if (id === 0) section.name = new Reader(payload).name();
    result.push(section);
  }
  return result;
}

export function assemble(sectionList) {
  const parts = [Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])];
  for (const section of sectionList) parts.push(Buffer.from([section.id, ...unsignedLeb(section.payload.length)]), section.payload);
  return Buffer.concat(parts);
}

const SECTION = { custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7, start: 8, element: 9,
  code: 10, data: 11, dataCount: 12 };
export { SECTION };
const KIND = { function: 0, table: 1, memory: 2, global: 3, tag: 4 };
const VALUE_TYPES = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, funcref: 0x70, externref: 0x6f };
export { VALUE_TYPES };

// ---- Sections as data ---------------------------------------------------------------------

export function readTypes(payload) {
  const reader = new Reader(payload);
  const types = [];
  for (let count = reader.unsigned(), i = 0; i < count; ++i) {
    if (reader.byte() !== 0x60) throw new Error('unexpected type form');
    const parameters = [...reader.take(reader.unsigned())];
    const results = [...reader.take(reader.unsigned())];
    types.push({ parameters, results });
  }
  return types;
}
export const writeTypes = (types) => Buffer.from(vector(types.map((type) => [0x60, ...vector(type.parameters), ...vector(type.results)])));

// Imports keep their description bytes as they are (`description`), except functions ({type}).
export function readImports(payload) {
  const reader = new Reader(payload);
  const imports = [];
  for (let count = reader.unsigned(), i = 0; i < count; ++i) {
    const entry = { module: reader.name(), name: reader.name(), kind: reader.byte() };
    const start = reader.position;
    if (entry.kind === KIND.function) entry.type = reader.unsigned();
    else if (entry.kind === KIND.table) { reader.byte(); limits(reader); }
    else if (entry.kind === KIND.memory) limits(reader);
    else if (entry.kind === KIND.global) { reader.byte(); reader.byte(); }
    else if (entry.kind === KIND.tag) { reader.byte(); reader.unsigned(); }
    else throw new Error(`unknown import kind ${entry.kind}`);
    entry.description = [...payload.subarray(start, reader.position)];
    imports.push(entry);
  }
  return imports;
}
function limits(reader) { const flags = reader.byte(); reader.unsigned(); if (flags & 1) reader.unsigned(); }
export const writeImports = (imports) => Buffer.from(vector(imports.map((entry) => [...encodeName(entry.module), ...encodeName(entry.name),
  entry.kind, ...(entry.kind === KIND.function ? unsignedLeb(entry.type) : entry.description)])));

export function readExports(payload) {
  const reader = new Reader(payload);
  const exports = [];
  for (let count = reader.unsigned(), i = 0; i < count; ++i) exports.push({ name: reader.name(), kind: reader.byte(), index: reader.unsigned() });
  return exports;
}
export const writeExports = (exports) => Buffer.from(vector(exports.map((entry) => [...encodeName(entry.name), entry.kind, ...unsignedLeb(entry.index)])));

export function readFunctionTypes(payload) {
  const reader = new Reader(payload);
  return Array.from({ length: reader.unsigned() }, () => reader.unsigned());
}
export const writeFunctionTypes = (typeIndices) => Buffer.from(vector(typeIndices.map((index) => unsignedLeb(index))));

// dylink.0's memory info subsection (1): {memorySize, memoryAlign, tableSize, tableAlign}; other subsections kept.
export function readDylink(payload) {
  const reader = new Reader(payload);
  reader.name();
  const result = { memorySize: 0, memoryAlign: 0, tableSize: 0, tableAlign: 0, others: [] };
  while (!reader.atEnd()) {
    const kind = reader.byte();
    const body = reader.take(reader.unsigned());
    if (kind === 1) {
      const info = new Reader(body);
      result.memorySize = info.unsigned(); result.memoryAlign = info.unsigned();
      result.tableSize = info.unsigned(); result.tableAlign = info.unsigned();
    } else {
      result.others.push({ kind, body: [...body] });
    }
  }
  return result;
}
// `encodings` may force an LEB form for a field (e.g. a 5-byte 0xffffffff).
export function writeDylink(dylink, encodings = {}) {
  const field = (key) => encodings[key] || unsignedLeb(dylink[key]);
  const info = [...field('memorySize'), ...field('memoryAlign'), ...field('tableSize'), ...field('tableAlign')];
  return Buffer.from([...encodeName('dylink.0'), 1, ...unsignedLeb(info.length), ...info,
    ...dylink.others.flatMap((other) => [other.kind, ...unsignedLeb(other.body.length), ...other.body])]);
}

// ---- Instructions: index renumbering ------------------------------------------------------

// Copies one expression (instructions up to the `end` that closes it) from `reader`, with
// function and global indices passed through `remap.function` / `remap.global`.
function copyExpression(reader, remap, output) {
  let depth = 1;
  const copyFrom = (start) => { for (let i = start; i < reader.position; ++i) output.push(reader.bytes[i]); };
  const index = (kind) => output.push(...unsignedLeb(remap[kind](reader.unsigned())));
  const memarg = () => { reader.unsigned(); reader.unsigned(); };
  while (depth > 0) {
    const start = reader.position;
    const opcode = reader.byte();
    if (opcode === 0x10 || opcode === 0xd2) { output.push(opcode); index('function'); continue; }
    if (opcode === 0x23 || opcode === 0x24) { output.push(opcode); index('global'); continue; }
    if (opcode === 0x02 || opcode === 0x03 || opcode === 0x04) {
      const blockType = reader.bytes[reader.position];
      if (blockType === 0x40 || Object.values(VALUE_TYPES).includes(blockType)) reader.byte(); else reader.signed();
      depth += 1;
    } else if (opcode === 0x0b) {
      depth -= 1;
    } else if (opcode === 0x0c || opcode === 0x0d || (opcode >= 0x20 && opcode <= 0x22) || opcode === 0x25 || opcode === 0x26) {
      reader.unsigned();
    } else if (opcode === 0x0e) {
      for (let count = reader.unsigned(), i = 0; i <= count; ++i) reader.unsigned();
    } else if (opcode === 0x11) {
      reader.unsigned(); reader.unsigned();
    } else if (opcode === 0x1c) {
      reader.take(reader.unsigned());
    } else if (opcode >= 0x28 && opcode <= 0x3e) {
      memarg();
    } else if (opcode === 0x3f || opcode === 0x40) {
      reader.unsigned();
    } else if (opcode === 0x41 || opcode === 0x42) {
      reader.signed();
    } else if (opcode === 0x43) {
      reader.take(4);
    } else if (opcode === 0x44) {
      reader.take(8);
    } else if (opcode === 0xd0) {
      reader.byte();
    } else if (opcode === 0xfc) {
      const sub = reader.unsigned();
      const immediates = { 8: 2, 9: 1, 10: 2, 11: 1, 12: 2, 13: 1, 14: 2, 15: 1, 16: 1, 17: 1 }[sub] || 0;
      if (sub > 17) throw new Error(`unknown 0xfc instruction ${sub}`);
      for (let i = 0; i < immediates; ++i) reader.unsigned();
    } else if (opcode === 0xfe) {
      const sub = reader.unsigned();
      if (sub === 0x03) reader.byte(); else if (sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e)) memarg();
      else throw new Error(`unknown atomic instruction ${sub}`);
    } else if (opcode === 0xfd) {  // SIMD (the program is built with -msimd128)
      const sub = reader.unsigned();
      if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) memarg();       // loads and stores
      else if (sub === 0x0c || sub === 0x0d) reader.take(16);          // v128.const, i8x16.shuffle
      else if (sub >= 0x15 && sub <= 0x22) reader.byte();              // lane access
      else if (sub >= 0x54 && sub <= 0x5b) { memarg(); reader.byte(); } // load/store lane
    } else if (!(opcode <= 0x01 || opcode === 0x05 || opcode === 0x0f || opcode === 0x1a || opcode === 0x1b || opcode === 0xd1 ||
                 (opcode >= 0x45 && opcode <= 0xc4))) {
      throw new Error(`instruction 0x${opcode.toString(16)} at byte ${start} is not supported by the renumbering`);
    }
    copyFrom(start);
  }
}

const identity = (index) => index;

// Re-encodes the module with every function and global index passed through the remaps.
// The name section is dropped (its indices would be stale; engines ignore names anyway).
export function renumber(bytes, { function: functionMap = identity, global: globalMap = identity }) {
  const remap = { function: functionMap, global: globalMap };
  const rewritten = [];
  for (const section of sections(bytes)) {
    const reader = new Reader(section.payload);
    const out = [];
    if (section.id === SECTION.custom && section.name === 'name') continue;
    if (section.id === SECTION.export) {
      const exports = readExports(section.payload).map((entry) => ({
        ...entry, index: entry.kind === KIND.function ? functionMap(entry.index) : entry.kind === KIND.global ? globalMap(entry.index) : entry.index,
      }));
      rewritten.push({ id: section.id, payload: writeExports(exports) });
      continue;
    }
    if (section.id === SECTION.start) {
      rewritten.push({ id: section.id, payload: Buffer.from(unsignedLeb(functionMap(reader.unsigned()))) });
      continue;
    }
    if (section.id === SECTION.global) {
      const count = reader.unsigned();
      out.push(...unsignedLeb(count));
      for (let i = 0; i < count; ++i) { out.push(reader.byte(), reader.byte()); copyExpression(reader, remap, out); }
    } else if (section.id === SECTION.code) {
      const count = reader.unsigned();
      out.push(...unsignedLeb(count));
      for (let i = 0; i < count; ++i) {
        const size = reader.unsigned();
        const bodyEnd = reader.position + size;
        const body = [];
        const localsStart = reader.position;
        for (let groups = reader.unsigned(), g = 0; g < groups; ++g) { reader.unsigned(); reader.byte(); }
        for (let k = localsStart; k < reader.position; ++k) body.push(reader.bytes[k]);
        copyExpression(reader, remap, body);
        if (reader.position !== bodyEnd) throw new Error(`function body ${i} does not end where its size says`);
        out.push(...unsignedLeb(body.length), ...body);
      }
    } else if (section.id === SECTION.element) {
      const count = reader.unsigned();
      out.push(...unsignedLeb(count));
      for (let i = 0; i < count; ++i) {
        const flags = reader.unsigned();
        out.push(...unsignedLeb(flags));
        if (flags === 2 || flags === 6) out.push(...unsignedLeb(reader.unsigned()));     // table index
        if (!(flags & 1)) copyExpression(reader, remap, out);                          // active: offset
        if (flags & 4) {                                                               // expressions
          if (flags & 3) out.push(reader.byte());                                      // reference type
          const items = reader.unsigned();
          out.push(...unsignedLeb(items));
          for (let k = 0; k < items; ++k) copyExpression(reader, remap, out);
        } else {
          if (flags & 3) out.push(reader.byte());                                      // element kind
          const items = reader.unsigned();
          out.push(...unsignedLeb(items));
          for (let k = 0; k < items; ++k) out.push(...unsignedLeb(functionMap(reader.unsigned())));
        }
      }
    } else if (section.id === SECTION.data) {
      const count = reader.unsigned();
      out.push(...unsignedLeb(count));
      for (let i = 0; i < count; ++i) {
        const flags = reader.unsigned();
        out.push(...unsignedLeb(flags));
        if (flags === 2) out.push(...unsignedLeb(reader.unsigned()));
        if (flags !== 1) copyExpression(reader, remap, out);
        const length = reader.unsigned();
        out.push(...unsignedLeb(length), ...reader.take(length));
      }
    } else {
      rewritten.push(section);
      continue;
    }
    rewritten.push({ id: section.id, payload: Buffer.from(out) });
  }
  return assemble(rewritten);
}

// ---- A decoded view of a module -----------------------------------------------------------

// What the mutations need to know about a module, decoded once.
export function describe(bytes) {
  const list = sections(bytes);
  const find = (id) => list.find((section) => section.id === id);
  const types = find(SECTION.type) ? readTypes(find(SECTION.type).payload) : [];
  const imports = find(SECTION.import) ? readImports(find(SECTION.import).payload) : [];
  const exports = find(SECTION.export) ? readExports(find(SECTION.export).payload) : [];
  const definedTypes = find(SECTION.function) ? readFunctionTypes(find(SECTION.function).payload) : [];
  const importedFunctions = imports.filter((entry) => entry.kind === KIND.function);
  const functionTypes = [...importedFunctions.map((entry) => entry.type), ...definedTypes];
  const dylinkSection = list.find((section) => section.id === 0 && section.name === 'dylink.0');
  return {
    bytes, sections: list, types, imports, exports, functionTypes,
    importedFunctionCount: importedFunctions.length,
    importedGlobalCount: imports.filter((entry) => entry.kind === KIND.global).length,
    dylink: dylinkSection ? readDylink(dylinkSection.payload) : null,
    hasData: !!find(SECTION.data),
  };
}

// Replaces the payload of the first section matching `match` (a predicate on sections).
export function replaceSection(bytes, match, payload) {
  const list = sections(bytes);
  const index = list.findIndex(match);
  if (index < 0) throw new Error('no such section');
  list[index] = { id: list[index].id, payload };
  return assemble(list);
}

export const isSection = (id, name) => (section) => section.id === id && (name === undefined || section.name === name);

// Adds an import at the end of the import section, renumbering what comes after it in its
// index space (a function import shifts every defined function, a global import every
// defined global).
export function addImport(bytes, entry) {
  const module = describe(bytes);
  let result = bytes;
  if (entry.kind === KIND.function) {
    const first = module.importedFunctionCount;
    result = renumber(bytes, { function: (index) => (index >= first ? index + 1 : index) });
  } else if (entry.kind === KIND.global) {
    const first = module.importedGlobalCount;
    result = renumber(bytes, { global: (index) => (index >= first ? index + 1 : index) });
  }
  const imports = [...describe(result).imports, entry];
  return replaceSection(result, isSection(SECTION.import), writeImports(imports));
}
export { KIND };

// The body of a function that only traps: no locals, `unreachable`, `end`.
export const TRAPPING_BODY = [0, 0x00, 0x0b];

// Replaces defined function `definedIndex`'s body (index among the defined functions).
export function replaceFunctionBody(bytes, definedIndex, body) {
  const list = sections(bytes);
  const code = list.find((section) => section.id === SECTION.code);
  const reader = new Reader(code.payload);
  const count = reader.unsigned();
  const bodies = [];
  for (let i = 0; i < count; ++i) bodies.push([...reader.take(reader.unsigned())]);
  bodies[definedIndex] = body;
  return replaceSection(bytes, isSection(SECTION.code), Buffer.from(vector(bodies.map((b) => [...unsignedLeb(b.length), ...b]))));
}
