/**
 * Server-sent events for the benchmarks' own stream readers: cuts the complete events off the
 * front of what has arrived so far (one `event:` name, `data:` lines joined by newlines) and
 * returns the rest, which waits for more text.
 */
export interface SseEvent {
  event: string;
  data: string;
}

export function takeSseEvents(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  let cut;
  while ((cut = buffer.indexOf("\n\n")) >= 0) {
    const block = buffer.slice(0, cut);
    buffer = buffer.slice(cut + 2);
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    // A block of comments only (a heartbeat) is no event.
    if (data.length > 0) events.push({ event, data: data.join("\n") });
  }
  return { events, rest: buffer };
}
