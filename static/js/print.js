// A "Print" button for pages laid out for paper (the storyboard): shown only where scripts run.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
