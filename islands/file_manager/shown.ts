/**
 * Runs `then` once `element` is on screen (now, or when its hidden tab is opened); returns a
 * function that stops waiting. The console mounts the file manager in a tab of the session's
 * workspace that may never be opened: it lists the customer's files only once someone looks —
 * a listing is audited as that technician having looked in the customer's files.
 */
export function whenShown(element: Element | null, then: () => void): () => void {
  if (!element || typeof IntersectionObserver !== "function") {
    then();
    return () => {};
  }
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    observer.disconnect();
    then();
  });
  observer.observe(element);
  return () => observer.disconnect();
}
