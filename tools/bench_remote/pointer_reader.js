// The pointer workload's reader (pointer.ts), injected into the viewer page. In every rendering
// step (requestAnimationFrame) it finds where the page shows the customer's pointer on the row
// the harness moves it along, and records each change of that place with Date.now():
//   - the island's own pointer element (`overlay`, a CSS selector) when the page has one and
//     shows it: the pointer sent apart from the picture; the element's `data-x` is the hot
//     spot's x on the customer's screen;
//   - else the picture (`source`, the element showing the remote screen at 1:1): the left edge
//     of the first dark run (luma < 96) in a strip of rows from `y` down, where the arrow is.
//
//   globalThis.__benchPointer.start({ source, overlay, y, width })
//   globalThis.__benchPointer.peek() → x or null (the place shown now)
//   globalThis.__benchPointer.stop() → { seen: [{ at, x }], polls, fromOverlay, fromPicture }
(() => {
  const ROWS = 24;
  let state = null;

  function fromOverlay(selector) {
    if (!selector) return null;
    const el = document.querySelector(selector);
    if (!el || el.hidden || getComputedStyle(el).display === "none") return null;
    if (getComputedStyle(el).visibility === "hidden") return null;
    const x = Number(el.dataset.x);
    return Number.isFinite(x) ? x : null;
  }

  function fromPicture(s) {
    const el = document.querySelector(s.source);
    if (!el) return null;
    const isVideo = el instanceof HTMLVideoElement;
    if (isVideo && el.videoWidth === 0) return null;
    s.ctx.drawImage(el, 0, s.y, s.width, ROWS, 0, 0, s.width, ROWS);
    const px = s.ctx.getImageData(0, 0, s.width, ROWS).data;
    let best = null;
    for (let row = 0; row < ROWS; row++) {
      for (let x = 0; x < s.width; x++) {
        const i = (row * s.width + x) * 4;
        const luma = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
        if (luma < 96) {
          if (best === null || x < best) best = x;
          break;
        }
      }
    }
    return best;
  }

  function read(s) {
    const overlay = fromOverlay(s.overlay);
    if (overlay !== null) return { x: overlay, overlay: true };
    return { x: fromPicture(s), overlay: false };
  }

  function scratch(width) {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = ROWS;
    return canvas.getContext("2d", { willReadFrequently: true });
  }

  function poll() {
    const s = state;
    if (!s) return;
    s.polls++;
    const at = Date.now();
    const { x, overlay } = read(s);
    if (x !== null && x !== s.last) {
      s.seen.push({ at, x });
      if (overlay) s.fromOverlay++;
      else s.fromPicture++;
    }
    s.last = x;
    s.raf = requestAnimationFrame(poll);
  }

  globalThis.__benchPointer = {
    start(o) {
      state = {
        ...o,
        ctx: scratch(o.width),
        seen: [],
        polls: 0,
        fromOverlay: 0,
        fromPicture: 0,
        last: null,
      };
      state.raf = requestAnimationFrame(poll);
    },
    peek(o) {
      return read({ ...o, ctx: scratch(o.width) }).x;
    },
    stop() {
      const s = state;
      state = null;
      if (!s) return null;
      cancelAnimationFrame(s.raf);
      return {
        seen: s.seen,
        polls: s.polls,
        fromOverlay: s.fromOverlay,
        fromPicture: s.fromPicture,
      };
    },
  };
})();
