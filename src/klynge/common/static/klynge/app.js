// Starts Det Fælles Designsystem's components; kept out of the HTML so the
// pages need no inline script.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS) {
    window.DKFDS.init();
  }
});
