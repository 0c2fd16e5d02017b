// The error overlay: one place on the page where every error shows (a rejected patch with
// the compiler's message, a bad scene file, a worker that failed). The page keeps
// rendering underneath; the newest error replaces the shown one; × dismisses it, and so does
// whoever showed it once it is over (hideIfShowing: a patch failure once a later one applies).
export function createErrorOverlay() {
  const overlay = document.getElementById('error-overlay');
  const title = document.getElementById('error-title');
  const summary = document.getElementById('error-summary');
  const details = document.getElementById('error-details');
  document.getElementById('error-dismiss').addEventListener('click', () => { overlay.hidden = true; });
  const shown = [];
  return {
    shown,  // every error shown since the page loaded (the tests read it)
    // Returns a token for hideIfShowing.
    show({ title: heading, summary: text, details: more = '' }) {
      shown.push({ title: heading, summary: text, details: more });
      title.textContent = heading;
      summary.textContent = text;
      details.textContent = more;
      details.hidden = !more;
      overlay.hidden = false;
      return shown.length;
    },
    hide() { overlay.hidden = true; },
    // Hides the overlay if it still shows the error `token` names (no newer one replaced it).
    hideIfShowing(token) { if (token === shown.length) overlay.hidden = true; },
    get visible() { return !overlay.hidden; },
  };
}
