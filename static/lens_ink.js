// @ts-check
// What Lens's two pages (static/lens_view.js, the technician's; static/lens_phone.js, the
// customer's phone) share about the picture: the box the picture is shown in, sized to the
// picture's own proportions, and the drawing on it. Strokes are in the picture's coordinates
// (x and y as fractions of its width and height, modules/lens lens_session.ts), so a stroke
// lands on the same spot of the picture on both pages, whatever size each shows it at.

/** @typedef {{ colour: string, points: [number, number][] }} Stroke */

/**
 * Draws `strokes` on `canvas`, sized to its box on screen (sharp on a high-density screen).
 * @param {HTMLCanvasElement} canvas @param {Stroke[]} strokes
 */
export function drawStrokes(canvas, strokes) {
  const box = canvas.getBoundingClientRect();
  const ratio = globalThis.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(box.width * ratio));
  const height = Math.max(1, Math.round(box.height * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ink = canvas.getContext("2d");
  if (!ink) return;
  ink.clearRect(0, 0, width, height);
  paintStrokes(ink, strokes, width, height);
}

/**
 * Paints strokes on a 2D context of `width` × `height` pixels (the screen's canvas, or the
 * picture's own size for a screenshot); lines are as thick on every size of the picture.
 * @param {CanvasRenderingContext2D} ink @param {Stroke[]} strokes
 * @param {number} width @param {number} height
 */
export function paintStrokes(ink, strokes, width, height) {
  ink.lineCap = "round";
  ink.lineJoin = "round";
  ink.lineWidth = Math.max(3, Math.min(width, height) / 120);
  for (const stroke of strokes) {
    ink.strokeStyle = stroke.colour;
    ink.beginPath();
    stroke.points.forEach(([x, y], i) => {
      if (i === 0) ink.moveTo(x * width, y * height);
      else ink.lineTo(x * width, y * height);
    });
    // A single point (a tap) is a dot.
    if (stroke.points.length === 1) {
      const [x, y] = stroke.points[0];
      ink.lineTo(x * width + 0.1, y * height);
    }
    ink.stroke();
  }
}

/**
 * Sizes `box` to the picture's proportions (`width` × `height`) inside `area`, scaled by
 * `zoom`: "fit" as large as fits, "actual" one screen pixel per picture pixel, "double" twice.
 * @param {HTMLElement} box @param {HTMLElement} area
 * @param {number} width @param {number} height @param {string} [zoom]
 */
export function fitPicture(box, area, width, height, zoom = "fit") {
  if (!width || !height) return;
  let scale = 1;
  if (zoom === "fit") {
    const room = area.getBoundingClientRect();
    scale = Math.min(room.width / width, room.height / height);
  } else if (zoom === "double") scale = 2;
  box.style.width = `${Math.floor(width * scale)}px`;
  box.style.height = `${Math.floor(height * scale)}px`;
}

/**
 * The current picture of `video` (or the frozen one) on a canvas of its own size.
 * @param {HTMLVideoElement} video @param {HTMLCanvasElement} target
 */
export function holdFrame(video, target) {
  target.width = video.videoWidth;
  target.height = video.videoHeight;
  target.getContext("2d")?.drawImage(video, 0, 0);
}
