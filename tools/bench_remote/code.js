// The machine-readable frame stamp shared by the workload page (which paints it) and the
// viewer-side decoder (which reads it back). Plain script, no modules: the workload page
// loads it with <script src>, the harness injects its text into the viewer page, and Deno
// can import it for its unit test. It defines `globalThis.BenchCode`.
//
// A stamp is a grid of 8 × 8 pure black/white blocks of 16 × 16 px (128 × 128 px), one
// byte per row (most significant bit left, white = 1): 4 bytes Date.now() mod 2^32 (ms;
// the reader takes the value nearest its own clock), 2 bytes frame counter mod 2^16, 2
// bytes CRC-16/CCITT of the first 6. Blocks sit on the 16 px grid (the workload puts stamps
// at multiples of 32), so a block is one macroblock of a video codec; the reader thresholds
// the mean of the 6 × 6 centre pixels, which survives lossy compression and colour
// subsampling. A stamp whose CRC fails (half-updated, mangled) decodes to null. Kept small
// on purpose: it is itself part of what the contender has to send.
(() => {
  const BLOCK = 16;
  const COLS = 8;
  const ROWS = 8;
  const WIDTH = BLOCK * COLS; // 128
  const HEIGHT = BLOCK * ROWS; // 128
  const TS_MOD = 2 ** 32;
  const COUNTER_MOD = 2 ** 16;

  /** CRC-16/CCITT-FALSE over `bytes[0..n)`. */
  function crc16(bytes, n) {
    let crc = 0xffff;
    for (let i = 0; i < n; i++) {
      crc ^= bytes[i] << 8;
      for (let b = 0; b < 8; b++) {
        crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
      }
    }
    return crc;
  }

  /** The 8 bytes of a stamp for timestamp `ms` (epoch ms) and frame `counter`. */
  function encode(ms, counter) {
    const ts = ((Math.floor(ms) % TS_MOD) + TS_MOD) % TS_MOD;
    const c = ((counter % COUNTER_MOD) + COUNTER_MOD) % COUNTER_MOD;
    const bytes = new Uint8Array(ROWS);
    bytes[0] = (ts >>> 24) & 0xff;
    bytes[1] = (ts >>> 16) & 0xff;
    bytes[2] = (ts >>> 8) & 0xff;
    bytes[3] = ts & 0xff;
    bytes[4] = (c >>> 8) & 0xff;
    bytes[5] = c & 0xff;
    const crc = crc16(bytes, 6);
    bytes[6] = crc >>> 8;
    bytes[7] = crc & 0xff;
    return bytes;
  }

  /** Paints the stamp with its top-left corner at (x, y) on a 2D context. */
  function paint(ctx, x, y, ms, counter) {
    const bytes = encode(ms, counter);
    ctx.fillStyle = "#000";
    ctx.fillRect(x, y, WIDTH, HEIGHT);
    ctx.fillStyle = "#fff";
    for (let r = 0; r < ROWS; r++) {
      for (let c = 0; c < COLS; c++) {
        if (bytes[r] & (0x80 >> c)) ctx.fillRect(x + c * BLOCK, y + r * BLOCK, BLOCK, BLOCK);
      }
    }
  }

  /**
   * The raw 8 bytes of a stamp from `mean(x, y)`: the mean luma (0–255) of the 6 × 6 pixels
   * from (x, y) of the stamp, called for each block's centre.
   */
  function readBlocks(mean) {
    const bytes = new Uint8Array(ROWS);
    const lo = (BLOCK >> 1) - 3;
    for (let r = 0; r < ROWS; r++) {
      let byte = 0;
      for (let c = 0; c < COLS; c++) {
        if (mean(c * BLOCK + lo, r * BLOCK + lo) > 128) byte |= 0x80 >> c;
      }
      bytes[r] = byte;
    }
    return bytes;
  }
  /**
   * Reads the raw 8 bytes of a stamp whose top-left corner is at (x, y) of an RGBA pixel
   * array `data` that is `stride` pixels wide.
   */
  function readBytes(data, stride, x, y) {
    return readBlocks((bx, by) => {
      let sum = 0;
      for (let dy = 0; dy < 6; dy++) {
        let i = ((y + by + dy) * stride + x + bx) * 4;
        for (let dx = 0; dx < 6; dx++, i += 4) {
          sum += data[i] * 299 + data[i + 1] * 587 + data[i + 2] * 114; // luma × 1000
        }
      }
      return sum / 36_000;
    });
  }
  /**
   * The same from a plane of luma bytes (Y of a YUV video frame, one byte a pixel) `stride`
   * bytes wide, starting at `offset`, the stamp's corner at (x, y) of that plane.
   */
  function readLumaBytes(data, stride, offset, x, y) {
    return readBlocks((bx, by) => {
      let sum = 0;
      for (let dy = 0; dy < 6; dy++) {
        const i = offset + (y + by + dy) * stride + x + bx;
        for (let dx = 0; dx < 6; dx++) sum += data[i + dx];
      }
      return sum / 36;
    });
  }
  /** `{ ts32, counter }` from the raw bytes, or null when the CRC does not match. */
  function parse(bytes) {
    if (crc16(bytes, 6) !== ((bytes[6] << 8) | bytes[7])) return null;
    const ts32 = ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
    const counter = (bytes[4] << 8) | bytes[5];
    return { ts32, counter };
  }

  /** The full epoch-ms timestamp nearest to `nowMs` whose low 32 bits are `ts32`. */
  function unwrapTs(ts32, nowMs) {
    let diff = ((Math.floor(nowMs) - ts32) % TS_MOD + TS_MOD) % TS_MOD;
    if (diff > TS_MOD / 2) diff -= TS_MOD;
    return Math.floor(nowMs) - diff;
  }

  globalThis.BenchCode = {
    BLOCK,
    COLS,
    ROWS,
    WIDTH,
    HEIGHT,
    COUNTER_MOD,
    crc16,
    encode,
    paint,
    readBytes,
    readLumaBytes,
    parse,
    unwrapTs,
  };
})();
