// Hand-assembles tiny side modules for the loader's failure tests (a start function that
// traps, bogus dylink.0 sizes): shapes the real builder never produces.
function unsigned(value) {
  const bytes = [];
  do { let byte = value & 0x7f; value >>>= 7; if (value) byte |= 0x80; bytes.push(byte); } while (value);
  return bytes;
}
const section = (id, payload) => [id, ...unsigned(payload.length), ...payload];
const name = (text) => [...unsigned(text.length), ...Buffer.from(text)];

// A side module with `functions` exported functions () -> () and, optionally, a start
// function that traps (`unreachable`). `dylink` overrides the dylink.0 sizes.
export function sideModule({ exports = ['patch_function'], startTraps = false,
  dylink = { memorySize: 0, memoryAlign: 0, tableSize: 0, tableAlign: 0 } } = {}) {
  const memInfo = [...unsigned(dylink.memorySize), ...unsigned(dylink.memoryAlign), ...unsigned(dylink.tableSize), ...unsigned(dylink.tableAlign)];
  const dylinkPayload = [...name('dylink.0'), 1, ...unsigned(memInfo.length), ...memInfo];
  const functionCount = exports.length + (startTraps ? 1 : 0);
  const bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(0, dylinkPayload),
    ...section(1, [1, 0x60, 0, 0]),
    ...section(3, [...unsigned(functionCount), ...new Array(functionCount).fill(0)]),
    ...section(7, [...unsigned(exports.length), ...exports.flatMap((exportName, index) => [...name(exportName), 0, ...unsigned(index)])]),
    ...(startTraps ? section(8, unsigned(exports.length)) : []),
    ...section(10, [...unsigned(functionCount),
      ...exports.flatMap(() => [2, 0, 0x0b]),
      ...(startTraps ? [3, 0, 0x00, 0x0b] : [])]),
  ];
  return Buffer.from(bytes);
}
