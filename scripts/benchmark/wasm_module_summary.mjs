// What a patch module costs the program by itself, read from its bytes: its size, the
// memory and table space its dylink.0 section asks for, and how many functions it exports
// (each gets one more table slot, docs/ARCHITECTURE.md "Table layout of a patch").
import fs from 'node:fs';

function leb128(bytes, offset) {
  let value = 0, shift = 0, length = 0, byte;
  do {
    byte = bytes[offset + length++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, length];
}

// `ignored`: export names the loader gives no slot (patch_format.json's ignored_exports).
export function summarizeWasmModule(file, ignored = new Set()) {
  const bytes = fs.readFileSync(file);
  const summary = { bytes: bytes.length, memory_size: 0, table_size: 0, function_exports: 0 };
  let offset = 8;  // magic and version
  while (offset < bytes.length) {
    const id = bytes[offset++];
    const [size, sizeLength] = leb128(bytes, offset);
    offset += sizeLength;
    const end = offset + size;
    if (id === 0) {  // custom section: dylink.0 carries the memory and table sizes
      const [nameLength, nameLengthLength] = leb128(bytes, offset);
      const nameStart = offset + nameLengthLength;
      if (bytes.toString('utf8', nameStart, nameStart + nameLength) === 'dylink.0') {
        let position = nameStart + nameLength;
        while (position < end) {
          const type = bytes[position++];
          const [length, lengthLength] = leb128(bytes, position);
          position += lengthLength;
          if (type === 1) {  // WASM_DYLINK_MEM_INFO: memory size, memory align, table size, table align
            let cursor = position;
            const values = [];
            for (let i = 0; i < 4; ++i) {
              const [value, used] = leb128(bytes, cursor);
              values.push(value);
              cursor += used;
            }
            [summary.memory_size, , summary.table_size] = values;
          }
          position += length;
        }
      }
    } else if (id === 7) {  // export section
      let [count, position] = leb128(bytes, offset);
      position += offset;
      for (let i = 0; i < count; ++i) {
        const [nameLength, used] = leb128(bytes, position);
        const name = bytes.toString('utf8', position + used, position + used + nameLength);
        position += used + nameLength;
        const kind = bytes[position++];
        const [, indexLength] = leb128(bytes, position);
        position += indexLength;
        if (kind === 0 && !ignored.has(name)) summary.function_exports += 1;
      }
    }
    offset = end;
  }
  return summary;
}
